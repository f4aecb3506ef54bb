//! The lecturer's messages to students (protocol 1.1): journaled before they are sent, then
//! moved on by the student's `ack`, `read` and `answer`, each a journal line of its own so the
//! state survives restarts and `reindex`.

use uuid::Uuid;

use super::error::{Result, StoreError};
use super::journal::{self, JournalEntry, JournalLine, JournalMessage, JOURNAL_FILE};
use super::{Store, StudentRef};
use crate::index::queries::{self, Pending};
use crate::index::write;
use crate::model::{AnswerStatus, Delivery, FileKind, TimelineKind};

/// A lecturer message to journal for one student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// `Reply`, `Broadcast`, `Request`, `HandAck` or `HandLowered`.
    pub kind: TimelineKind,
    pub id: Uuid,
    pub text: Option<String>,
    /// What a request asks for.
    pub what: Option<FileKind>,
}

impl From<Pending> for Outgoing {
    fn from(p: Pending) -> Self {
        Outgoing { kind: p.kind, id: p.id, text: p.text, what: p.what }
    }
}

impl Store {
    /// Journal (fsynced) and index a lecturer message as *queued*.
    pub fn record_outgoing(&mut self, s: &StudentRef, at_ms: i64, m: &Outgoing) -> Result<()> {
        let s = self.ensure(s)?;
        let msg = JournalMessage { id: m.id, text: m.text.clone(), file_kind: m.what };
        let entry = JournalEntry::message(m.kind, msg).ok_or(StoreError::NotAMessage(m.kind))?;
        let l = JournalLine::new(at_ms, &s.login, entry);
        journal::append(&s.dir.join(JOURNAL_FILE), &l)?;
        self.index_new_lines(&s)
    }

    /// Move a lecturer message on to `to`. Returns its kind when the state changed (a repeated or
    /// late confirmation, or an id this student was never sent, changes nothing).
    pub fn advance_message(
        &mut self,
        s: &StudentRef,
        at_ms: i64,
        id: Uuid,
        to: Delivery,
    ) -> Result<Option<TimelineKind>> {
        let Some((kind, now)) = queries::message_state(&self.db, s.id, id)? else {
            return Ok(None);
        };
        if now >= to {
            return Ok(None);
        }
        let entry = match to {
            Delivery::Queued => return Ok(None),
            Delivery::Delivered => JournalEntry::Delivered { id },
            Delivery::Read => JournalEntry::Read { id },
        };
        let s = self.ensure(s)?;
        let l = JournalLine::new(at_ms, &s.login, entry);
        journal::append(&s.dir.join(JOURNAL_FILE), &l)?;
        self.index_new_lines(&s)?;
        Ok(Some(kind))
    }

    /// Record what the add-on did with a request; false when `id` is not a request to `s`.
    pub fn record_answer(
        &mut self,
        s: &StudentRef,
        at_ms: i64,
        id: Uuid,
        status: AnswerStatus,
        text: Option<String>,
    ) -> Result<bool> {
        if !matches!(queries::message_state(&self.db, s.id, id)?, Some((TimelineKind::Request, _))) {
            return Ok(false);
        }
        let s = self.ensure(s)?;
        let l = JournalLine::new(at_ms, &s.login, JournalEntry::Answer { id, answer: status, text });
        journal::append(&s.dir.join(JOURNAL_FILE), &l)?;
        self.index_new_lines(&s)?;
        Ok(true)
    }

    /// A student's lecturer messages not yet acknowledged, in the order they were written.
    pub fn pending_messages(&self, student: Uuid) -> Result<Vec<Outgoing>> {
        Ok(queries::pending_messages(&self.db, student)?.into_iter().map(Outgoing::from).collect())
    }

    /// The ids of the student's last `limit` chats (all stored), and those of them the lecturer
    /// has read (stored at or before `chat_read_until`), for a `receipt`.
    pub fn chat_receipt(&self, student: Uuid, limit: usize) -> Result<(Vec<Uuid>, Vec<Uuid>)> {
        let chats = queries::recent_chats(&self.db, student, limit)?;
        let until = queries::chat_read_until(&self.db, student)?;
        let read = chats.iter().filter(|(_, ts)| *ts <= until).map(|(id, _)| *id).collect();
        Ok((chats.into_iter().map(|(id, _)| id).collect(), read))
    }

    /// Students matching an id or a login (case-insensitive); several when a login is shared.
    pub fn find_students(&self, id_or_login: &str) -> Result<Vec<StudentRef>> {
        let ids = queries::find_student(&self.db, id_or_login)?;
        ids.into_iter().map(|id| self.known_student(id)).collect()
    }

    /// Every student the store knows, by login.
    pub fn all_students(&mut self) -> Result<Vec<StudentRef>> {
        let mut rows = write::all_students(&self.db)?;
        rows.sort_by_key(|r| (write::login_key(&r.login), r.id));
        Ok(rows.into_iter().map(|r| self.make_ref(r.id, &r.login, &r.folder)).collect())
    }

    /// The ref of a student the index knows (no folder is created).
    pub fn known_student(&self, id: Uuid) -> Result<StudentRef> {
        if let Some(r) = self.cache.get(&id) {
            return Ok(r.clone());
        }
        let row = write::student(&self.db, id)?.ok_or(StoreError::UnknownStudent(id))?;
        Ok(self.make_ref(id, &row.login, &row.folder))
    }
}
