//! Store tests: real files in temp dirs, real SQLite.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::journal::{self, JournalEntry, JournalLine, JOURNAL_FILE};
use super::meta::{read_student_json, ReadJson, StudentJson};
use super::*;
use crate::model::{EntryBody, StudentSummary, TimelineEntry, TimelineKind};

mod regroup;
mod sessions;
mod students;
mod sync;
mod watch_scale;

pub(super) const T0: i64 = 1_795_596_498_123; // 2026-11-25T08:48:18.123Z

pub(super) fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x1234_5678_0000_0000_0000_0000_0000_0000 | n)
}

pub(super) fn stage(store: &Store, name: &str, data: &[u8]) -> PathBuf {
    let p = store.staging_dir().join(name);
    fs::write(&p, data).unwrap();
    p
}

pub(super) fn meta(data: &[u8], name: &str) -> FileMeta {
    FileMeta {
        size: data.len() as u64,
        sha256: hex::encode(Sha256::digest(data)),
        name: name.into(),
        transfer: Uuid::new_v4(),
    }
}

pub(super) fn place_png(store: &mut Store, s: &StudentRef, at: i64, data: &[u8], thumb: bool) -> StoredFile {
    let f = stage(store, "shot.part", data);
    let t = thumb.then(|| stage(store, "thumb.part", b"jpegthumb"));
    store.place_file(s, at, FileKind::Screenshot, &f, "png", t.as_deref(), meta(data, "Screenshot 1.png")).unwrap()
}

pub(super) fn chat(store: &mut Store, s: &StudentRef, at: i64, text: &str) -> Uuid {
    let cid = Uuid::new_v4();
    assert!(store.record(s, at, Entry::Chat { id: cid, text: text.into(), sent_ts: at - 3 }).unwrap());
    cid
}

pub(super) fn all_events(r: &IndexReader, student: Option<Uuid>) -> Vec<TimelineEntry> {
    r.timeline(student, None, 1_000_000).unwrap()
}

/// Everything a reader sees, with row ids blanked (they change on reindex).
pub(super) fn snapshot(store: &Store) -> (Vec<StudentSummary>, Vec<TimelineEntry>) {
    let mut ev = all_events(store.reader(), None);
    ev.iter_mut().for_each(|e| e.id = 0);
    (store.reader().students().unwrap(), ev)
}

pub(super) fn journal_lines(dir: &Path) -> Vec<JournalLine> {
    journal::read_from(&dir.join(JOURNAL_FILE), 0).unwrap().lines.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn layout_and_atomic_placement() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open(tmp.path().join("store")).unwrap();
    let root = store.root().to_path_buf();
    assert!(root.join(".pracownia/index.sqlite").is_file());
    let s = store.student(id(1), "Ala Kowalska").unwrap();
    assert_eq!(s.folder, "Ala_Kowalska-12345678");
    assert_eq!(s.dir, root.join(&s.folder));
    let sj: StudentJson = serde_json::from_slice(&fs::read(s.dir.join("student.json")).unwrap()).unwrap();
    assert_eq!((sj.id, sj.login.as_str()), (id(1), "Ala Kowalska"));

    let f = place_png(&mut store, &s, T0, b"png-one", true);
    assert_eq!(f.path, "Ala_Kowalska-12345678/screenshots/2026-11-25T08-48-18.123Z.png");
    assert_eq!(f.thumb.as_deref(), Some("Ala_Kowalska-12345678/screenshots/thumbs/2026-11-25T08-48-18.123Z.jpg"));
    assert_eq!(f.abs_path, root.join(&f.path));
    assert_eq!(fs::read(&f.abs_path).unwrap(), b"png-one");
    assert_eq!(fs::read(root.join(f.thumb.as_ref().unwrap())).unwrap(), b"jpegthumb");
    // Same millisecond: a suffix before the extension.
    let g = place_png(&mut store, &s, T0, b"png-two", false);
    assert_eq!(g.path, "Ala_Kowalska-12345678/screenshots/2026-11-25T08-48-18.123Z-1.png");
    assert_eq!(g.thumb, None);
    let data = b"BLENDER-v300";
    let st = stage(&store, "b.part", data);
    let b = store.place_file(&s, T0 + 5, FileKind::Blend, &st, "blend", None, meta(data, "../../evil.blend")).unwrap();
    assert_eq!(b.path, "Ala_Kowalska-12345678/blends/2026-11-25T08-48-18.128Z.blend");
    // Staging is left empty, nothing half-written is visible.
    assert_eq!(fs::read_dir(store.staging_dir()).unwrap().count(), 0);
    let names = |p: &Path| {
        let mut v: Vec<String> =
            fs::read_dir(p).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&s.dir), ["blends", "journal.jsonl", "screenshots", "student.json"]);
    assert_eq!(names(&s.dir.join("screenshots")).len(), 3);

    let st = stage(&store, "x.part", b"x");
    let err = store.place_file(&s, T0, FileKind::Screenshot, &st, "exe", None, meta(b"x", "x")).unwrap_err();
    assert!(matches!(err, StoreError::BadExtension { .. }), "{err}");

    let lines = journal_lines(&s.dir);
    assert_eq!(lines.len(), 3);
    let journal::JournalEntry::Screenshot(first) = &lines[0].entry else { panic!("{:?}", lines[0]) };
    assert_eq!(first.file, "screenshots/2026-11-25T08-48-18.123Z.png");
    assert_eq!(first.thumb.as_deref(), Some("screenshots/thumbs/2026-11-25T08-48-18.123Z.jpg"));
    assert_eq!(first.name.as_deref(), Some("Screenshot 1.png"));
    assert_eq!(first.sha256, Some(meta(b"png-one", "").sha256));

    let ev = all_events(store.reader(), Some(id(1)));
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[0].kind(), TimelineKind::Screenshot);
    assert_eq!(ev[0].file().unwrap().path, f.path);
    assert_eq!(ev[0].file().unwrap().size, Some(7));
    assert_eq!(ev[2].kind(), TimelineKind::Blend);
    assert_eq!(ev[2].file().unwrap().name.as_deref(), Some("../../evil.blend"));
    let sum = &store.reader().students().unwrap()[0];
    assert_eq!((sum.screenshots, sum.blends, sum.chats), (2, 1, 0));
    assert_eq!(sum.latest_screenshot.as_deref(), Some(g.path.as_str()));
    assert_eq!(sum.latest_thumb, None);
    assert_eq!(sum.latest_screenshot_at, Some(T0), "when the latest screenshot arrived, not the .blend");
    assert_eq!(sum.latest_blend_at, Some(T0 + 5));
    assert_eq!(sum.last_seen, T0 + 5);
    // A newer screenshot moves it on.
    let h = place_png(&mut store, &s, T0 + 60_000, b"png-three", true);
    let sum = &store.reader().students().unwrap()[0];
    assert_eq!(
        (sum.latest_screenshot.as_deref(), sum.latest_screenshot_at),
        (Some(h.path.as_str()), Some(T0 + 60_000))
    );
}

#[test]
fn open_errors_are_plain_sentences() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plainfile");
    fs::write(&file, b"x").unwrap();
    let err = Store::open(file.join("store")).err().unwrap();
    assert!(matches!(err, StoreError::NotWritable { .. }));
    assert!(
        err.to_string().starts_with(&format!("The store folder {} is not writable: ", file.join("store").display())),
        "{err}"
    );

    let store = Store::open(tmp.path().join("s")).unwrap();
    let err = Store::open(tmp.path().join("s")).err().unwrap();
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    drop(store);
    assert!(IndexReader::open(&tmp.path().join("none")).is_err());
}

#[test]
fn open_empties_staging() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    fs::write(store.staging_dir().join("left.part"), b"half").unwrap();
    fs::create_dir(store.staging_dir().join("sub")).unwrap();
    drop(store);
    let store = Store::open(tmp.path()).unwrap();
    assert!(store.staging_dir().is_dir());
    assert_eq!(fs::read_dir(store.staging_dir()).unwrap().count(), 0);
}
