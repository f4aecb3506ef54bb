//! The on-disk store: one folder per student; the folder is the truth and
//! the SQLite index is derived from it (see `scan` for the reconciliation).

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::index::{self, queries, schema};
use crate::model::FileKind;

mod collect;
mod erase;
pub mod error;
mod fsutil;
mod identity;
pub mod journal;
mod lecturer;
mod meta;
mod record;
mod regroup;
mod retention;
pub mod sanitize;
mod scan;
mod students;
pub mod watch;

pub use crate::index::IndexReader;
pub use erase::ErasePlan;
pub use error::StoreError;
pub use fsutil::{ms_to_rfc3339, parse_stamp, sha256_file, stamp, sync_dir, write_atomic};
pub use identity::{derived_id, Resolved};
pub use lecturer::Outgoing;
pub use regroup::Regrouped;
pub use retention::{Retention, ThinReport};
pub use scan::ReindexReport;
pub use watch::{watch, WatchHandle};

use error::Result;

pub const META_DIR: &str = ".pracownia";
pub(crate) const STUDENT_FILE: &str = "student.json";
pub(crate) const READ_FILE: &str = "read.json";

/// A student known to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentRef {
    pub id: Uuid,
    pub login: String,
    /// Absolute path of the student folder.
    pub dir: PathBuf,
    /// Folder name under the store root.
    pub folder: String,
    /// The wire `student` id this student's message came by (the student's own id unless an
    /// alias or a derived id resolved it, see `identity`). Lecturer messages go to this id.
    pub wire: Uuid,
}

impl StudentRef {
    /// The wire id to write on a journal line: only when it is not the student's own id.
    pub(crate) fn came_by(&self) -> Option<Uuid> {
        (self.wire != self.id).then_some(self.wire)
    }
}

/// Why a student left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum LeaveReason {
    Bye,
    Timeout,
}

impl LeaveReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveReason::Bye => "bye",
            LeaveReason::Timeout => "timeout",
        }
    }
}

/// A non-file event to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Join,
    Leave {
        reason: LeaveReason,
    },
    Chat {
        id: Uuid,
        text: String,
        sent_ts: i64,
    },
    Hand {
        raised: bool,
    },
    Incomplete {
        transfer: Uuid,
        kind: FileKind,
        name: String,
        received: u64,
        size: u64,
    },
    Rejected {
        reason: String,
        detail: String,
        transfer: Option<Uuid>,
    },
    /// The wire id this entry came by was known under the login `from` (a shared seat changed
    /// hands); `host` is the computer's name when the hello said it.
    LoginChanged {
        from: String,
        host: Option<String>,
    },
}

/// What the receiver verified about a file before placing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMeta {
    pub size: u64,
    pub sha256: String,
    /// The sender's file name: informational only, never used for paths.
    pub name: String,
    pub transfer: Uuid,
}

/// A file placed in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// Relative to the store root, forward slashes.
    pub path: String,
    /// Relative to the store root, forward slashes.
    pub thumb: Option<String>,
    pub abs_path: PathBuf,
}

/// The store of one lecturer's session(s). One writer per folder (a lock
/// file in `.pracownia/` refuses a second one).
pub struct Store {
    root: PathBuf,
    db: Connection,
    reader: IndexReader,
    cache: HashMap<Uuid, StudentRef>,
    _lock: File,
}

impl Store {
    /// Open (creating if needed) the store at `root`, empty the staging
    /// folder, and bring the index in step with the folder.
    pub fn open(root: impl AsRef<Path>) -> Result<Store> {
        let given = root.as_ref();
        let not_writable =
            |e: std::io::Error| StoreError::NotWritable { path: given.to_path_buf(), reason: e.kind().to_string() };
        fs::create_dir_all(given.join(META_DIR)).map_err(not_writable)?;
        let root = given.canonicalize().map_err(StoreError::io("find", given))?;
        let meta = root.join(META_DIR);
        let probe = meta.join(format!(".write-test-{}", std::process::id()));
        fs::write(&probe, b"ok").map_err(not_writable)?;
        let _ = fs::remove_file(&probe);

        let lock_path = meta.join("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(StoreError::io("open", &lock_path))?;
        if !fs4::fs_std::FileExt::try_lock_exclusive(&lock).map_err(StoreError::io("lock", &lock_path))? {
            return Err(StoreError::InUse { path: root });
        }

        // A merge or split a crash interrupted is finished first (it may leave work for erasing/).
        regroup::finish_interrupted(&root)?;
        erase::finish_interrupted(&root)?;
        let staging = meta.join("staging");
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(StoreError::io("empty the staging folder", &staging))?;
        }
        fs::create_dir_all(&staging).map_err(StoreError::io("create", &staging))?;

        let (db, fresh) = open_writer(&root)?;
        let reader = IndexReader::open(&root)?;
        let mut store = Store { root, db, reader, cache: HashMap::new(), _lock: lock };
        if fresh {
            // A new (or discarded) index is built in time order, like a reindex.
            let report = store.reindex()?;
            for p in &report.problems {
                log::warn!("{p}");
            }
        } else {
            store.sync()?;
        }
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where partial transfers are written; emptied by `open`. Files staged
    /// here can be moved into place atomically.
    /// The store's own folder (`.pracownia`): the index, staging, the receiver's state.
    pub fn meta_dir(&self) -> PathBuf {
        self.root.join(META_DIR)
    }

    pub fn staging_dir(&self) -> PathBuf {
        self.root.join(META_DIR).join("staging")
    }

    /// Read-only queries (a separate connection).
    pub fn reader(&self) -> &IndexReader {
        &self.reader
    }

    /// Ids other than `id` that use `login` (case-insensitive).
    pub fn other_ids_with_login(&self, login: &str, id: Uuid) -> Result<Vec<Uuid>> {
        Ok(queries::ids_with_login(&self.db, login, Some(id))?)
    }

    /// Whether this student's transfer already became a stored file (then a resend is ignored).
    pub fn has_file_from_transfer(&self, student: Uuid, transfer: Uuid) -> Result<bool> {
        Ok(queries::has_file_from_transfer(&self.db, student, transfer)?)
    }

    /// Whether this student's hand is up as far as the store knows (see `queries::last_hand`).
    pub fn last_hand(&self, student: Uuid) -> Result<Option<bool>> {
        Ok(queries::last_hand(&self.db, student)?)
    }
}

/// The writing connection, and whether the index was just created empty.
fn open_writer(root: &Path) -> Result<(Connection, bool)> {
    let path = index::index_path(root);
    let attempt = || -> rusqlite::Result<(Connection, bool)> {
        let conn = Connection::open(&path)?;
        let fresh = schema::prepare(&conn)?;
        Ok((conn, fresh))
    };
    match attempt() {
        Ok(c) => Ok(c),
        Err(e) => {
            // The index is derived: a damaged one is thrown away and rebuilt.
            log::warn!("the index {} is unusable ({e}); rebuilding it", path.display());
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = fs::remove_file(PathBuf::from(p));
            }
            Ok(attempt()?)
        }
    }
}

#[cfg(test)]
mod tests;
