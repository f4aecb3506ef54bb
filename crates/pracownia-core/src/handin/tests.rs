//! Collect, export and erase on a real store in a temp folder (real files, real SQLite, real zip).

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::*;
use crate::model::{FileKind, TimelineKind};
use crate::store::{Entry, FileMeta, Outgoing, Store, StudentRef};

const T0: i64 = 1_795_596_498_123; // 2026-11-25T08:48:18.123Z

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0xabcd_0000_0000_0000_0000_0000_0000_0000 | n)
}

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn place(store: &mut Store, s: &StudentRef, at: i64, kind: FileKind, data: &[u8]) -> PathBuf {
    let staged = store.staging_dir().join("f.part");
    fs::write(&staged, data).unwrap();
    let ext = if kind == FileKind::Blend { "blend" } else { "png" };
    let meta =
        FileMeta { size: data.len() as u64, sha256: sha(data), name: format!("x.{ext}"), transfer: Uuid::new_v4() };
    store.place_file(s, at, kind, &staged, ext, None, meta).unwrap().abs_path
}

/// anna: two versions (T0+1 s, T0+10 s); bartek: one (T0+5 s); cezary: none.
fn class(root: &Path) -> (Store, [StudentRef; 3]) {
    let mut store = Store::open(root).unwrap();
    let anna = store.student(id(1), "anna").unwrap();
    let bartek = store.student(id(2), "bartek").unwrap();
    let cezary = store.student(id(3), "cezary").unwrap();
    for s in [&anna, &bartek, &cezary] {
        store.record(s, T0, Entry::Join).unwrap();
    }
    place(&mut store, &anna, T0 + 1_000, FileKind::Blend, b"anna v1");
    place(&mut store, &bartek, T0 + 5_000, FileKind::Blend, b"bartek v1");
    place(&mut store, &anna, T0 + 10_000, FileKind::Blend, b"anna v2, longer");
    (store, [anna, bartek, cezary])
}

/// Every file under `root` with its bytes: to prove a copy changed nothing.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().map(|e| e.unwrap()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.to_string_lossy().contains("index.sqlite") {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn zip_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

fn no_progress(_: &Progress) {}

#[test]
fn collects_the_latest_version_at_a_moment_with_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = class(&dir.path().join("store"));
    let before = tree(store.root());
    let out = dir.path().join("out");
    let mut seen = Vec::new();
    let r = collect(store.root(), &Target::Folder(out.clone()), &CollectOptions { at: Some(T0 + 6_000) }, &mut |p| {
        seen.push(p.clone())
    })
    .unwrap();
    assert_eq!(fs::read(out.join("anna.blend")).unwrap(), b"anna v1", "the version before the moment");
    assert_eq!(fs::read(out.join("bartek.blend")).unwrap(), b"bartek v1");
    assert!(!out.join("cezary.blend").exists());
    assert_eq!((r.count(RowStatus::Collected), r.count(RowStatus::NoFile)), (2, 1));
    let last = seen.last().unwrap();
    assert_eq!((last.files_done, last.files_total, last.bytes_done), (2, 2, 16));

    let csv = fs::read_to_string(out.join("manifest.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].starts_with("\"anna\",\"abcd0000-") && lines[1].contains(&sha(b"anna v1")), "{csv}");
    assert!(lines[1].contains("\"2026-11-25T08:48:19.123Z\""), "{csv}");
    assert!(lines[3].starts_with("\"cezary\"") && lines[3].contains("\"no_file\""), "{csv}");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(json["students"][1]["size"], 9);
    assert_eq!(json["students"][2]["status"], "no_file");

    // Now (the default moment): anna's newest version.
    let now =
        collect(store.root(), &Target::Folder(dir.path().join("now")), &CollectOptions::default(), &mut no_progress);
    assert_eq!(now.unwrap().rows[0].size, Some(15));
    assert_eq!(fs::read(dir.path().join("now/anna.blend")).unwrap(), b"anna v2, longer");
    assert_eq!(tree(store.root()), before, "collecting never changes the store");
}

#[test]
fn shared_logins_get_distinct_names_and_students_who_came_later_are_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("store")).unwrap();
    let a = store.student(id(1), "Anna").unwrap();
    let b = store.student(id(2), "anna").unwrap();
    place(&mut store, &a, T0, FileKind::Blend, b"one");
    place(&mut store, &b, T0, FileKind::Blend, b"two");
    let out = dir.path().join("out");
    let r = collect(store.root(), &Target::Folder(out.clone()), &CollectOptions::default(), &mut no_progress).unwrap();
    let names: Vec<_> = r.rows.iter().map(|r| r.file.clone().unwrap()).collect();
    assert_eq!(names.len(), 2);
    assert_ne!(names[0].to_lowercase(), names[1].to_lowercase(), "{names:?}");
    for (row, data) in r.rows.iter().zip([&b"one"[..], b"two"]) {
        let content = fs::read(out.join(row.file.as_ref().unwrap())).unwrap();
        assert_eq!(content, if row.student_id == id(1) { b"one".to_vec() } else { b"two".to_vec() }, "{data:?}");
    }
    let before =
        collect(store.root(), &Target::Folder(dir.path().join("x")), &CollectOptions { at: Some(0) }, &mut no_progress);
    assert!(before.unwrap().rows.is_empty(), "nobody had joined at the epoch");
}

#[test]
fn a_damaged_newest_version_falls_back_to_the_last_verified_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, [anna, bartek, _]) = class(&dir.path().join("store"));
    let newest = place(&mut store, &anna, T0 + 20_000, FileKind::Blend, b"anna v3");
    fs::write(&newest, b"anna v3 but flipped").unwrap();
    let bartek_only = store.reader().files_until(bartek.id, FileKind::Blend, i64::MAX, 5).unwrap();
    fs::write(store.root().join(&bartek_only[0].file().unwrap().path), b"garbage").unwrap();
    let out = dir.path().join("out.zip");
    let r = collect(store.root(), &Target::Zip(out.clone()), &CollectOptions::default(), &mut no_progress).unwrap();
    assert_eq!((r.rows[0].status, r.rows[0].damaged_newer), (RowStatus::Collected, 1));
    assert_eq!((r.rows[1].status, r.rows[1].file.as_deref()), (RowStatus::Damaged, None));
    let z = zip_entries(&out);
    assert_eq!(z["anna.blend"], b"anna v2, longer");
    assert!(!z.contains_key("bartek.blend"));
    assert!(String::from_utf8_lossy(&z["manifest.csv"]).contains("\"damaged\""));
}

#[test]
fn refuses_an_existing_zip_or_a_folder_with_files_and_leaves_them_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = class(&dir.path().join("store"));
    let zip = dir.path().join("work.zip");
    fs::write(&zip, b"the lecturer's own file").unwrap();
    let e = collect(store.root(), &Target::Zip(zip.clone()), &CollectOptions::default(), &mut no_progress);
    assert!(matches!(e, Err(HandinError::FileExists(_))), "{e:?}");
    assert_eq!(fs::read(&zip).unwrap(), b"the lecturer's own file");
    let folder = dir.path().join("full");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("notes.txt"), b"keep").unwrap();
    let e = collect(store.root(), &Target::Folder(folder.clone()), &CollectOptions::default(), &mut no_progress);
    assert!(matches!(e, Err(HandinError::FolderNotEmpty(_))), "{e:?}");
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 1);
    // An empty folder the lecturer made for it is fine.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    collect(store.root(), &Target::Folder(empty.clone()), &CollectOptions::default(), &mut no_progress).unwrap();
    assert!(empty.join("anna.blend").is_file());
    let partials: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partials.is_empty());
}

#[test]
fn export_holds_every_file_and_an_escaped_transcript_of_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, [anna, ..]) = class(&dir.path().join("store"));
    place(&mut store, &anna, T0 + 2_000, FileKind::Screenshot, b"\x89PNG fake");
    let chat = Entry::Chat { id: Uuid::new_v4(), text: "<script>alert(1)</script> *help*".into(), sent_ts: T0 };
    store.record(&anna, T0 + 3_000, chat).unwrap();
    let reply = Outgoing { kind: TimelineKind::Reply, id: Uuid::new_v4(), text: Some("Coming".into()), what: None };
    store.record_outgoing(&anna, T0 + 4_000, &reply).unwrap();
    store.record(&anna, T0 + 4_500, Entry::Hand { raised: true }).unwrap();
    let before = tree(store.root());
    let out = dir.path().join("anna.zip");
    let r = export(store.root(), anna.id, &Target::Zip(out.clone()), &mut no_progress).unwrap();
    assert_eq!((r.blends, r.screenshots, r.chats, r.damaged), (2, 1, 1, 0));
    let z = zip_entries(&out);
    let blends: Vec<_> = z.keys().filter(|k| k.starts_with("blend/")).collect();
    assert_eq!(blends.len(), 2, "{:?}", z.keys());
    assert!(z.keys().any(|k| k.starts_with("screenshots/") && z[k] == b"\x89PNG fake"));
    let md = String::from_utf8(z["transcript.md"].clone()).unwrap();
    assert!(md.contains("**anna:** &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*help\\*"), "{md}");
    assert!(md.contains("**Lecturer:** Coming"), "{md}");
    assert!(md.contains("anna raised a hand"), "{md}");
    assert!(md.find("anna joined").unwrap() < md.find("Lecturer:").unwrap(), "in time order: {md}");
    let m: serde_json::Value = serde_json::from_slice(&z["manifest.json"]).unwrap();
    assert_eq!(m["files"].as_array().unwrap().len(), 3);
    assert_eq!(tree(store.root()), before, "exporting never changes the store");
    let unknown = export(store.root(), id(99), &Target::Zip(dir.path().join("x.zip")), &mut no_progress);
    assert!(unknown.is_err());
    assert!(!dir.path().join("x.zip").exists() && !dir.path().join("x.zip.partial").exists());
}

#[test]
fn erase_removes_one_student_entirely_and_they_start_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let (mut store, [anna, bartek, _]) = class(&root);
    let plan = store.erase_plan(anna.id).unwrap();
    assert_eq!((plan.login.as_str(), plan.files >= 3, plan.bytes > 20), ("anna", true, true), "{plan:?}");
    assert_eq!(store.erase_student(anna.id).unwrap(), plan);
    assert!(!anna.dir.exists());
    assert!(store.reader().timeline(Some(anna.id), None, 100).unwrap().is_empty());
    let ids: Vec<Uuid> = store.reader().students().unwrap().iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![bartek.id, id(3)]);
    let after = store.reader().timeline(None, None, 1000).unwrap().len();
    let report = store.reindex().unwrap();
    assert_eq!((report.students, report.events), (2, after), "the index agrees with the folder");
    // The same student connecting again: a new, empty history.
    let again = store.student(anna.id, "anna").unwrap();
    assert!(store.reader().timeline(Some(again.id), None, 100).unwrap().is_empty());
    assert!(bartek.dir.join("student.json").is_file(), "others untouched");
    assert_eq!(store.erase_all().unwrap().len(), 3);
    assert!(store.reader().students().unwrap().is_empty());
}

#[test]
fn an_erase_interrupted_after_the_move_is_finished_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let (store, [anna, bartek, _]) = class(&root);
    drop(store);
    // What a crash right after the first step leaves: the folder moved away, its rows still there.
    let erasing = root.join(".pracownia/erasing");
    fs::create_dir_all(&erasing).unwrap();
    fs::rename(&anna.dir, erasing.join("x")).unwrap();
    let store = Store::open(&root).unwrap();
    assert!(!erasing.exists());
    let ids: Vec<Uuid> = store.reader().students().unwrap().iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![bartek.id, id(3)]);
    assert!(store.reader().timeline(Some(anna.id), None, 100).unwrap().is_empty());
}
