//! Reconciliation tests: reindex, crash repair, changes by hand, paging, watcher.

use std::fs::{self, OpenOptions};
use std::io::Write;

use super::*;

/// A store with a bit of everything, including a file added by hand.
fn populate(store: &mut Store) {
    let a = store.student(id(1), "ala").unwrap();
    let b = store.student(id(2), "bob").unwrap();
    store.record(&a, T0, Entry::Join).unwrap();
    store.record(&b, T0 + 1, Entry::Join).unwrap();
    chat(store, &a, T0 + 2, "hi");
    place_png(store, &b, T0 + 3, b"b-shot", true);
    chat(store, &b, T0 + 4, "me too");
    place_png(store, &a, T0 + 5, b"a-shot", false);
    store.record(&a, T0 + 6, Entry::Hand { raised: true }).unwrap();
    store
        .record(
            &b,
            T0 + 7,
            Entry::Rejected { reason: "corrupt".into(), detail: "The file was damaged.".into(), transfer: None },
        )
        .unwrap();
    store.record(&a, T0 + 8, Entry::Leave { reason: LeaveReason::Bye }).unwrap();
    fs::write(b.dir.join("screenshots").join(format!("{}.png", stamp(T0 + 9))), b"by hand").unwrap();
    store.resync_student_dir(&b.dir).unwrap();
    store.mark_chat_read(id(2), T0 + 4).unwrap();
}

#[test]
fn reindex_reproduces_students_and_timeline() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    populate(&mut store);
    let before = snapshot(&store);
    assert_eq!(before.1.len(), 10);
    assert_eq!(before.1.iter().map(|e| e.ts).collect::<Vec<_>>(), (0..10).map(|i| T0 + i).collect::<Vec<_>>());
    assert_eq!(before.0.len(), 2);
    assert_eq!((before.0[1].screenshots, before.0[1].unread, before.0[0].unread), (2, 0, 1));

    let gen = store.reader().generation().unwrap();
    let report = store.reindex().unwrap();
    assert_eq!((report.students, report.events, report.files_found), (2, 10, 1));
    assert!(report.problems.is_empty());
    assert_eq!(snapshot(&store), before);
    assert_eq!(store.reader().generation().unwrap(), gen + 1);
    drop(store);

    let idx = index::index_path(tmp.path());
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", idx.display()));
    }
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(snapshot(&store), before);
    drop(store);

    // A damaged index file is thrown away and rebuilt.
    fs::write(&idx, b"this is not a database at all, not even close......").unwrap();
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(snapshot(&store), before);
}

#[test]
fn crash_between_journal_and_index_is_repaired_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ala").unwrap();
    chat(&mut store, &s, T0, "indexed");
    drop(store);
    let entry = JournalEntry::Chat { id: Some(Uuid::new_v4()), text: Some("journaled only".into()), sent_ts: None };
    let line = JournalLine::new(T0 + 1, "ala", entry);
    journal::append(&s.dir.join(JOURNAL_FILE), &line).unwrap();
    // ...and a torn line from a crash in the middle of the next write.
    OpenOptions::new().append(true).open(s.dir.join(JOURNAL_FILE)).unwrap().write_all(b"{\"ts\":1,\"ki").unwrap();
    // ...and a file renamed into place whose journal line never got written.
    fs::create_dir_all(s.dir.join("blends")).unwrap();
    fs::write(s.dir.join("blends").join(format!("{}.blend", stamp(T0 + 2))), b"BLENDER").unwrap();

    let mut store = Store::open(tmp.path()).unwrap();
    let ev = all_events(store.reader(), None);
    let texts: Vec<_> = ev.iter().map(|e| e.text()).collect();
    assert_eq!(texts, [Some("indexed"), Some("journaled only"), None]);
    assert_eq!(ev[2].kind(), TimelineKind::Blend);
    assert_eq!(ev[2].ts, T0 + 2, "time comes from the file name stamp");
    assert_eq!(ev[2].file().unwrap().sha256.as_deref(), Some(meta(b"BLENDER", "").sha256.as_str()));
    // The next append is not glued to the torn line.
    chat(&mut store, &s, T0 + 3, "after");
    assert_eq!(all_events(store.reader(), None).len(), 4);
    assert_eq!(journal_lines(&s.dir).len(), 3);
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    assert_eq!(all_events(store.reader(), None).len(), 4);
}

#[test]
fn files_removed_and_added_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ala").unwrap();
    let f1 = place_png(&mut store, &s, T0, b"one", true);
    let f2 = place_png(&mut store, &s, T0 + 1, b"two", true);
    fs::remove_file(&f1.abs_path).unwrap();
    fs::remove_file(store.root().join(f2.thumb.as_ref().unwrap())).unwrap();
    fs::write(s.dir.join("screenshots/holiday.PNG"), b"by hand").unwrap();
    fs::write(s.dir.join("screenshots/notes.txt"), b"ignored").unwrap();
    fs::write(s.dir.join("screenshots/thumbs/stray.jpg"), b"ignored").unwrap();
    store.resync_student_dir(&s.dir).unwrap();
    let ev = all_events(store.reader(), None);
    let paths: Vec<_> = ev.iter().map(|e| e.file().unwrap().path.clone()).collect();
    assert_eq!(paths, [f2.path.clone(), format!("{}/screenshots/holiday.PNG", s.folder)]);
    assert_eq!(ev[0].file().unwrap().thumb, None, "a thumb removed by hand is dropped");
    assert_eq!(ev[1].file().unwrap().name.as_deref(), Some("holiday.PNG"));
    assert_eq!(ev[1].file().unwrap().size, Some(7));
    // Relative folder names work too; a second resync changes nothing.
    store.resync_student_dir(Path::new(&s.folder)).unwrap();
    assert_eq!(all_events(store.reader(), None).len(), 2);
    // Removing the whole folder removes the student; using it again re-creates it.
    fs::remove_dir_all(&s.dir).unwrap();
    store.resync_student_dir(&s.dir).unwrap();
    assert!(store.reader().students().unwrap().is_empty());
    chat(&mut store, &s, T0 + 5, "still here");
    assert!(s.dir.join("student.json").is_file());
    assert_eq!(store.reader().students().unwrap()[0].chats, 1);
}

#[test]
fn keyset_paging() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let a = store.student(id(1), "ala").unwrap();
    let b = store.student(id(2), "bob").unwrap();
    for i in 0..25 {
        chat(&mut store, if i % 2 == 0 { &a } else { &b }, T0 + i, &format!("m{i}"));
    }
    let r = store.reader();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = r.timeline(None, after, 10).unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 10);
        after = page.last().map(|e| e.id);
        seen.extend(page.into_iter().map(|e| e.text().unwrap().to_string()));
    }
    assert_eq!(seen, (0..25).map(|i| format!("m{i}")).collect::<Vec<_>>());
    let mine = r.timeline(Some(id(1)), None, 100).unwrap();
    assert_eq!(mine.len(), 13);
    let page2 = r.timeline(Some(id(1)), Some(mine[4].id), 3).unwrap();
    assert_eq!(page2, mine[5..8].to_vec());

    let newest = r.timeline_before(id(1), None, 5).unwrap();
    let texts: Vec<_> = newest.iter().map(|e| e.text().unwrap()).collect();
    assert_eq!(texts, ["m24", "m22", "m20", "m18", "m16"]);
    let older = r.timeline_before(id(1), newest.last().map(|e| e.id), 100).unwrap();
    assert_eq!(older.len(), 8);
    assert_eq!(older[0].text(), Some("m14"));
    // One session's span (inclusive), paged the same way.
    let span = (newest[3].ts, newest[1].ts);
    let within = r.timeline_before_within(id(1), None, 2, span).unwrap();
    let texts: Vec<_> = within.iter().map(|e| e.text().unwrap()).collect();
    assert_eq!(texts, ["m22", "m20"]);
    let rest = r.timeline_before_within(id(1), within.last().map(|e| e.id), 100, span).unwrap();
    assert_eq!(rest.iter().map(|e| e.text().unwrap()).collect::<Vec<_>>(), ["m18"]);
    assert_eq!(r.event(mine[0].id).unwrap().unwrap(), mine[0]);
}

#[test]
fn chat_inbox_pages_every_students_chats_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let a = store.student(id(1), "ala").unwrap();
    let b = store.student(id(2), "bob").unwrap();
    store.record(&a, T0, Entry::Join).unwrap();
    for i in 0..7 {
        chat(&mut store, if i % 2 == 0 { &a } else { &b }, T0 + 1 + i, &format!("m{i}"));
        store.record(&b, T0 + 1 + i, Entry::Hand { raised: i % 2 == 0 }).unwrap();
    }
    place_png(&mut store, &a, T0 + 20, b"shot", true);
    let r = store.reader();
    let first = r.chat_inbox(None, 3).unwrap();
    let texts: Vec<_> = first.iter().map(|e| e.text().unwrap()).collect();
    assert_eq!(texts, ["m6", "m5", "m4"]);
    assert!(first.iter().all(|e| e.kind() == TimelineKind::Chat));
    assert_eq!(first[1].login, "bob");
    let rest = r.chat_inbox(first.last().map(|e| e.id), 100).unwrap();
    let texts: Vec<_> = rest.iter().map(|e| e.text().unwrap()).collect();
    assert_eq!(texts, ["m3", "m2", "m1", "m0"]);
    assert!(r.chat_inbox(rest.last().map(|e| e.id), 10).unwrap().is_empty());
}

#[test]
fn separate_reader_folder_renamed_copied_and_journal_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let reader = IndexReader::open(tmp.path()).unwrap(); // as another process would
    let s = store.student(id(1), "ala").unwrap();
    chat(&mut store, &s, T0, "one");
    place_png(&mut store, &s, T0 + 1, b"shot", true);
    assert_eq!(all_events(&reader, None).len(), 2, "a separate connection sees new writes");

    // Renamed by hand: the student follows its folder, paths included.
    let moved = store.root().join("ala-renamed");
    fs::rename(&s.dir, &moved).unwrap();
    store.resync_student_dir(&s.dir).unwrap();
    store.resync_student_dir(&moved).unwrap();
    let st = reader.students().unwrap();
    assert_eq!((st.len(), st[0].folder.as_str()), (1, "ala-renamed"));
    let ev = all_events(&reader, None);
    assert_eq!(ev.len(), 2);
    assert!(ev[1].file().unwrap().path.starts_with("ala-renamed/screenshots/"));
    assert!(ev[1].file().unwrap().thumb.as_deref().unwrap().starts_with("ala-renamed/screenshots/thumbs/"));

    // A copy of a folder (same id) is left out rather than doubling the student.
    let copy = store.root().join("ala-copy");
    fs::create_dir(&copy).unwrap();
    fs::copy(moved.join("student.json"), copy.join("student.json")).unwrap();
    store.resync_student_dir(&copy).unwrap();
    assert_eq!(reader.students().unwrap()[0].folder, "ala-renamed");

    // A journal replaced by a shorter one is indexed from its start.
    let l = JournalLine::new(T0 + 9, "ala", JournalEntry::Hand { raised: Some(false) });
    fs::write(moved.join(JOURNAL_FILE), format!("{}\n", serde_json::to_string(&l).unwrap())).unwrap();
    store.resync_student_dir(&moved).unwrap();
    let mut ev = all_events(&reader, None);
    ev.sort_by_key(|e| e.ts);
    let kinds: Vec<_> = ev.iter().map(|e| (e.kind(), e.ts)).collect();
    // The chat is gone with the old journal; the file stays, found by scanning.
    assert_eq!(kinds, [(TimelineKind::Screenshot, T0 + 1), (TimelineKind::Hand, T0 + 9)]);
}
