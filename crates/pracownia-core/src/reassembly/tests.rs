use super::*;
use proptest::prelude::*;

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 31 + 7) % 251) as u8).collect()
}

fn chunk(all: &[u8], transfer: Uuid, offset: usize, len: usize) -> Chunk<Vec<u8>> {
    Chunk {
        transfer,
        kind: FileKind::Blend,
        name: "a.blend".into(),
        size: all.len() as u64,
        sha256: hex::encode(Sha256::digest(all)),
        offset: offset as u64,
        index: 0,
        count: 1,
        body: all[offset..offset + len].to_vec(),
    }
}

fn plan(size: usize, cs: usize) -> Vec<(usize, usize)> {
    (0..size.div_ceil(cs)).map(|i| (i * cs, cs.min(size - i * cs))).collect()
}

#[test]
fn out_of_order_with_duplicates_reassembles() {
    let dir = tempfile::tempdir().unwrap();
    let all = data(10_000);
    let id = Uuid::new_v4();
    let mut parts = plan(all.len(), 1024);
    parts.reverse();
    parts.insert(2, parts[5]);
    let n = parts.len();
    let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &chunk(&all, id, 0, 1)).unwrap();
    for (i, (o, l)) in parts.into_iter().enumerate() {
        assert!(!t.is_complete());
        t.add(&chunk(&all, id, o, l)).unwrap();
        assert_eq!(t.is_complete(), i == n - 1);
    }
    assert!(t.is_complete());
    let path = t.finish().unwrap();
    assert_eq!(std::fs::read(path).unwrap(), all);
}

#[test]
fn only_new_bytes_keep_a_transfer_alive() {
    let dir = tempfile::tempdir().unwrap();
    let all = data(4096);
    let id = Uuid::new_v4();
    let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &chunk(&all, id, 0, 1024)).unwrap();
    t.add(&chunk(&all, id, 0, 1024)).unwrap();
    let grew = t.last_new_byte;
    std::thread::sleep(std::time::Duration::from_millis(20));
    t.add(&chunk(&all, id, 0, 1024)).unwrap();
    t.add(&chunk(&all, id, 512, 256)).unwrap();
    assert_eq!(t.last_new_byte, grew, "a re-sent chunk is not progress");
    t.add(&chunk(&all, id, 512, 1024)).unwrap();
    assert!(t.last_new_byte > grew, "bytes 1024..1536 are new");
}

#[test]
fn differing_overlap_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let all = data(4096);
    let id = Uuid::new_v4();
    let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &chunk(&all, id, 0, 1)).unwrap();
    t.add(&chunk(&all, id, 0, 2048)).unwrap();
    let mut bad = chunk(&all, id, 1000, 2000);
    bad.body[500] ^= 1;
    match t.add(&bad) {
        Err(ReassemblyError::Refused(r)) => assert_eq!(r.reason, Reason::Conflict),
        other => panic!("{other:?}"),
    }
    let mut other_size = chunk(&all, id, 0, 10);
    other_size.size += 1;
    assert!(matches!(t.add(&other_size), Err(ReassemblyError::Refused(r)) if r.reason == Reason::Conflict));
    let mut other_kind = chunk(&all, id, 0, 10);
    other_kind.kind = FileKind::Screenshot;
    assert!(matches!(t.add(&other_kind), Err(ReassemblyError::Refused(r)) if r.reason == Reason::Conflict));
}

#[test]
fn wrong_digest_is_corrupt_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let all = data(3000);
    let id = Uuid::new_v4();
    let mut c = chunk(&all, id, 0, 3000);
    c.sha256 = "0".repeat(64);
    let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &c).unwrap();
    t.add(&c).unwrap();
    match t.finish() {
        Err(ReassemblyError::Refused(r)) => assert_eq!(r.reason, Reason::Corrupt),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any order, any duplication, any chunking (even chunks that straddle others) gives back
    /// exactly the original bytes.
    #[test]
    fn any_order_and_duplication_reassembles_exactly(
        size in 1usize..20_000,
        cs in 1usize..4096,
        seed in any::<u64>(),
        dups in proptest::collection::vec((0usize..20_000, 1usize..3000), 0..10),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let all = data(size);
        let id = Uuid::new_v4();
        let mut parts = plan(size, cs);
        for (o, l) in dups {
            let o = o % size;
            parts.push((o, l.min(size - o)));
        }
        // A cheap deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..parts.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            parts.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &chunk(&all, id, 0, 1)).unwrap();
        for (o, l) in parts {
            t.add(&chunk(&all, id, o, l)).unwrap();
        }
        prop_assert!(t.is_complete());
        let path = t.finish().unwrap();
        prop_assert_eq!(std::fs::read(path).unwrap(), all);
    }
}

/// Hints cover the contiguous prefix once, in steps of at least WRITEBACK_STEP, never a byte
/// that has not arrived, and the file still reassembles exactly.
#[test]
fn writeback_hints_follow_the_contiguous_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let step = WRITEBACK_STEP as usize;
    let all = data(3 * step + 1000);
    let id = Uuid::new_v4();
    let cs = 1 << 20;
    let mut parts = plan(all.len(), cs);
    // The second chunk comes last: nothing past the first chunk is contiguous until then.
    let late = parts.remove(1);
    parts.push(late);
    let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &chunk(&all, id, 0, 1)).unwrap();
    let mut hints = Vec::new();
    for (i, (o, l)) in parts.iter().enumerate() {
        t.add(&chunk(&all, id, *o, *l)).unwrap();
        if let Some(h) = t.writeback_due() {
            hints.push((i, h.range()));
            h.start();
        }
    }
    if cfg!(target_os = "linux") {
        // One hint when the late chunk closes the gap, covering everything that arrived.
        assert_eq!(hints, vec![(parts.len() - 1, (0, all.len() as u64))]);
    } else {
        assert!(hints.is_empty());
    }
    assert_eq!(std::fs::read(t.finish().unwrap()).unwrap(), all);

    // In order: a hint each time another step has arrived, ranges back to back.
    let mut t = Transfer::create(dir.path(), Uuid::new_v4(), &chunk(&all, id, 0, 1)).unwrap();
    let mut ranges = Vec::new();
    for (o, l) in plan(all.len(), cs) {
        t.add(&chunk(&all, id, o, l)).unwrap();
        ranges.extend(t.writeback_due().map(|h| h.range()));
    }
    if cfg!(target_os = "linux") {
        let s = step as u64;
        assert_eq!(ranges, vec![(0, s), (s, 2 * s), (2 * s, 3 * s)]);
    }
    assert_eq!(std::fs::read(t.finish().unwrap()).unwrap(), all);
}
