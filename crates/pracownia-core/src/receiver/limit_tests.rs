//! Budgets that hold for the whole receiver, whatever ids a hostile sender makes up (issue 12).

use super::tests::{header, rig_with};
use super::*;
use crate::events::Event;
use crate::protocol::Kind;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Instant;
use uuid::Uuid;

fn blend(n: usize) -> Vec<u8> {
    let mut v = b"BLENDER-v405".to_vec();
    v.extend((0..n - 12).map(|i| (i * 7 % 256) as u8));
    v
}

/// A chunk header of `data` for `student`, bytes `[off, off + len)`.
fn chunk(student: Uuid, seq: u64, t: Uuid, data: &[u8], off: usize, len: usize) -> Value {
    header(
        student,
        &format!("s-{}", &student.simple().to_string()[..6]),
        seq,
        json!({"transfer": t, "kind": "blend", "name": "a.blend", "size": data.len(),
            "sha256": hex::encode(Sha256::digest(data)), "offset": off, "index": off / len, "count": data.len().div_ceil(len)}),
    )
}

/// No budget of new ids per connection: the tests of other limits make up several ids on one
/// socket.
fn ids_per_connection_unbounded(c: &mut Config) {
    c.limits.new_ids_per_connection = crate::limits::Rate { per_second: 0.0, burst: 1e9 };
}

#[test]
fn open_transfers_are_bounded_for_the_whole_receiver_not_per_id() {
    let r = rig_with(|c| {
        ids_per_connection_unbounded(c);
        c.limits.max_open_transfers = 3;
    });
    let mut s = r.student(None);
    let data = blend(10_000);
    let first = (Uuid::new_v4(), Uuid::new_v4());
    s.send(Kind::Chunk, &chunk(first.0, 1, first.1, &data, 0, 1000), &data[..1000], &r.stop).unwrap();
    // Made-up ids cost nothing: each stays under the per-student limit of 4.
    for _ in 0..2 {
        s.send(Kind::Chunk, &chunk(Uuid::new_v4(), 1, Uuid::new_v4(), &data, 0, 1000), &data[..1000], &r.stop).unwrap();
    }
    let late = Uuid::new_v4();
    s.send(Kind::Chunk, &chunk(late, 1, Uuid::new_v4(), &data, 0, 1000), &data[..1000], &r.stop).unwrap();
    let (who, reason) = r.expect("refusal", |e| match e {
        Event::Rejected { student, reason, .. } => Some((*student, reason.clone())),
        _ => None,
    });
    assert_eq!((who, reason.as_str()), (Some(late), "receiver_busy"));
    assert_eq!(r.rx().stats().rejected.get("receiver_busy"), Some(&1), "counted");
    // The transfers already open go on: the first one completes and frees its place.
    for (i, off) in (1000..10_000).step_by(1000).enumerate() {
        let h = chunk(first.0, 2 + i as u64, first.1, &data, off, 1000);
        s.send(Kind::Chunk, &h, &data[off..off + 1000], &r.stop).unwrap();
    }
    r.expect("stored", |e| matches!(e, Event::FileStored { student, .. } if *student == first.0).then_some(()));
    let t = Uuid::new_v4();
    s.send(Kind::Chunk, &chunk(late, 2, t, &data, 0, 1000), &data[..1000], &r.stop).unwrap();
    r.expect("progress", |e| match e {
        Event::Progress { transfer, .. } if *transfer == t => Some(()),
        Event::Rejected { student: Some(x), reason, .. } if *x == late => panic!("refused: {reason}"),
        _ => None,
    });
}

#[test]
fn a_resent_duplicate_chunk_does_not_keep_a_transfer_alive() {
    let r = rig_with(|c| c.transfer_timeout = Duration::from_millis(600));
    let mut s = r.student(None);
    let data = blend(10_000);
    let (who, t) = (Uuid::new_v4(), Uuid::new_v4());
    let start = Instant::now();
    let mut seq = 1;
    let given_up = loop {
        assert!(start.elapsed() < Duration::from_secs(10), "the transfer never timed out");
        s.send(Kind::Chunk, &chunk(who, seq, t, &data, 0, 1000), &data[..1000], &r.stop).unwrap();
        seq += 1;
        match r.rx().events().recv_timeout(Duration::from_millis(100)) {
            Ok(Event::Incomplete { transfer, received, .. }) if transfer == t => break received,
            _ => {}
        }
    };
    assert_eq!(given_up, 1000);
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
}

/// A first chunk claiming a `size`-byte blend (only 1000 bytes ever come).
fn claim(student: Uuid, size: u64) -> Value {
    header(
        student,
        "claim",
        1,
        json!({"transfer": Uuid::new_v4(), "kind": "blend", "name": "a.blend", "size": size,
            "sha256": "ab".repeat(32), "offset": 0, "index": 0, "count": size.div_ceil(1000)}),
    )
}

#[test]
fn admission_counts_the_bytes_open_transfers_still_owe() {
    // Free space minus 3 GiB is the floor: one 2 GiB claim fits, a second one would not once the
    // first is received. (1 GiB of slack either way for other writers on this disk.)
    let dir = tempfile::tempdir().unwrap();
    let free = fs4::available_space(dir.path()).unwrap();
    assert!(free > 8 << 30, "the test needs 8 GiB free, has {free}");
    let r = rig_with(|c| c.limits.free_disk_floor = free - (3 << 30));
    let mut s = r.student(None);
    let body = vec![b'B'; 1000];
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    s.send(Kind::Chunk, &claim(a, 2 << 30), &body, &r.stop).unwrap();
    r.expect("progress", |e| match e {
        Event::Progress { student, .. } if *student == a => Some(()),
        Event::Rejected { reason, detail, .. } => panic!("the first claim was refused: {reason}: {detail}"),
        _ => None,
    });
    s.send(Kind::Chunk, &claim(b, 2 << 30), &body, &r.stop).unwrap();
    let (who, reason) = r.expect("refusal", |e| match e {
        Event::Rejected { student, reason, .. } => Some((*student, reason.clone())),
        Event::Progress { student, .. } if *student == b => panic!("the second claim was admitted"),
        _ => None,
    });
    assert_eq!((who, reason.as_str()), (Some(b), "disk_full"));
}

#[test]
fn under_the_floor_refusals_and_chats_are_counted_not_written_and_new_ids_refused() {
    // anna is known to the store from a class with room on the disk.
    let mut first = rig_with(|_| {});
    let anna = Uuid::new_v4();
    {
        let mut s = first.student(None);
        let h = header(anna, "anna", 1, json!({"id": Uuid::new_v4()}));
        s.send(Kind::Chat, &h, b"first", &first.stop).unwrap();
        first.expect("chat", |e| matches!(e, Event::Chat { .. }).then_some(()));
    }
    first.rx.take().unwrap().stop();
    let root = first.root();
    // Student folders only (the index, under .pracownia, is another matter).
    let student_dirs = || -> Vec<std::path::PathBuf> {
        let all = std::fs::read_dir(&root).unwrap().flatten();
        all.filter(|d| d.path().is_dir() && !d.file_name().to_string_lossy().starts_with('.'))
            .map(|d| d.path())
            .collect()
    };
    let journal_size = || -> u64 {
        let mut n = 0;
        for d in student_dirs() {
            if let Ok(entries) = std::fs::read_dir(d) {
                n += entries.flatten().map(|f| f.metadata().unwrap().len()).sum::<u64>();
            }
        }
        n
    };
    let folders = || student_dirs().len();
    let (size_before, folders_before) = (journal_size(), folders());

    // Now the disk is under the floor.
    let r = rig_with(|c| {
        c.store = root.clone();
        c.limits.free_disk_floor = u64::MAX / 2;
    });
    let mut s = r.student(None);
    let mut seq = 10;
    let mut next = || {
        seq += 1;
        seq
    };
    let data = blend(10_000);
    for _ in 0..50 {
        let mut h = chunk(anna, next(), Uuid::new_v4(), &data, 0, 1000);
        h["login"] = json!("anna");
        s.send(Kind::Chunk, &h, &data[..1000], &r.stop).unwrap();
    }
    s.send(Kind::Chat, &header(anna, "anna", next(), json!({"id": Uuid::new_v4()})), b"x", &r.stop).unwrap();
    let eve = Uuid::new_v4();
    s.send(Kind::Hello, &header(eve, "eve", 1, json!({})), b"", &r.stop).unwrap();
    let reason = r.expect("eve refused", |e| match e {
        Event::Rejected { student: Some(x), reason, .. } if *x == eve => Some(reason.clone()),
        Event::StudentJoined { student, .. } if *student == eve => panic!("eve got a folder"),
        _ => None,
    });
    assert_eq!(reason, "disk_full");
    let stats = r.rx().stats();
    assert_eq!(stats.rejected.get("disk_full"), Some(&52), "50 files, 1 chat, 1 new id: {:?}", stats.rejected);
    assert_eq!(stats.chats, 0);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(folders(), folders_before, "no folder for a new id");
    // anna's join may be journaled (one line); 51 refusals and a chat may not.
    let grown = journal_size() - size_before;
    assert!(grown < 400, "{grown} bytes written under the floor");
}

#[test]
fn a_chat_flood_from_one_id_is_rate_limited_and_another_ids_chat_is_stored() {
    let r = rig_with(|_| {});
    let mut s = r.student(None);
    let (flood, other) = (Uuid::new_v4(), Uuid::new_v4());
    let start = Instant::now();
    for seq in 1..=300 {
        let h = header(flood, "flood", seq, json!({"id": Uuid::new_v4()}));
        s.send(Kind::Chat, &h, b"spam", &r.stop).unwrap();
    }
    let mine = Uuid::new_v4();
    s.send(Kind::Chat, &header(other, "anna", 1, json!({"id": mine})), b"a real question", &r.stop).unwrap();
    let (mut stored, mut journaled) = (0u64, 0u64);
    r.expect("anna's chat", |e| match e {
        Event::Chat { id, .. } if *id == mine => Some(()),
        Event::Chat { student, .. } if *student == flood => {
            stored += 1;
            None
        }
        Event::Rejected { student: Some(x), reason, .. } if *x == flood && reason == "rate_limited" => {
            journaled += 1;
            None
        }
        _ => None,
    });
    let secs = start.elapsed().as_secs_f64();
    let limits = Limits::default();
    let allowed = |rate: crate::limits::Rate| (rate.burst + rate.per_second * secs).ceil() as u64;
    assert!(stored <= allowed(limits.chats_per_student), "{stored} chats stored in {secs:.2}s");
    assert!(stored >= limits.chats_per_student.burst as u64, "the burst passes: {stored}");
    assert!(journaled <= allowed(limits.refusals_journaled_per_student), "{journaled} refusals journaled");
    let refused = r.rx().stats().rejected.get("rate_limited").copied().unwrap_or(0);
    assert_eq!(refused + stored, 300, "every chat over the rate is counted");
}

#[test]
fn new_student_ids_are_rate_limited_for_the_whole_receiver() {
    let r = rig_with(|c| {
        ids_per_connection_unbounded(c);
        c.limits.new_students = crate::limits::Rate { per_second: 0.01, burst: 5.0 };
    });
    let mut s = r.student(None);
    let ids: Vec<Uuid> = (0..12).map(|_| Uuid::new_v4()).collect();
    for (i, id) in ids.iter().enumerate() {
        s.send(Kind::Hello, &header(*id, &format!("made-up-{i}"), 1, json!({})), b"", &r.stop).unwrap();
    }
    // A student admitted before the flood still gets through.
    let q = Uuid::new_v4();
    s.send(Kind::Chat, &header(ids[0], "made-up-0", 2, json!({"id": q})), b"still here", &r.stop).unwrap();
    let mut joined = 0;
    r.expect("the known student's chat", |e| match e {
        Event::Chat { id, .. } if *id == q => Some(()),
        Event::StudentJoined { .. } => {
            joined += 1;
            None
        }
        _ => None,
    });
    assert_eq!(joined, 5);
    assert_eq!(r.rx().stats().rejected.get("rate_limited"), Some(&7));
    let folders =
        std::fs::read_dir(r.root()).unwrap().flatten().filter(|d| !d.file_name().to_string_lossy().starts_with('.'));
    assert_eq!(folders.count(), 5, "no folder for a refused id");
}

#[test]
fn one_connection_making_up_ids_is_refused_past_its_budget_and_another_connections_student_gets_in() {
    // The receiver admits 5 new ids in all; one connection may bring 3 (the default).
    let r = rig_with(|c| c.limits.new_students = crate::limits::Rate { per_second: 0.0, burst: 5.0 });
    let per_conn = Limits::default().new_ids_per_connection.burst as u64;
    let mut flood = r.student(None);
    for i in 0..10 {
        flood.send(Kind::Hello, &header(Uuid::new_v4(), &format!("made-up-{i}"), 1, json!({})), b"", &r.stop).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = || r.rx().stats().rejected.get("too_many_ids").copied().unwrap_or(0);
    while refused() < 10 - per_conn {
        assert!(Instant::now() < deadline, "refused {} of 10", refused());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Without the budget per connection the flood would have spent all 5.
    let mut other = r.student(None);
    let (anna, q) = (Uuid::new_v4(), Uuid::new_v4());
    let start = Instant::now();
    other.send(Kind::Hello, &header(anna, "anna", 1, json!({})), b"", &r.stop).unwrap();
    other.send(Kind::Chat, &header(anna, "anna", 2, json!({"id": q})), b"Czy to dobrze?", &r.stop).unwrap();
    let mut joined = 0;
    r.expect("anna's chat", |e| match e {
        Event::Chat { id, .. } if *id == q => Some(()),
        Event::StudentJoined { .. } => {
            joined += 1;
            None
        }
        _ => None,
    });
    assert!(start.elapsed() < Duration::from_secs(1), "anna waited {:?}", start.elapsed());
    assert_eq!(joined, per_conn + 1, "the flood's first 3, then anna");
    let stats = r.rx().stats();
    assert_eq!(stats.rejected.get("too_many_ids"), Some(&(10 - per_conn)));
    assert_eq!(stats.rejected.get("rate_limited"), None, "the receiver's budget was not reached");
    // The flood's connection stays refused, however the ids are spelled.
    flood.send(Kind::Hello, &header(Uuid::new_v4(), "made-up-11", 1, json!({})), b"", &r.stop).unwrap();
    while refused() < 11 - per_conn {
        assert!(Instant::now() < deadline + Duration::from_secs(5), "the 11th id was not refused");
        std::thread::sleep(Duration::from_millis(20));
    }
    let folders =
        std::fs::read_dir(r.root()).unwrap().flatten().filter(|d| !d.file_name().to_string_lossy().starts_with('.'));
    assert_eq!(folders.count() as u64, per_conn + 1, "no folder for a refused id");
}
