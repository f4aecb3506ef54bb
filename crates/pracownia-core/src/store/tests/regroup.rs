//! Merge and split (issue 13): no file lost, nothing twice, `reindex` agrees, and a crash at any
//! step is finished by the next `Store::open`.

use super::*;
use crate::store::regroup;

fn seat_ref(s: &StudentRef, wire: Uuid) -> StudentRef {
    StudentRef { wire, ..s.clone() }
}

/// Every file event of `student`: (path, sha256), checking each file is there with that digest.
fn files(store: &Store, student: Uuid) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = all_events(store.reader(), Some(student))
        .into_iter()
        .filter_map(|e| e.file().and_then(|f| Some((f.path.clone(), f.sha256.clone()?))))
        .collect();
    for (p, sha) in &out {
        let (got, _) = sha256_file(&store.root().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(&got, sha, "{p}");
    }
    out.sort();
    out
}

fn chats(store: &Store, student: Uuid) -> Vec<String> {
    all_events(store.reader(), Some(student))
        .into_iter()
        .filter(|e| e.kind() == TimelineKind::Chat)
        .filter_map(|e| e.text().map(str::to_string))
        .collect()
}

/// anna (id 1) and anna.k (id 2), each with a screenshot at the same moment (same file name).
fn two_annas(store: &mut Store) -> (StudentRef, StudentRef) {
    let a = store.student(id(1), "anna").unwrap();
    let b = store.student(id(2), "anna.k").unwrap();
    chat(store, &a, T0, "a1");
    place_png(store, &a, T0 + 10, b"png of a", true);
    chat(store, &b, T0 + 5, "b1");
    place_png(store, &b, T0 + 10, b"png of b", true);
    (a, b)
}

fn reopened(dir: &Path) -> Store {
    Store::open(dir).unwrap()
}

#[test]
fn merge_keeps_every_file_and_line_and_the_merged_id_leads_to_the_student() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let (a, b) = two_annas(&mut store);
    let b_folder = b.dir.clone();
    let done = store.merge_students(a.id, b.id).unwrap();
    assert_eq!((done.lines, done.files), (2, 2));
    assert!(!b_folder.exists());
    let students = store.reader().students().unwrap();
    assert_eq!(students.len(), 1);
    let f = files(&store, a.id);
    assert_eq!(f.len(), 2, "{f:?}");
    assert_ne!(f[0].0, f[1].0, "the second file of the same moment got another name");
    assert_eq!(chats(&store, a.id), vec!["a1", "b1"]);
    let wires: Vec<Uuid> = students[0].seats.iter().map(|s| s.wire).collect();
    assert!(wires.contains(&a.id) && wires.contains(&b.id), "{wires:?}");
    // B's add-on comes back: its messages go to A.
    let r = store.resolve(b.id, "anna.k", &|_| None).unwrap();
    assert_eq!((r.student.id, r.student.wire), (a.id, b.id));
    let before = snapshot(&store);
    store.reindex().unwrap();
    assert_eq!(snapshot(&store), before, "reindex keeps the merge");
}

#[test]
fn a_merge_interrupted_at_any_point_is_finished_by_the_next_open() {
    // Crash right after B left the store.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let (a, b) = two_annas(&mut store);
    store.begin_merge(a.id, b.id).unwrap();
    drop(store);
    let store = reopened(dir.path());
    assert_eq!(store.reader().students().unwrap().len(), 1);
    assert_eq!(files(&store, a.id).len(), 2);
    assert_eq!(chats(&store, a.id), vec!["a1", "b1"]);
    drop(store);

    // Crash after every step but dropping the plan: doing it again adds nothing twice.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let (a, b) = two_annas(&mut store);
    let op = store.begin_merge(a.id, b.id).unwrap();
    regroup::redo(store.root(), &op).unwrap();
    drop(store);
    let store = reopened(dir.path());
    assert!(!op.exists());
    assert_eq!(files(&store, a.id).len(), 2);
    assert_eq!(chats(&store, a.id), vec!["a1", "b1"]);
    let lines = journal::read_from(&a.dir.join(JOURNAL_FILE), 0).unwrap().lines;
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(!dir.path().join(META_DIR).join("regroup").read_dir().unwrap().any(|_| true));
}

/// anna (id 1) on her own seat, then from wire 9 (an alias: the same login, another seat).
fn anna_on_two_seats(store: &mut Store) -> StudentRef {
    let a = store.student(id(1), "anna").unwrap();
    chat(store, &a, T0, "from seat 1");
    place_png(store, &a, T0 + 1, b"seat 1 png", true);
    let r = store.resolve(id(9), "anna", &|_| None).unwrap();
    assert!(r.aliased);
    let via9 = seat_ref(&a, id(9));
    chat(store, &via9, T0 + 2, "from seat 9");
    place_png(store, &via9, T0 + 3, b"seat 9 png", true);
    a
}

#[test]
fn split_moves_the_seat_s_lines_and_files_to_a_student_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let a = anna_on_two_seats(&mut store);
    let all_files: Vec<String> = files(&store, a.id).into_iter().map(|(_, s)| s).collect();
    let done = store.split_student(a.id, id(9)).unwrap();
    assert_eq!((done.other, done.lines, done.files), (id(9), 2, 2), "{done:?}");
    assert_eq!(chats(&store, a.id), vec!["from seat 1"]);
    assert_eq!(chats(&store, id(9)), vec!["from seat 9"]);
    let mut moved: Vec<String> = files(&store, a.id).into_iter().chain(files(&store, id(9))).map(|(_, s)| s).collect();
    moved.sort();
    let mut want = all_files.clone();
    want.sort();
    assert_eq!(moved, want, "no file lost");
    assert_eq!(files(&store, id(9)).len(), 1);
    // That seat's next message goes to the new student.
    assert_eq!(store.resolve(id(9), "anna", &|_| None).unwrap().student.id, id(9));
    assert_eq!(store.resolve(id(1), "anna", &|_| None).unwrap().student.id, id(1));
    let before = snapshot(&store);
    store.reindex().unwrap();
    assert_eq!(snapshot(&store), before, "reindex keeps the split");
    assert!(store.split_student(a.id, id(1)).is_err(), "the only seat left cannot be split off");
}

#[test]
fn a_split_interrupted_after_its_steps_is_finished_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let a = anna_on_two_seats(&mut store);
    let op = store.begin_split(a.id, id(9)).unwrap();
    regroup::redo(store.root(), &op).unwrap();
    drop(store);
    let store = reopened(dir.path());
    assert_eq!(chats(&store, a.id), vec!["from seat 1"]);
    assert_eq!(chats(&store, id(9)), vec!["from seat 9"]);
    assert_eq!(files(&store, a.id).len() + files(&store, id(9)).len(), 2);
    assert!(!op.exists());
}
