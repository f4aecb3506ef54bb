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

#[test]
fn open_transfers_are_bounded_for_the_whole_receiver_not_per_id() {
    let r = rig_with(|c| c.limits.max_open_transfers = 3);
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
