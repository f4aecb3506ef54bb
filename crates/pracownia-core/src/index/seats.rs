//! The `seats` table: which student a wire id with a login belongs to (rebuilt from each
//! student.json's `seats`).

use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::queries::uuid_col;
use super::write::login_key;
use crate::model::Seat;

/// The student that the wire id `wire` with `login` (case-insensitive) belongs to.
pub fn lookup(conn: &Connection, wire: Uuid, login: &str) -> rusqlite::Result<Option<Uuid>> {
    conn.query_row(
        "SELECT student FROM seats WHERE wire = ?1 AND login_key = ?2",
        params![wire.to_string(), login_key(login)],
        |r| uuid_col(r, 0),
    )
    .optional()
}

/// Every (student, login) the wire id `wire` is known with, most recently seen first.
pub fn for_wire(conn: &Connection, wire: Uuid) -> rusqlite::Result<Vec<(Uuid, String)>> {
    let mut st =
        conn.prepare_cached("SELECT student, login FROM seats WHERE wire = ?1 ORDER BY last_seen DESC, student")?;
    let rows = st.query_map([wire.to_string()], |r| Ok((uuid_col(r, 0)?, r.get(1)?)))?;
    rows.collect()
}

/// A student's seats, most recently seen first.
pub fn of_student(conn: &Connection, student: Uuid) -> rusqlite::Result<Vec<Seat>> {
    let mut st = conn.prepare_cached(
        "SELECT wire, login, host, seat, last_seen FROM seats WHERE student = ?1 ORDER BY last_seen DESC, wire",
    )?;
    let rows = st.query_map([student.to_string()], |r| {
        let seat: Option<String> = r.get(3)?;
        Ok(Seat {
            wire: uuid_col(r, 0)?,
            login: r.get(1)?,
            host: r.get(2)?,
            seat: seat.and_then(|s| Uuid::parse_str(&s).ok()),
            last_seen: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Replace the rows of `student` with `seats` (a (wire, login) another student held moves here).
pub fn replace(conn: &Connection, student: Uuid, seats: &[Seat]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM seats WHERE student = ?1", [student.to_string()])?;
    let mut st = conn.prepare_cached(
        "INSERT OR REPLACE INTO seats(wire, login_key, student, login, host, seat, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for s in seats {
        st.execute(params![
            s.wire.to_string(),
            login_key(&s.login),
            student.to_string(),
            s.login,
            s.host,
            s.seat.map(|u| u.to_string()),
            s.last_seen
        ])?;
    }
    Ok(())
}
