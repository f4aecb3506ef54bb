//! The on-disk store: one folder per student; the folder is the truth and
//! the SQLite index is derived from it (see `scan` for the reconciliation).

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::index::{self, queries, schema, write, IndexReader};
use crate::model::FileKind;

pub mod error;
mod fsutil;
pub mod journal;
mod record;
pub mod sanitize;
mod scan;
pub mod watch;

pub use error::StoreError;
pub use fsutil::{parse_stamp, stamp};
pub use scan::ReindexReport;
pub use watch::{watch, WatchHandle};

use error::Result;

pub(crate) const META_DIR: &str = ".pracownia";
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
}

/// Why a student left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    Leave { reason: LeaveReason },
    Chat { id: Uuid, text: String, sent_ts: i64 },
    Hand { raised: bool },
    Incomplete { transfer: Uuid, kind: FileKind, name: String, received: u64, size: u64 },
    Rejected { reason: String, detail: String, transfer: Option<Uuid> },
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

/// Contents of `student.json`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct StudentJson {
    pub id: Uuid,
    pub login: String,
    pub first_seen: String,
}

/// Contents of `read.json`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadJson {
    pub chat_read_until: i64,
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
        let not_writable = |e: std::io::Error| StoreError::NotWritable {
            path: given.to_path_buf(),
            reason: e.kind().to_string(),
        };
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

    /// Find or create the folder of a student; update its login if it changed.
    pub fn student(&mut self, id: Uuid, login: &str) -> Result<StudentRef> {
        if let Some(r) = self.cache.get(&id).cloned() {
            if r.login != login {
                return self.change_login(r, login);
            }
            return Ok(r);
        }
        let r = match write::student(&self.db, id)? {
            Some(row) => {
                let r = self.make_ref(id, &row.login, &row.folder);
                if !r.dir.join(STUDENT_FILE).is_file() {
                    fs::create_dir_all(&r.dir).map_err(StoreError::io("create", &r.dir))?;
                    write_student_json(&r, row.first_seen)?;
                }
                r
            }
            None => self.create_student(id, login)?,
        };
        self.cache.insert(id, r.clone());
        if r.login != login {
            return self.change_login(r, login);
        }
        Ok(r)
    }

    fn make_ref(&self, id: Uuid, login: &str, folder: &str) -> StudentRef {
        StudentRef { id, login: login.to_string(), dir: self.root.join(folder), folder: folder.to_string() }
    }

    fn create_student(&mut self, id: Uuid, login: &str) -> Result<StudentRef> {
        let mut folder = sanitize::folder_name(login, id, false);
        if !folder_free_for(&self.root.join(&folder), id) || self.folder_taken(&folder, id)? {
            folder = sanitize::folder_name(login, id, true);
            if !folder_free_for(&self.root.join(&folder), id) || self.folder_taken(&folder, id)? {
                return Err(StoreError::CorruptMetadata {
                    path: self.root.join(&folder).join(STUDENT_FILE),
                    detail: format!("it does not belong to student {id}"),
                });
            }
        }
        let r = self.make_ref(id, login, &folder);
        fs::create_dir_all(&r.dir).map_err(StoreError::io("create", &r.dir))?;
        let first_seen = fsutil::now_ms();
        write_student_json(&r, first_seen)?;
        let row = write::StudentRow {
            id,
            login: login.to_string(),
            folder,
            first_seen,
            journal_offset: 0,
            chat_read_until: read_json(&r.dir).unwrap_or(0),
        };
        write::upsert_student(&self.db, &row)?;
        // A journal left by an earlier, interrupted creation is indexed now.
        self.index_new_lines(&r)?;
        Ok(r)
    }

    fn folder_taken(&self, folder: &str, id: Uuid) -> Result<bool> {
        Ok(write::student_by_folder(&self.db, folder)?.is_some_and(|row| row.id != id))
    }

    fn change_login(&mut self, mut r: StudentRef, login: &str) -> Result<StudentRef> {
        let first_seen = write::student(&self.db, r.id)?.map(|row| row.first_seen).unwrap_or_else(fsutil::now_ms);
        r.login = login.to_string();
        write_student_json(&r, first_seen)?;
        write::set_login(&self.db, r.id, login)?;
        self.cache.insert(r.id, r.clone());
        Ok(r)
    }

    /// Set how far the lecturer has read this student's chat (Unix ms).
    pub fn mark_chat_read(&mut self, id: Uuid, until_ms: i64) -> Result<()> {
        let row = write::student(&self.db, id)?.ok_or(StoreError::UnknownStudent(id))?;
        let path = self.root.join(&row.folder).join(READ_FILE);
        let data = serde_json::to_vec(&ReadJson { chat_read_until: until_ms }).expect("serialisable");
        fsutil::write_atomic(&path, &data)?;
        write::set_read_until(&self.db, id, until_ms)?;
        Ok(())
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

/// Can `dir` be used for student `id`: absent, without student.json, or with
/// a student.json of the same id.
fn folder_free_for(dir: &Path, id: Uuid) -> bool {
    match read_student_json(dir) {
        Ok(None) => true,
        Ok(Some(s)) => s.id == id,
        Err(_) => false,
    }
}

pub(crate) fn read_student_json(dir: &Path) -> Result<Option<StudentJson>> {
    let path = dir.join(STUDENT_FILE);
    match fs::read(&path) {
        Ok(data) => serde_json::from_slice(&data)
            .map(Some)
            .map_err(|e| StoreError::CorruptMetadata { path, detail: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("read", &path)(e)),
    }
}

fn write_student_json(r: &StudentRef, first_seen: i64) -> Result<()> {
    let json = StudentJson { id: r.id, login: r.login.clone(), first_seen: fsutil::ms_to_rfc3339(first_seen) };
    let data = serde_json::to_vec_pretty(&json).expect("serialisable");
    fsutil::write_atomic(&r.dir.join(STUDENT_FILE), &data)
}

/// chat_read_until from read.json (None when absent or damaged).
pub(crate) fn read_json(dir: &Path) -> Option<i64> {
    let data = fs::read(dir.join(READ_FILE)).ok()?;
    serde_json::from_slice::<ReadJson>(&data).ok().map(|r| r.chat_read_until)
}

#[cfg(test)]
mod tests;
