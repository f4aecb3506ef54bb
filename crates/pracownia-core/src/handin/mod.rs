//! Handing in: every student's latest verified .blend gathered in one place (`collect`), one
//! student's everything in one zip (`export`). Both copy and verify each file against the digest
//! the receiver recorded, report progress, and never change the store.

use std::path::{Path, PathBuf};

use crate::store::StoreError;

mod collect;
mod export;
mod manifest;
mod sink;
mod transcript;

pub use collect::{collect, CollectOptions, CollectReport};
pub use export::{export, ExportReport};
pub use manifest::{ManifestRow, RowStatus};
pub use sink::Target;

/// What went wrong while handing in, worded for a lecturer.
#[derive(Debug, thiserror::Error)]
pub enum HandinError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} already exists and is not empty; choose a new or empty folder", .0.display())]
    FolderNotEmpty(PathBuf),
    #[error("{} already exists; choose another file name", .0.display())]
    FileExists(PathBuf),
    #[error("The zip file {} could not be written: {detail}", path.display())]
    Zip { path: PathBuf, detail: String },
    #[error("{} changed while it was being copied; try again", .0.display())]
    ChangedWhileCopying(PathBuf),
    #[error("The copy of {} does not match the original", .0.display())]
    CopyMismatch(PathBuf),
}

impl HandinError {
    pub(crate) fn io(action: &'static str, path: impl AsRef<Path>) -> impl FnOnce(std::io::Error) -> HandinError {
        let path = path.as_ref().to_path_buf();
        move |source| HandinError::Io { action, path, source }
    }
}

pub type Result<T, E = HandinError> = std::result::Result<T, E>;

/// How far a long copy has got: files and bytes done of the total.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

#[cfg(test)]
mod tests;
