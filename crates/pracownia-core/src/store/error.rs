//! Errors of the store and the index, worded for a lecturer.

use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in the store or its index.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("The store folder {} is not writable: {reason}", path.display())]
    NotWritable { path: PathBuf, reason: String },
    #[error("The store folder {} is already in use by another Pracownia receiver", path.display())]
    InUse { path: PathBuf },
    #[error("The store index could not be used: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("There is no index in {} yet; open the store once (or run reindex) to create it", path.display())]
    NoIndex { path: PathBuf },
    /// The process (EMFILE) or the system (ENFILE) has no file descriptor left: nothing is wrong
    /// with the file, and saying it is damaged would send a lecturer looking in the wrong place.
    #[error("Could not {action} {}: the receiver has run out of open files ({source}); the file itself is fine", path.display())]
    OutOfFiles {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("The file {} is damaged and could not be read: {detail}", path.display())]
    CorruptMetadata { path: PathBuf, detail: String },
    #[error("\"{ext}\" is not an accepted file extension for a {kind}")]
    BadExtension { ext: String, kind: &'static str },
    #[error("No student with id {0} is known to the store")]
    UnknownStudent(uuid::Uuid),
    /// A merge or split that cannot be done, in a sentence.
    #[error("Cannot do that: {0}")]
    Regroup(String),
    /// A caller's bug: `Outgoing` of a kind that is not a lecturer message.
    #[error("A {0} entry is not a lecturer message")]
    NotAMessage(crate::model::TimelineKind),
    #[error("The store folder could not be watched for changes: {0}")]
    Watch(#[from] notify::Error),
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl AsRef<Path>) -> impl FnOnce(io::Error) -> StoreError {
        let path = path.as_ref().to_path_buf();
        move |source| {
            if out_of_files(&source) {
                StoreError::OutOfFiles { action, path, source }
            } else {
                StoreError::Io { action, path, source }
            }
        }
    }
}

/// EMFILE or ENFILE (Windows: ERROR_TOO_MANY_OPEN_FILES).
pub fn out_of_files(e: &io::Error) -> bool {
    #[cfg(unix)]
    let codes = [24, 23]; // EMFILE, ENFILE: the same numbers on Linux, macOS and the BSDs
    #[cfg(not(unix))]
    let codes = [4];
    e.raw_os_error().is_some_and(|c| codes.contains(&c))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
