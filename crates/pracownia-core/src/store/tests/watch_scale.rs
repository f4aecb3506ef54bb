//! The watcher with real file-system events, and the index at scale.

use std::fs;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;

#[test]
fn watcher_reports_changes_made_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path()).unwrap();
    let s = store.student(id(1), "ala").unwrap();
    let f = place_png(&mut store, &s, T0, b"one", false);
    let (tx, rx) = mpsc::channel();
    let handle = watch(store.root(), move |dir| {
        let _ = tx.send(dir);
    })
    .unwrap();
    // Wait for a callback that leaves the index in the wanted state.
    let wait_until = |store: &mut Store, want: &dyn Fn(&[TimelineEntry]) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let dir = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("watcher callback");
            assert_eq!(dir, s.dir);
            store.resync_student_dir(&dir).unwrap();
            if want(&all_events(store.reader(), None)) {
                return;
            }
        }
    };
    fs::remove_file(&f.abs_path).unwrap();
    wait_until(&mut store, &|ev| ev.is_empty());
    let outside = tempfile::tempdir().unwrap();
    let png = outside.path().join("copied.png");
    fs::write(&png, b"\x89PNG\r\n\x1a\n fake").unwrap();
    fs::copy(&png, s.dir.join("screenshots/copied.png")).unwrap();
    wait_until(&mut store, &|ev| {
        ev.len() == 1
            && ev[0].file().is_some_and(|f| f.path == format!("{}/screenshots/copied.png", s.folder))
            && ev[0].file().is_some_and(|f| f.size == Some(13))
    });
    drop(handle);
}

#[test]
fn index_queries_at_scale() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // Journals written directly, then indexed by Store::open's sync.
    let write_student = |n: u128, login: &str, events: i64| {
        let dir = root.join(format!("{login}-{n}"));
        fs::create_dir_all(&dir).unwrap();
        let sj = StudentJson {
            id: id(n),
            login: login.into(),
            first_seen: "2026-11-25T08:00:00.000Z".into(),
            seats: vec![],
        };
        fs::write(dir.join("student.json"), serde_json::to_vec(&sj).unwrap()).unwrap();
        let mut text = String::new();
        for i in 0..events {
            let entry = if i % 2 == 0 {
                let id = Some(Uuid::from_u128((n << 64) | i as u128));
                JournalEntry::Chat { id, text: Some(format!("{login} {i}")), sent_ts: None }
            } else {
                JournalEntry::Hand { raised: Some(i % 4 == 1) }
            };
            let l = JournalLine::new(T0 + i * 100 + n as i64, login, entry);
            text.push_str(&serde_json::to_string(&l).unwrap());
            text.push('\n');
        }
        fs::write(dir.join(JOURNAL_FILE), text).unwrap();
    };
    for n in 1..=100 {
        write_student(n, &format!("s{n:03}"), 100);
    }
    write_student(1000, "big", 10_000);
    let t = Instant::now();
    let store = Store::open(root).unwrap();
    eprintln!("indexing 20,000 journal lines: {:?}", t.elapsed());
    let r = store.reader();

    let t = Instant::now();
    let students = r.students().unwrap();
    eprintln!("students() for 101 students: {:?}", t.elapsed());
    assert_eq!(students.len(), 101);
    assert_eq!(students[0].login, "big");
    assert_eq!((students[0].chats, students[0].unread), (5000, 5000));
    assert_eq!(students[1].login, "s001");
    assert_eq!(students[1].chats, 50);
    assert_eq!(students[1].last_seen, T0 + 99 * 100 + 1);

    let ids: Vec<i64> = r.timeline(Some(id(1000)), None, 20_000).unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 10_000);
    let t = Instant::now();
    let page = r.timeline(Some(id(1000)), Some(ids[4999]), 100).unwrap();
    eprintln!("one 100-row page out of 10,000: {:?}", t.elapsed());
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), ids[5000..5100]);
    assert_eq!(page[0].text(), Some("big 5000"));
    let t = Instant::now();
    let back = r.timeline_before(id(1000), Some(ids[5000]), 100).unwrap();
    eprintln!("one 100-row page backwards: {:?}", t.elapsed());
    let mut want = ids[4900..5000].to_vec();
    want.reverse();
    assert_eq!(back.iter().map(|e| e.id).collect::<Vec<_>>(), want);
    let t = Instant::now();
    let everyone = r.timeline(None, Some(ids[4999]), 100).unwrap();
    eprintln!("one 100-row page of everyone: {:?}", t.elapsed());
    assert_eq!(everyone.len(), 100);
    assert!(everyone.windows(2).all(|w| w[0].id < w[1].id && w[0].ts <= w[1].ts));
    assert!(back.iter().all(|e| e.student == id(1000)));
}
