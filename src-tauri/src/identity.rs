//! Merging two students who are the same person and splitting a seat off one who is not (issue
//! 13), from the app: thin over `Store::merge_students`/`split_student`. Like erasing, they need
//! the store to themselves, so the receiver must be stopped.

use std::path::Path;

use pracownia_core::store::{Regrouped, Store};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{AppError, ErrorKind};

/// What a merge or split did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RegroupDone {
    /// The student who kept (merge) or gave up (split) the history.
    pub student: Uuid,
    /// The student merged away, or the new student split off.
    pub other: Uuid,
    pub other_login: String,
    #[ts(type = "number")]
    pub lines: u64,
    #[ts(type = "number")]
    pub files: u64,
}

impl From<Regrouped> for RegroupDone {
    fn from(r: Regrouped) -> Self {
        RegroupDone {
            student: r.student,
            other: r.other,
            other_login: r.other_login,
            lines: r.lines as u64,
            files: r.files as u64,
        }
    }
}

fn own_store(store: &Path, running: bool) -> Result<Store, AppError> {
    if running {
        return Err(AppError::new(ErrorKind::Running, "Stop receiving before merging or splitting students."));
    }
    Ok(Store::open(store)?)
}

/// Merge `from` into `into`: `from`'s files, timeline and seats become `into`'s.
pub fn merge(store: &Path, running: bool, into: Uuid, from: Uuid) -> Result<RegroupDone, AppError> {
    Ok(own_store(store, running)?.merge_students(into, from)?.into())
}

/// Split the seat `seat` (a wire id) off `student` into a student of its own.
pub fn split(store: &Path, running: bool, student: Uuid, seat: Uuid) -> Result<RegroupDone, AppError> {
    Ok(own_store(store, running)?.split_student(student, seat)?.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pracownia_core::store::Entry;

    #[test]
    fn merge_and_split_need_the_receiver_stopped_and_keep_every_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        let mut store = Store::open(&root).unwrap();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let sa = store.student(a, "ola").unwrap();
        let sb = store.student(b, "ola.n").unwrap();
        store.record(&sa, 1, Entry::Join).unwrap();
        store.record(&sb, 2, Entry::Join).unwrap();
        drop(store);
        assert_eq!(merge(&root, true, a, b).unwrap_err().kind, ErrorKind::Running);
        assert_eq!(merge(&root, false, a, a).unwrap_err().kind, ErrorKind::CannotRegroup);
        let done = merge(&root, false, a, b).unwrap();
        assert_eq!((done.student, done.other, done.other_login.as_str(), done.lines), (a, b, "ola.n", 1));
        let students = pracownia_core::index::IndexReader::open(&root).unwrap().students().unwrap();
        assert_eq!(students.len(), 1);
        let split_off = split(&root, false, a, b).unwrap();
        assert_eq!((split_off.other, split_off.lines), (b, 1));
        assert_eq!(split(&root, false, a, Uuid::new_v4()).unwrap_err().kind, ErrorKind::CannotRegroup);
        assert_eq!(merge(&root, false, a, Uuid::new_v4()).unwrap_err().kind, ErrorKind::UnknownStudent);
    }
}
