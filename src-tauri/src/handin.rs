//! "Collect work" and "Export student" in the app: thin over `pracownia_core::handin`, with
//! progress as events and the result as one summary for the UI.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pracownia_core::handin::{self, CollectOptions, HandinError, Progress, RowStatus, Target};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::error::{AppError, ErrorKind};
use pracownia_core::store::{ErasePlan, Store};

/// The event carrying a long copy's progress.
pub const PROGRESS: &str = "pracownia://handin-progress";

/// How far a collect or export has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HandinProgress {
    #[ts(type = "number")]
    pub files_done: u64,
    #[ts(type = "number")]
    pub files_total: u64,
    #[ts(type = "number")]
    pub bytes_done: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
}

impl From<&Progress> for HandinProgress {
    fn from(p: &Progress) -> Self {
        HandinProgress {
            files_done: p.files_done,
            files_total: p.files_total,
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
        }
    }
}

/// What "Collect work" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CollectSummary {
    /// The folder or zip written.
    pub output: String,
    pub collected: u32,
    pub students: u32,
    /// Logins of students who had no .blend at that moment.
    pub no_file: Vec<String>,
    /// Logins of students whose every version failed its digest check.
    pub damaged: Vec<String>,
}

/// Outputs this app wrote: the only paths outside the store it will show in a file manager.
static WRITTEN: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn remember(p: &Path) {
    WRITTEN.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashSet::new).insert(p.to_path_buf());
}

pub fn was_written(p: &Path) -> bool {
    WRITTEN.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|s| s.contains(p))
}

pub fn collect(
    store: &Path,
    out: &Path,
    zip: bool,
    at: Option<i64>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<CollectSummary, AppError> {
    let target = if zip { Target::Zip(out.to_path_buf()) } else { Target::Folder(out.to_path_buf()) };
    let r = handin::collect(store, &target, &CollectOptions { at }, progress)?;
    remember(&r.output);
    let logins = |st: RowStatus| r.rows.iter().filter(|x| x.status == st).map(|x| x.login.clone()).collect();
    Ok(CollectSummary {
        output: r.output.to_string_lossy().into_owned(),
        collected: r.count(RowStatus::Collected) as u32,
        students: r.rows.len() as u32,
        no_file: logins(RowStatus::NoFile),
        damaged: logins(RowStatus::Damaged),
    })
}

pub fn export(
    store: &Path,
    student: Uuid,
    out: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<String, AppError> {
    let r = handin::export(store, student, &Target::Zip(out.to_path_buf()), progress)?;
    remember(&r.output);
    Ok(r.output.to_string_lossy().into_owned())
}

/// What erasing a student deletes, shown before the lecturer confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErasePreview {
    pub student: Uuid,
    pub login: String,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

impl From<ErasePlan> for ErasePreview {
    fn from(p: ErasePlan) -> Self {
        ErasePreview { student: p.id, login: p.login, files: p.files, bytes: p.bytes }
    }
}

/// Erasing needs the store to itself: a student could be sending while the receiver runs.
fn erasing_store(store: &Path, running: bool) -> Result<Store, AppError> {
    if running {
        return Err(AppError::new(
            ErrorKind::Running,
            "Stop receiving before erasing a student's data: they could be sending right now.",
        ));
    }
    Ok(Store::open(store)?)
}

pub fn erase_preview(store: &Path, running: bool, student: Uuid) -> Result<ErasePreview, AppError> {
    Ok(erasing_store(store, running)?.erase_plan(student)?.into())
}

pub fn erase(store: &Path, running: bool, student: Uuid) -> Result<ErasePreview, AppError> {
    Ok(erasing_store(store, running)?.erase_student(student)?.into())
}

impl From<HandinError> for AppError {
    fn from(e: HandinError) -> Self {
        match e {
            HandinError::Store(s) => s.into(),
            HandinError::FolderNotEmpty(ref p) | HandinError::FileExists(ref p) => {
                AppError::new(ErrorKind::Exists, e.to_string()).with("path", p.display())
            }
            HandinError::ChangedWhileCopying(ref p) => {
                AppError::new(ErrorKind::ChangedWhileCopying, e.to_string()).with("path", p.display())
            }
            HandinError::Io { ref path, .. }
            | HandinError::Zip { ref path, .. }
            | HandinError::CopyMismatch(ref path) => {
                AppError::new(ErrorKind::ExportFailed, e.to_string()).with("path", path.display())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pracownia_core::model::FileKind;
    use pracownia_core::store::FileMeta;
    use sha2::{Digest, Sha256};

    #[test]
    fn collect_summarises_and_remembers_its_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        let mut store = Store::open(&root).unwrap();
        let anna = store.student(Uuid::new_v4(), "anna").unwrap();
        store.student(Uuid::new_v4(), "bartek").unwrap();
        let staged = store.staging_dir().join("f");
        std::fs::write(&staged, b"blend").unwrap();
        let meta = FileMeta {
            size: 5,
            sha256: hex::encode(Sha256::digest(b"blend")),
            name: "a.blend".into(),
            transfer: Uuid::new_v4(),
        };
        store
            .place_file(
                &anna,
                chrono::Utc::now().timestamp_millis() - 1000,
                FileKind::Blend,
                &staged,
                "blend",
                None,
                meta,
            )
            .unwrap();
        let out = dir.path().join("work");
        let mut calls = 0;
        let s = collect(&root, &out, false, None, &mut |_| calls += 1).unwrap();
        assert_eq!(
            (s.collected, s.students, s.no_file.clone(), s.damaged.len()),
            (1, 2, vec!["bartek".to_string()], 0)
        );
        assert!(calls >= 2 && out.join("anna.blend").is_file() && was_written(&out));
        let again = collect(&root, &out, false, None, &mut |_| {}).unwrap_err();
        assert_eq!(again.kind, ErrorKind::Exists);
        assert!(!was_written(&dir.path().join("elsewhere")));

        drop(store);
        assert_eq!(erase_preview(&root, true, anna.id).unwrap_err().kind, ErrorKind::Running);
        let preview = erase_preview(&root, false, anna.id).unwrap();
        assert_eq!((preview.login.as_str(), preview.files >= 2), ("anna", true));
        assert_eq!(erase(&root, false, anna.id).unwrap(), preview);
        assert!(!anna.dir.exists());
        assert_eq!(erase(&root, false, anna.id).unwrap_err().kind, ErrorKind::UnknownStudent);
    }
}
