//! Recording events, duplicate chats, logins, read markers.

use std::fs;

use super::*;

#[test]
fn all_entry_kinds_are_journaled_and_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ola").unwrap();
    let tr = Uuid::new_v4();
    store.record(&s, T0, Entry::Join).unwrap();
    store.record(&s, T0 + 1, Entry::Hand { raised: true }).unwrap();
    store
        .record(
            &s,
            T0 + 2,
            Entry::Incomplete { transfer: tr, kind: FileKind::Blend, name: "a.blend".into(), received: 10, size: 99 },
        )
        .unwrap();
    store
        .record(
            &s,
            T0 + 3,
            Entry::Rejected { reason: "too_large".into(), detail: "The file is too large.".into(), transfer: Some(tr) },
        )
        .unwrap();
    store.record(&s, T0 + 4, Entry::Leave { reason: LeaveReason::Timeout }).unwrap();
    let ev = all_events(store.reader(), None);
    let kinds: Vec<_> = ev.iter().map(|e| e.kind()).collect();
    use TimelineKind::*;
    assert_eq!(kinds, [Join, Hand, Incomplete, Rejected, Leave]);
    assert_eq!(ev[1].body, EntryBody::Hand { raised: Some(true) });
    assert_eq!(
        ev[2].body,
        EntryBody::Incomplete {
            transfer: Some(tr),
            file_kind: Some(FileKind::Blend),
            name: Some("a.blend".into()),
            received: Some(10),
            size: Some(99)
        }
    );
    assert_eq!(
        ev[3].body,
        EntryBody::Rejected {
            reason: Some("too_large".into()),
            detail: Some("The file is too large.".into()),
            transfer: Some(tr)
        }
    );
    assert_eq!(ev[4].body, EntryBody::Leave { reason: Some("timeout".into()) });
    assert!(ev.iter().all(|e| e.login == "ola" && e.student == id(1)));
    let raw = fs::read_to_string(s.dir.join(JOURNAL_FILE)).unwrap();
    assert!(raw.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(raw.contains("\"file_kind\":\"blend\""));
}

#[test]
fn duplicate_chat_ids_are_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ola").unwrap();
    let cid = chat(&mut store, &s, T0, "hello");
    let again = Entry::Chat { id: cid, text: "hello".into(), sent_ts: T0 - 3 };
    assert!(!store.record(&s, T0 + 10, again.clone()).unwrap());
    // Another student may use the same message id.
    let t = store.student(id(2), "ela").unwrap();
    assert!(store.record(&t, T0 + 11, again.clone()).unwrap());
    drop(store);
    let mut store = Store::open(tmp.path()).unwrap();
    assert!(!store.record(&s, T0 + 12, again).unwrap());
    assert_eq!(journal_lines(&s.dir).len(), 1);
    let ev = all_events(store.reader(), Some(id(1)));
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].text(), Some("hello"));
}

#[test]
fn login_change_updates_json_and_index_but_not_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ola").unwrap();
    chat(&mut store, &s, T0, "as ola");
    let s2 = store.student(id(1), "Ola Nowak").unwrap();
    assert_eq!((s2.folder.as_str(), s2.login.as_str()), (s.folder.as_str(), "Ola Nowak"));
    chat(&mut store, &s2, T0 + 1, "as Ola Nowak");
    let sj = read_student_json(&s.dir).unwrap().unwrap();
    assert_eq!(sj.login, "Ola Nowak");
    assert_eq!(store.reader().students().unwrap()[0].login, "Ola Nowak");
    let logins: Vec<_> = all_events(store.reader(), None).into_iter().map(|e| e.login).collect();
    assert_eq!(logins, ["ola", "Ola Nowak"], "events keep the login used at the time");
    drop(store);
    let mut store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.student(id(1), "Ola Nowak").unwrap(), s2);
}

#[test]
fn login_shared_by_two_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    store.student(id(1), "kuba").unwrap();
    store.student(id(2), "KUBA").unwrap();
    store.student(id(3), "ewa").unwrap();
    assert_eq!(store.other_ids_with_login("kuba", id(1)).unwrap(), [id(2)]);
    assert!(store.other_ids_with_login("ewa", id(3)).unwrap().is_empty());
    let shared: Vec<_> = store.reader().students().unwrap().into_iter().map(|s| (s.login, s.login_shared)).collect();
    assert_eq!(shared, [("ewa".into(), false), ("kuba".into(), true), ("KUBA".into(), true)]);
    let r = store.reader();
    assert_eq!(r.find_student("Kuba").unwrap(), [id(1), id(2)]);
    assert_eq!(r.find_student(&id(3).to_string()).unwrap(), [id(3)]);
    assert_eq!(r.find_student(&id(3).simple().to_string()).unwrap(), [id(3)]);
    assert!(r.find_student("nobody").unwrap().is_empty());
}

#[test]
fn hostile_id_prefix_collision_gets_full_id_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let a = store.student(id(1), "ala").unwrap();
    let b = store.student(id(2), "ala").unwrap();
    assert_eq!(a.folder, "ala-12345678");
    assert_eq!(b.folder, format!("ala-{}", id(2).simple()));
    drop(store);
    let mut store = Store::open(tmp.path()).unwrap();
    assert_eq!(store.student(id(2), "ala").unwrap().folder, b.folder);
}

#[test]
fn unread_counts_and_mark_chat_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ola").unwrap();
    for i in 0..3 {
        chat(&mut store, &s, T0 + i, "q");
    }
    store.record(&s, T0 + 5, Entry::Hand { raised: true }).unwrap();
    let unread = |st: &Store| st.reader().students().unwrap()[0].unread;
    let oldest = |st: &Store| st.reader().students().unwrap()[0].oldest_unread_at;
    assert_eq!(unread(&store), 3);
    assert_eq!(oldest(&store), Some(T0), "the longest wait starts at the oldest unread chat");
    store.mark_chat_read(id(1), T0 + 1).unwrap();
    assert_eq!(unread(&store), 1);
    assert_eq!(oldest(&store), Some(T0 + 2), "read chats no longer count as waiting");
    let rj: ReadJson = serde_json::from_slice(&fs::read(s.dir.join("read.json")).unwrap()).unwrap();
    assert_eq!(rj.chat_read_until, T0 + 1);
    assert!(matches!(store.mark_chat_read(id(9), 1), Err(StoreError::UnknownStudent(_))));
    drop(store);
    fs::remove_file(index::index_path(tmp.path())).unwrap();
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(unread(&store), 1, "read.json survives a rebuilt index");
    assert_eq!(oldest(&store), Some(T0 + 2));
    let mut store = store;
    store.mark_chat_read(id(1), T0 + 9).unwrap();
    assert_eq!((unread(&store), oldest(&store)), (0, None), "nothing unread: nobody is waiting");
}

#[test]
fn a_look_alike_login_is_flagged_with_the_login_it_imitates() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let anna = store.student(id(1), "anna").unwrap();
    store.record(&anna, T0, Entry::Join).unwrap();
    for (n, fake) in [(2, "\u{430}nna"), (3, "ａｎｎａ"), (4, "ANNA"), (5, "jan")] {
        let s = store.student(id(n), fake).unwrap();
        store.record(&s, T0 + n as i64, Entry::Join).unwrap();
    }
    let mut flags: Vec<_> =
        store.reader().students().unwrap().into_iter().map(|s| (s.login, s.looks_like, s.login_shared)).collect();
    flags.sort();
    assert_eq!(
        flags,
        [
            ("ANNA".into(), None, true), // the same login: shared, not a look-alike
            ("anna".into(), None, true),
            ("jan".into(), None, false),
            ("\u{430}nna".into(), Some("anna".into()), false),
            ("ａｎｎａ".into(), Some("anna".into()), false),
        ]
    );
}
