//! The SQLite index of a store: derived from the store folder, rebuildable.
//!
//! The `Store` owns the only writing connection. `IndexReader` opens a
//! separate read-only connection, usable from another thread or process
//! while the store writes (the database is in WAL mode).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use crate::model::{FileKind, StudentSummary, TimelineEntry};
use crate::store::error::{Result, StoreError};

pub(crate) mod columns;
pub mod queries;
pub mod schema;
pub(crate) mod seats;
pub mod sessions;
pub(crate) mod write;

/// Where the index of a store lives.
pub fn index_path(root: &Path) -> PathBuf {
    root.join(crate::store::META_DIR).join("index.sqlite")
}

/// Read-only queries over a store's index.
pub struct IndexReader {
    conn: Connection,
}

impl IndexReader {
    /// Open the index of the store at `root` read-only. Fails with
    /// `StoreError::NoIndex` when the store was never opened.
    pub fn open(root: &Path) -> Result<IndexReader> {
        let path = index_path(root);
        if !path.is_file() {
            return Err(StoreError::NoIndex { path: root.to_path_buf() });
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(IndexReader { conn })
    }

    /// Every session (lab meeting) of the store, oldest first; split where nobody was present
    /// for `gap_ms` (`sessions::DEFAULT_GAP_MS`).
    pub fn sessions(&self, gap_ms: i64) -> Result<Vec<sessions::Session>> {
        Ok(sessions::sessions(&self.conn, gap_ms)?)
    }

    /// Who was present in session `number` (1-based, as `sessions` numbers them), or None.
    pub fn attendance(&self, number: u32, gap_ms: i64) -> Result<Option<Vec<sessions::Attendance>>> {
        Ok(sessions::attendance(&self.conn, number, gap_ms)?)
    }

    /// Every student, ordered by login (case-insensitive).
    pub fn students(&self) -> Result<Vec<StudentSummary>> {
        Ok(queries::students(&self.conn)?)
    }

    /// Events oldest first with id > `after_id` (keyset paging: pass the
    /// last id of the previous page), of one student or of everyone.
    pub fn timeline(&self, student: Option<Uuid>, after_id: Option<i64>, limit: usize) -> Result<Vec<TimelineEntry>> {
        Ok(queries::timeline(&self.conn, student, after_id, limit)?)
    }

    /// Events of one student, newest first, with id < `before_id` (pass
    /// the last id of the previous page; None for the newest page).
    pub fn timeline_before(&self, student: Uuid, before_id: Option<i64>, limit: usize) -> Result<Vec<TimelineEntry>> {
        Ok(queries::timeline_before(&self.conn, student, before_id, limit)?)
    }

    /// [`IndexReader::timeline_before`] of the entries with `from <= ts <= until` (Unix ms):
    /// one past session's part of a student's timeline.
    pub fn timeline_before_within(
        &self,
        student: Uuid,
        before_id: Option<i64>,
        limit: usize,
        span: (i64, i64),
    ) -> Result<Vec<TimelineEntry>> {
        Ok(queries::timeline_before_within(&self.conn, student, before_id, limit, span)?)
    }

    /// Chat messages of every student, newest first, with id < `before_id` (pass the last id of
    /// the previous page; None for the newest page). A lecturer's inbox: nothing is lost because
    /// another student wrote later.
    pub fn chat_inbox(&self, before_id: Option<i64>, limit: usize) -> Result<Vec<TimelineEntry>> {
        Ok(queries::chat_inbox(&self.conn, before_id, limit)?)
    }

    /// One event by its id.
    pub fn event(&self, id: i64) -> Result<Option<TimelineEntry>> {
        Ok(queries::event(&self.conn, id)?)
    }

    /// Exact id, or else every id using that login (case-insensitive).
    pub fn find_student(&self, id_or_login: &str) -> Result<Vec<Uuid>> {
        Ok(queries::find_student(&self.conn, id_or_login)?)
    }

    /// Ids other than `id` using `login` (case-insensitive).
    pub fn other_ids_with_login(&self, login: &str, id: Uuid) -> Result<Vec<Uuid>> {
        Ok(queries::ids_with_login(&self.conn, login, Some(id))?)
    }

    /// A student's stored files of one kind received at or before `at` (Unix ms), newest first.
    pub fn files_until(&self, student: Uuid, kind: FileKind, at: i64, limit: usize) -> Result<Vec<TimelineEntry>> {
        Ok(queries::files_until(&self.conn, student, kind, at, limit)?)
    }

    /// Every student's newest screenshot at or before `at` (Unix ms), by login ("what did
    /// everyone have at 10:30"; the app's Compare view).
    pub fn screenshots_at(&self, at: i64) -> Result<Vec<TimelineEntry>> {
        Ok(queries::screenshots_at(&self.conn, at)?)
    }

    /// When the student's newest chat was stored (Unix ms), if they ever wrote.
    pub fn latest_chat_at(&self, student: Uuid) -> Result<Option<i64>> {
        Ok(queries::recent_chats(&self.conn, student, 1)?.first().map(|(_, ts)| *ts))
    }

    /// Bumped by every reindex; event ids from another generation are stale.
    pub fn generation(&self) -> Result<i64> {
        Ok(queries::generation(&self.conn)?)
    }
}

#[cfg(test)]
mod tests;
