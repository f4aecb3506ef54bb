//! What the views read from the store (the index), and marking chat read.

use super::{lock, now_ms, parse_student, AppState};
use crate::error::AppError;
use crate::presence::StudentTile;
use pracownia_core::index::IndexReader;
use pracownia_core::model::TimelineEntry;
use pracownia_core::store::{Store, StoreError};

impl AppState {
    pub(crate) fn reader(&self) -> Result<Option<IndexReader>, AppError> {
        match IndexReader::open(&self.store()) {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::NoIndex { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn list_students(&self) -> Result<Vec<StudentTile>, AppError> {
        let summaries = match self.reader()? {
            Some(r) => r.students()?,
            None => Vec::new(),
        };
        Ok(lock(&self.0.presence).tiles(summaries))
    }

    pub fn timeline_page(
        &self,
        student: &str,
        before_id: Option<i64>,
        limit: u32,
        span: Option<(i64, i64)>,
    ) -> Result<Vec<TimelineEntry>, AppError> {
        let id = parse_student(student)?;
        let limit = limit.clamp(1, 1000) as usize;
        match (self.reader()?, span) {
            (Some(r), Some(span)) => Ok(r.timeline_before_within(id, before_id, limit, span)?),
            (Some(r), None) => Ok(r.timeline_before(id, before_id, limit)?),
            (None, _) => Ok(Vec::new()),
        }
    }

    /// Every student's newest screenshot at or before `at` (Unix ms), by login (Compare).
    pub fn screenshots_at(&self, at: i64) -> Result<Vec<TimelineEntry>, AppError> {
        match self.reader()? {
            Some(r) => Ok(r.screenshots_at(at)?),
            None => Ok(Vec::new()),
        }
    }

    pub fn chat_inbox(&self, before_id: Option<i64>, limit: u32) -> Result<Vec<TimelineEntry>, AppError> {
        match self.reader()? {
            Some(r) => Ok(r.chat_inbox(before_id, limit.clamp(1, 1000) as usize)?),
            None => Ok(Vec::new()),
        }
    }

    /// Through the running receiver (it owns the store), else directly on the store.
    pub fn mark_chat_read(&self, student: &str) -> Result<(), AppError> {
        self.set_read_until(parse_student(student)?, now_ms())
    }

    /// The lecturer's "Mark unread": the student's newest chat counts as unread again. Returns
    /// when it was stored (None: the student never wrote, nothing changes).
    pub fn mark_chat_unread(&self, student: &str) -> Result<Option<i64>, AppError> {
        let id = parse_student(student)?;
        let Some(latest) = self.reader()?.map(|r| r.latest_chat_at(id)).transpose()?.flatten() else {
            return Ok(None);
        };
        self.set_read_until(id, latest - 1)?;
        Ok(Some(latest))
    }

    fn set_read_until(&self, id: uuid::Uuid, until: i64) -> Result<(), AppError> {
        let running = lock(&self.0.running);
        match &*running {
            Some(r) => r.receiver.mark_chat_read(id, until),
            None => {
                drop(running);
                Store::open(self.store())?.mark_chat_read(id, until)?;
            }
        }
        Ok(())
    }
}
