//! Thumbnails and index (the index section): a thumbnail from a full-HD PNG; the class overview and
//! a timeline page from an index of 100 students and 10,000 events.

use crate::stats::Sample;
use pracownia_core::index::IndexReader;
use pracownia_core::limits::Limits;
use pracownia_core::media;
use pracownia_core::model::FileKind;
use pracownia_core::store::{Entry, FileMeta, Store};
use pracownia_simulate::{screenshot_png, student_identity};
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

/// Milliseconds per thumbnail (decode within limits, 480 px thumbnail, JPEG encode, fsync),
/// over `reps` runs. Also returns the PNG's size.
pub fn thumbnail(work: &Path, reps: usize) -> (Sample, usize) {
    std::fs::create_dir_all(work).unwrap();
    let png = screenshot_png(1920, 1080, 3, 5);
    let src = work.join("shot.png");
    std::fs::write(&src, &png).unwrap();
    let thumb = work.join("shot.thumb.jpg");
    let limits = Limits::default();
    let mut s = Sample::default();
    for _ in 0..reps {
        let t = Instant::now();
        media::check_screenshot_and_thumbnail(&src, &thumb, &limits).expect("a valid PNG");
        s.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    (s, png.len())
}

pub struct IndexTimes {
    pub events: usize,
    pub build_secs: f64,
    /// `IndexReader::students()`: latest screenshot and unread count of every student.
    pub overview_ms: Sample,
    /// `IndexReader::timeline(None, after the middle, 100)`: a page of the class timeline.
    pub page_ms: Sample,
    /// `IndexReader::timeline_before(student, None, 100)`: a student's newest page.
    pub student_page_ms: Sample,
}

/// Build a store of `students` students and about `events` events through the store's own API
/// (chat, hand, screenshots), then time the read queries `reps` times each.
pub fn queries(work: &Path, students: usize, events: usize, reps: usize) -> IndexTimes {
    let root = work.join("index-store");
    let _ = std::fs::remove_dir_all(&root);
    let t = Instant::now();
    let mut store = Store::open(&root).expect("store opens");
    let refs: Vec<_> = (0..students)
        .map(|i| {
            let (id, login) = student_identity(i);
            store.student(id, &login).expect("student")
        })
        .collect();
    let staging = store.staging_dir();
    let per = events / students;
    let mut at = chrono::Utc::now().timestamp_millis() - 10_000_000;
    for n in 0..per {
        for s in &refs {
            at += 1;
            // One event in ten a chat, one in twenty a screenshot, the rest hands.
            if n % 10 == 0 {
                store
                    .record(s, at, Entry::Chat { id: Uuid::new_v4(), text: format!("pytanie {n}"), sent_ts: at - 5 })
                    .expect("chat");
            } else if n % 20 == 5 {
                let staged = staging.join("shot.png");
                std::fs::write(&staged, b"\x89PNG placeholder").unwrap();
                let meta =
                    FileMeta { size: 16, sha256: "0".repeat(64), name: "s.png".into(), transfer: Uuid::new_v4() };
                store.place_file(s, at, FileKind::Screenshot, &staged, "png", None, meta).expect("place");
            } else {
                store.record(s, at, Entry::Hand { raised: n % 2 == 0 }).expect("hand");
            }
        }
    }
    let build_secs = t.elapsed().as_secs_f64();
    let r = IndexReader::open(&root).expect("reader");
    let first = r.students().expect("students");
    assert_eq!(first.len(), students);
    let time = |f: &dyn Fn()| {
        let mut s = Sample::default();
        f(); // warm the page cache and the prepared statement
        for _ in 0..reps {
            let t = Instant::now();
            f();
            s.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        s
    };
    let total = per * students;
    let overview_ms = time(&|| {
        std::hint::black_box(r.students().unwrap());
    });
    let mid = (total / 2) as i64;
    let page_ms = time(&|| {
        std::hint::black_box(r.timeline(None, Some(mid), 100).unwrap());
    });
    let sid = refs[students / 2].id;
    let student_page_ms = time(&|| {
        std::hint::black_box(r.timeline_before(sid, None, 100).unwrap());
    });
    drop(r);
    drop(store);
    let _ = std::fs::remove_dir_all(&root);
    IndexTimes { events: total, build_secs, overview_ms, page_ms, student_page_ms }
}
