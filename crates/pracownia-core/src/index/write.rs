//! Writes to the index, used only by the `Store` (one writer per store).

use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::columns::Columns;
use crate::model::{AnswerStatus, Delivery, EntryBody};

/// A student as the index knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentRow {
    pub id: Uuid,
    pub login: String,
    pub folder: String,
    pub first_seen: i64,
    pub journal_offset: u64,
    pub chat_read_until: i64,
}

/// An event about to be inserted: a timeline entry before it has a row id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub student: Uuid,
    pub ts: i64,
    pub login: String,
    pub body: EntryBody,
    /// A chat's time on the sender's clock (kept, not shown).
    pub sent_ts: Option<i64>,
    /// Where its journal line starts; None for a file found on disk without one.
    pub journal_offset: Option<u64>,
}

impl NewEvent {
    pub fn new(student: Uuid, ts: i64, login: &str, body: EntryBody) -> NewEvent {
        NewEvent { student, ts, login: login.to_string(), body, sent_ts: None, journal_offset: None }
    }
}

fn student_row(r: &rusqlite::Row) -> rusqlite::Result<StudentRow> {
    let id: String = r.get(0)?;
    Ok(StudentRow {
        id: Uuid::parse_str(&id).unwrap_or_default(),
        login: r.get(1)?,
        folder: r.get(2)?,
        first_seen: r.get(3)?,
        journal_offset: r.get::<_, i64>(4)?.max(0) as u64,
        chat_read_until: r.get(5)?,
    })
}

const STUDENT_COLS: &str = "id, login, folder, first_seen, journal_offset, chat_read_until";

pub fn student(conn: &Connection, id: Uuid) -> rusqlite::Result<Option<StudentRow>> {
    let sql = format!("SELECT {STUDENT_COLS} FROM students WHERE id = ?1");
    conn.query_row(&sql, [id.to_string()], student_row).optional()
}

pub fn student_by_folder(conn: &Connection, folder: &str) -> rusqlite::Result<Option<StudentRow>> {
    let sql = format!("SELECT {STUDENT_COLS} FROM students WHERE folder = ?1");
    conn.query_row(&sql, [folder], student_row).optional()
}

pub fn all_students(conn: &Connection) -> rusqlite::Result<Vec<StudentRow>> {
    let sql = format!("SELECT {STUDENT_COLS} FROM students");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([], student_row)?;
    rows.collect()
}

/// Logins compare case-insensitively for every script, not only ASCII (SQLite's NOCASE).
pub fn login_key(login: &str) -> String {
    login.to_lowercase()
}

pub fn upsert_student(conn: &Connection, s: &StudentRow) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO students(id, login, login_key, folder, first_seen, journal_offset, chat_read_until)
         VALUES (?1, ?2, ?7, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET login = ?2, login_key = ?7, folder = ?3, first_seen = ?4,
             journal_offset = ?5, chat_read_until = ?6",
        params![
            s.id.to_string(),
            s.login,
            s.folder,
            s.first_seen,
            s.journal_offset as i64,
            s.chat_read_until,
            login_key(&s.login)
        ],
    )?;
    Ok(())
}

pub fn set_login(conn: &Connection, id: Uuid, login: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE students SET login = ?2, login_key = ?3 WHERE id = ?1",
        params![id.to_string(), login, login_key(login)],
    )?;
    Ok(())
}

pub fn set_read_until(conn: &Connection, id: Uuid, ms: i64) -> rusqlite::Result<()> {
    conn.execute("UPDATE students SET chat_read_until = ?2 WHERE id = ?1", params![id.to_string(), ms])?;
    Ok(())
}

pub fn set_journal_offset(conn: &Connection, id: Uuid, offset: u64) -> rusqlite::Result<()> {
    conn.execute("UPDATE students SET journal_offset = ?2 WHERE id = ?1", params![id.to_string(), offset as i64])?;
    Ok(())
}

pub fn delete_student(conn: &Connection, id: Uuid) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM events WHERE student = ?1", [id.to_string()])?;
    conn.execute("DELETE FROM seats WHERE student = ?1", [id.to_string()])?;
    conn.execute("DELETE FROM students WHERE id = ?1", [id.to_string()])?;
    Ok(())
}

/// Drop the events of a student that came from its journal (kept: scanned files).
pub fn delete_journal_events(conn: &Connection, id: Uuid) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM events WHERE student = ?1 AND journal_offset IS NOT NULL", [id.to_string()])?;
    Ok(())
}

pub fn has_chat(conn: &Connection, student: Uuid, chat_id: Uuid) -> rusqlite::Result<bool> {
    let mut st = conn.prepare_cached("SELECT 1 FROM events WHERE student = ?1 AND chat_id = ?2")?;
    st.exists(params![student.to_string(), chat_id.to_string()])
}

/// Insert an event; false when it duplicates a chat id or a file path.
pub fn insert_event(conn: &Connection, e: &NewEvent) -> rusqlite::Result<bool> {
    let mut st = conn.prepare_cached(
        "INSERT OR IGNORE INTO events(student, ts, kind, login, chat_id, text, sent_ts, raised,
            reason, detail, path, thumb, size, sha256, name, transfer, file_kind, received, journal_offset,
            msg_state, answer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?;
    let c = Columns::of(&e.body);
    let n = st.execute(params![
        e.student.to_string(),
        e.ts,
        e.body.kind().as_str(),
        e.login,
        c.chat_id.map(|u| u.to_string()),
        c.text,
        e.sent_ts,
        c.raised,
        c.reason,
        c.detail,
        c.path,
        c.thumb,
        c.size.map(|v| v.min(i64::MAX as u64) as i64),
        c.sha256,
        c.name,
        c.transfer.map(|u| u.to_string()),
        c.file_kind.map(|k| k.as_str()),
        c.received.map(|v| v.min(i64::MAX as u64) as i64),
        e.journal_offset.map(|v| v as i64),
        c.msg_state.map(|d| d.as_str()),
        c.answer.map(|a| a.as_str()),
    ])?;
    Ok(n == 1)
}

/// (event id, path, thumb) of every file event of a student.
pub fn file_events(conn: &Connection, student: Uuid) -> rusqlite::Result<Vec<(i64, String, Option<String>)>> {
    let mut st = conn.prepare_cached("SELECT id, path, thumb FROM events WHERE student = ?1 AND path IS NOT NULL")?;
    let rows = st.query_map([student.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

pub fn delete_event(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM events WHERE id = ?1", [id])?;
    Ok(())
}

pub fn clear_thumb(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    conn.execute("UPDATE events SET thumb = NULL WHERE id = ?1", [id])?;
    Ok(())
}

/// Empty the index (for reindex) and bump the generation counter.
pub fn clear_all(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM events; DELETE FROM seats; DELETE FROM students;
         UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation';",
    )
}

/// Advance a lecturer message to `to` (never back: a late `ack` after `read` changes nothing).
pub fn advance_message(conn: &Connection, student: Uuid, id: Uuid, to: Delivery) -> rusqlite::Result<bool> {
    let below: &[&str] = match to {
        Delivery::Queued => &[],
        Delivery::Delivered => &["queued"],
        Delivery::Read => &["queued", "delivered"],
    };
    let mut n = 0;
    for from in below {
        n += conn.execute(
            "UPDATE events SET msg_state = ?3 WHERE student = ?1 AND chat_id = ?2 AND msg_state = ?4",
            params![student.to_string(), id.to_string(), to.as_str(), from],
        )?;
    }
    Ok(n > 0)
}

/// Record a request's answer (its text goes in `detail`).
pub fn set_answer(
    conn: &Connection,
    student: Uuid,
    id: Uuid,
    answer: AnswerStatus,
    text: Option<&str>,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE events SET answer = ?3, detail = ?4 WHERE student = ?1 AND chat_id = ?2 AND kind = 'request'",
        params![student.to_string(), id.to_string(), answer.as_str(), text],
    )?;
    Ok(n > 0)
}
