//! Index queries on a real store in a temp folder (real files, real SQLite).

use crate::model::FileKind;
use crate::store::{Entry, FileMeta, Store, StudentRef};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const T0: i64 = 1_795_596_498_123;

fn shot(store: &mut Store, s: &StudentRef, at: i64, data: &[u8]) -> String {
    let staged = store.staging_dir().join("f.part");
    std::fs::write(&staged, data).unwrap();
    let meta = FileMeta {
        size: data.len() as u64,
        sha256: hex::encode(Sha256::digest(data)),
        name: "s.png".into(),
        transfer: Uuid::new_v4(),
    };
    let placed = store.place_file(s, at, FileKind::Screenshot, &staged, "png", None, meta).unwrap();
    placed.abs_path.strip_prefix(store.root()).unwrap().to_string_lossy().replace('\\', "/")
}

#[test]
fn screenshots_at_a_moment_are_each_students_newest_until_then() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let zosia = store.student(Uuid::from_u128(1), "zosia").unwrap();
    let anna = store.student(Uuid::from_u128(2), "Anna").unwrap();
    let cezary = store.student(Uuid::from_u128(3), "cezary").unwrap();
    for s in [&zosia, &anna, &cezary] {
        store.record(s, T0, Entry::Join).unwrap();
    }
    let a1 = shot(&mut store, &anna, T0 + 1_000, b"a1");
    let a2 = shot(&mut store, &anna, T0 + 60_000, b"a2");
    let z1 = shot(&mut store, &zosia, T0 + 30_000, b"z1");
    // A .blend at the moment is not a screenshot.
    let staged = store.staging_dir().join("b.part");
    std::fs::write(&staged, b"BLENDER-v300").unwrap();
    let meta = FileMeta {
        size: 12,
        sha256: hex::encode(Sha256::digest(b"BLENDER-v300")),
        name: "b.blend".into(),
        transfer: Uuid::new_v4(),
    };
    store.place_file(&cezary, T0 + 20_000, FileKind::Blend, &staged, "blend", None, meta).unwrap();
    let reader = store.reader();
    let at = |t: i64| -> Vec<(String, String)> {
        reader
            .screenshots_at(t)
            .unwrap()
            .into_iter()
            .map(|e| (e.login.clone(), e.file().unwrap().path.clone()))
            .collect()
    };
    assert_eq!(at(T0), vec![]);
    assert_eq!(at(T0 + 1_000), vec![("Anna".into(), a1.clone())]);
    // At 40 s: Anna's first and Zosia's; by login, case-insensitive; Cezary has none.
    assert_eq!(at(T0 + 40_000), vec![("Anna".into(), a1), ("zosia".into(), z1.clone())]);
    assert_eq!(at(i64::MAX), vec![("Anna".into(), a2), ("zosia".into(), z1)]);
}
