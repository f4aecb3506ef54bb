//! Read queries, shared by the read-only `IndexReader` and the writer.

use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;

use super::columns::Columns;
use crate::model::{Delivery, FileKind, StudentSummary, TimelineEntry, TimelineKind};

pub(crate) fn uuid_col(row: &Row, idx: usize) -> rusqlite::Result<Uuid> {
    let s: String = row.get(idx)?;
    Uuid::parse_str(&s)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn opt_uuid_col(row: &Row, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    let s: Option<String> = row.get(idx)?;
    Ok(s.and_then(|s| Uuid::parse_str(&s).ok()))
}

fn opt_u64(row: &Row, idx: usize) -> rusqlite::Result<Option<u64>> {
    Ok(row.get::<_, Option<i64>>(idx)?.map(|v| v.max(0) as u64))
}

const EVENT_COLS: &str = "id, ts, student, login, kind, text, path, thumb, size, sha256, name, \
                          reason, detail, raised, received, transfer, file_kind, chat_id, msg_state, answer";

fn event_row(row: &Row) -> rusqlite::Result<TimelineEntry> {
    let bad = |idx: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e)
    };
    let kind: TimelineKind = row.get::<_, String>(4)?.parse().map_err(|e| bad(4, Box::new(e)))?;
    let cols = Columns {
        text: row.get(5)?,
        path: row.get(6)?,
        thumb: row.get(7)?,
        size: opt_u64(row, 8)?,
        sha256: row.get(9)?,
        name: row.get(10)?,
        reason: row.get(11)?,
        detail: row.get(12)?,
        raised: row.get(13)?,
        received: opt_u64(row, 14)?,
        transfer: opt_uuid_col(row, 15)?,
        file_kind: row.get::<_, Option<String>>(16)?.and_then(|k| k.parse().ok()),
        chat_id: opt_uuid_col(row, 17)?,
        msg_state: row.get::<_, Option<String>>(18)?.and_then(|k| k.parse().ok()),
        answer: row.get::<_, Option<String>>(19)?.and_then(|k| k.parse().ok()),
    };
    // The writer never leaves out what a kind needs (a file's path, a message's id).
    let body = cols.into_body(kind).ok_or_else(|| bad(4, format!("a {kind} row without its fields").into()))?;
    Ok(TimelineEntry { id: row.get(0)?, ts: row.get(1)?, student: uuid_col(row, 2)?, login: row.get(3)?, body })
}

/// Events oldest first with id > `after_id`, optionally of one student.
pub fn timeline(
    conn: &Connection,
    student: Option<Uuid>,
    after_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<TimelineEntry>> {
    let after = after_id.unwrap_or(0);
    let limit = limit.min(i64::MAX as usize) as i64;
    match student {
        Some(s) => {
            let sql = format!("SELECT {EVENT_COLS} FROM events WHERE student = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map(params![s.to_string(), after, limit], event_row)?;
            rows.collect()
        }
        None => {
            let sql = format!("SELECT {EVENT_COLS} FROM events WHERE id > ?1 ORDER BY id LIMIT ?2");
            let mut st = conn.prepare_cached(&sql)?;
            let rows = st.query_map(params![after, limit], event_row)?;
            rows.collect()
        }
    }
}

/// Events of one student newest first with id < `before_id`.
pub fn timeline_before(
    conn: &Connection,
    student: Uuid,
    before_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<TimelineEntry>> {
    let before = before_id.unwrap_or(i64::MAX);
    let limit = limit.min(i64::MAX as usize) as i64;
    let sql = format!("SELECT {EVENT_COLS} FROM events WHERE student = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params![student.to_string(), before, limit], event_row)?;
    rows.collect()
}

/// [`timeline_before`] limited to entries with `from <= ts <= until` (one session).
pub fn timeline_before_within(
    conn: &Connection,
    student: Uuid,
    before_id: Option<i64>,
    limit: usize,
    (from, until): (i64, i64),
) -> rusqlite::Result<Vec<TimelineEntry>> {
    let before = before_id.unwrap_or(i64::MAX);
    let limit = limit.min(i64::MAX as usize) as i64;
    let sql = format!(
        "SELECT {EVENT_COLS} FROM events WHERE student = ?1 AND id < ?2 AND ts BETWEEN ?3 AND ?4 \
         ORDER BY id DESC LIMIT ?5"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params![student.to_string(), before, from, until, limit], event_row)?;
    rows.collect()
}

/// Chat messages of every student, newest first, with id < `before_id`.
pub fn chat_inbox(conn: &Connection, before_id: Option<i64>, limit: usize) -> rusqlite::Result<Vec<TimelineEntry>> {
    let before = before_id.unwrap_or(i64::MAX);
    let limit = limit.min(i64::MAX as usize) as i64;
    let sql = format!("SELECT {EVENT_COLS} FROM events WHERE kind = 'chat' AND id < ?1 ORDER BY id DESC LIMIT ?2");
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params![before, limit], event_row)?;
    rows.collect()
}

/// One event by id.
pub fn event(conn: &Connection, id: i64) -> rusqlite::Result<Option<TimelineEntry>> {
    let sql = format!("SELECT {EVENT_COLS} FROM events WHERE id = ?1");
    conn.query_row(&sql, [id], event_row).optional()
}

const STUDENTS_SQL: &str = "
SELECT s.id, s.login, s.folder, s.first_seen,
  COALESCE((SELECT MAX(ts) FROM events e WHERE e.student = s.id), s.first_seen),
  (SELECT COUNT(*) FROM events e WHERE e.student = s.id AND e.kind = 'chat'),
  (SELECT COUNT(*) FROM events e WHERE e.student = s.id AND e.kind = 'screenshot'),
  (SELECT COUNT(*) FROM events e WHERE e.student = s.id AND e.kind = 'blend'),
  (SELECT COUNT(*) FROM events e WHERE e.student = s.id AND e.kind = 'chat' AND e.ts > s.chat_read_until),
  (SELECT e.id FROM events e WHERE e.student = s.id AND e.kind = 'screenshot' ORDER BY e.ts DESC, e.id DESC LIMIT 1),
  (SELECT MAX(ts) FROM events e WHERE e.student = s.id AND e.kind = 'blend'),
  EXISTS (SELECT 1 FROM students o WHERE o.login_key = s.login_key AND o.id <> s.id),
  (SELECT MIN(ts) FROM events e WHERE e.student = s.id AND e.kind = 'chat' AND e.ts > s.chat_read_until),
  (SELECT COALESCE(SUM(size), 0) FROM events e WHERE e.student = s.id AND e.path IS NOT NULL)
FROM students s
ORDER BY s.login_key, s.id";

/// Summaries of every student, ordered by login (case-insensitive).
pub fn students(conn: &Connection) -> rusqlite::Result<Vec<StudentSummary>> {
    let mut latest = conn.prepare_cached("SELECT path, thumb, ts FROM events WHERE id = ?1")?;
    let mut st = conn.prepare_cached(STUDENTS_SQL)?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let shot: Option<i64> = row.get(9)?;
        let (latest_screenshot, latest_thumb, latest_screenshot_at) = match shot {
            Some(id) => latest.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?,
            None => (None, None, None),
        };
        out.push(StudentSummary {
            id: uuid_col(row, 0)?,
            login: row.get(1)?,
            folder: row.get(2)?,
            first_seen: row.get(3)?,
            last_seen: row.get(4)?,
            chats: row.get::<_, i64>(5)? as u64,
            screenshots: row.get::<_, i64>(6)? as u64,
            blends: row.get::<_, i64>(7)? as u64,
            bytes: row.get::<_, i64>(13)?.max(0) as u64,
            unread: row.get::<_, i64>(8)? as u64,
            oldest_unread_at: row.get(12)?,
            latest_screenshot,
            latest_thumb,
            latest_screenshot_at,
            latest_blend_at: row.get(10)?,
            login_shared: row.get(11)?,
            looks_like: None,
            seats: Vec::new(),
        });
    }
    // Computed here, not stored: it depends on every other student, and a student erased or a
    // login seen first elsewhere changes it.
    let logins: Vec<(&str, i64)> = out.iter().map(|s| (s.login.as_str(), s.first_seen)).collect();
    let flags = crate::lookalike::looks_like(&logins);
    for (s, f) in out.iter_mut().zip(flags) {
        s.looks_like = f;
    }
    for s in out.iter_mut() {
        s.seats = super::seats::of_student(conn, s.id)?;
    }
    Ok(out)
}

/// Ids whose login equals `login` (case-insensitive), except `except`.
pub fn ids_with_login(conn: &Connection, login: &str, except: Option<Uuid>) -> rusqlite::Result<Vec<Uuid>> {
    let except = except.map(|u| u.to_string()).unwrap_or_default();
    let mut st =
        conn.prepare_cached("SELECT id FROM students WHERE login_key = ?1 AND id <> ?2 ORDER BY first_seen, id")?;
    let rows = st.query_map(params![super::write::login_key(login), except], |r| uuid_col(r, 0))?;
    rows.collect()
}

/// Exact id (any uuid spelling), or else login (case-insensitive).
pub fn find_student(conn: &Connection, id_or_login: &str) -> rusqlite::Result<Vec<Uuid>> {
    let q = id_or_login.trim();
    if let Ok(id) = Uuid::parse_str(q) {
        let found: Option<String> =
            conn.query_row("SELECT id FROM students WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
        if found.is_some() {
            return Ok(vec![id]);
        }
    }
    ids_with_login(conn, q, None)
}

/// Whether a file from this transfer is already stored (a sender may resend after a restart).
pub fn has_file_from_transfer(conn: &Connection, student: Uuid, transfer: Uuid) -> rusqlite::Result<bool> {
    let mut st = conn.prepare_cached(
        "SELECT 1 FROM events WHERE transfer = ?1 AND student = ?2 AND kind IN ('screenshot', 'blend') LIMIT 1",
    )?;
    st.exists(params![transfer.to_string(), student.to_string()])
}

/// The student's hand as last recorded: raised or lowered by a `hand` entry, lowered by a later
/// `leave` (the add-on lowers it on disconnect); None when there is neither.
pub fn last_hand(conn: &Connection, student: Uuid) -> rusqlite::Result<Option<bool>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, raised FROM events WHERE student = ?1 AND kind IN ('hand', 'leave') ORDER BY id DESC LIMIT 1",
    )?;
    st.query_row(params![student.to_string()], |r| {
        let kind: String = r.get(0)?;
        let raised: Option<bool> = r.get(1)?;
        Ok(kind == "hand" && raised == Some(true))
    })
    .optional()
}

/// Counter bumped by every reindex: row ids from an older generation are stale.
pub fn generation(conn: &Connection) -> rusqlite::Result<i64> {
    let v: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// A lecturer message still waiting for its `ack`, as the worker resends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub kind: TimelineKind,
    pub id: Uuid,
    pub text: Option<String>,
    pub what: Option<FileKind>,
}

/// A student's queued lecturer messages, in the order they were written.
pub fn pending_messages(conn: &Connection, student: Uuid) -> rusqlite::Result<Vec<Pending>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, chat_id, text, file_kind FROM events
         WHERE student = ?1 AND msg_state = 'queued' AND chat_id IS NOT NULL ORDER BY id",
    )?;
    let rows = st.query_map([student.to_string()], |r| {
        let kind: String = r.get(0)?;
        let fk: Option<String> = r.get(3)?;
        Ok((kind, uuid_col(r, 1)?, r.get::<_, Option<String>>(2)?, fk))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, id, text, fk) = row?;
        if let Ok(kind) = kind.parse::<TimelineKind>() {
            out.push(Pending { kind, id, text, what: fk.and_then(|k| k.parse().ok()) });
        }
    }
    Ok(out)
}

/// The delivery state of one lecturer message, with its kind.
pub fn message_state(conn: &Connection, student: Uuid, id: Uuid) -> rusqlite::Result<Option<(TimelineKind, Delivery)>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, msg_state FROM events WHERE student = ?1 AND chat_id = ?2 AND msg_state IS NOT NULL",
    )?;
    let row: Option<(String, String)> =
        st.query_row(params![student.to_string(), id.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    Ok(row.and_then(|(k, s)| Some((k.parse().ok()?, s.parse().ok()?))))
}

/// The student's last `limit` chats: (id, stored at), oldest first.
pub fn recent_chats(conn: &Connection, student: Uuid, limit: usize) -> rusqlite::Result<Vec<(Uuid, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT chat_id, ts FROM (SELECT id, chat_id, ts FROM events WHERE student = ?1 AND kind = 'chat'
           AND chat_id IS NOT NULL ORDER BY id DESC LIMIT ?2) ORDER BY id",
    )?;
    let rows = st.query_map(params![student.to_string(), limit as i64], |r| Ok((uuid_col(r, 0)?, r.get(1)?)))?;
    rows.collect()
}

/// How far the lecturer has read this student's chat (Unix ms).
pub fn chat_read_until(conn: &Connection, student: Uuid) -> rusqlite::Result<i64> {
    conn.query_row("SELECT chat_read_until FROM students WHERE id = ?1", [student.to_string()], |r| r.get(0))
        .optional()
        .map(|v| v.unwrap_or(0))
}

/// A student's stored files of one kind received at or before `at` (Unix ms), newest first, at
/// most `limit`.
pub fn files_until(
    conn: &Connection,
    student: Uuid,
    kind: FileKind,
    at: i64,
    limit: usize,
) -> rusqlite::Result<Vec<TimelineEntry>> {
    let sql = format!(
        "SELECT {EVENT_COLS} FROM events WHERE student = ?1 AND kind = ?2 AND ts <= ?3 AND path IS NOT NULL
         ORDER BY ts DESC, id DESC LIMIT ?4"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let limit = limit.min(i64::MAX as usize) as i64;
    let rows = st.query_map(params![student.to_string(), kind.as_str(), at, limit], event_row)?;
    rows.collect()
}

/// Every student's newest stored screenshot at or before `at` (Unix ms): what the class had on
/// screen at that moment. Students without one then are left out; ordered by login.
pub fn screenshots_at(conn: &Connection, at: i64) -> rusqlite::Result<Vec<TimelineEntry>> {
    let sql = format!(
        "SELECT {EVENT_COLS} FROM events WHERE id IN (
           SELECT (SELECT x.id FROM events x
                   WHERE x.student = s.id AND x.kind = 'screenshot' AND x.ts <= ?1 AND x.path IS NOT NULL
                   ORDER BY x.ts DESC, x.id DESC LIMIT 1)
           FROM students s)
         ORDER BY login COLLATE NOCASE, student"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([at], event_row)?;
    rows.collect()
}
