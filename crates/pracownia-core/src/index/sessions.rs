//! Sessions (lab meetings) and attendance, derived from the timeline (issue 14).
//!
//! Nothing new is stored: a student is present from a `join` to the next `leave`; a join that
//! never got its leave (the receiver stopped, Blender crashed) ends at that student's last entry
//! before their next join. Anything a student sent with no join before it (an older store, a join
//! lost with a crash) counts as present from that moment. A session is a stretch of time in which
//! these presences follow each other with gaps shorter than `gap` (default 30 minutes): one lab
//! meeting, however often the receiver was restarted during it.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Sessions are split where nobody was present for this long.
pub const DEFAULT_GAP_MS: i64 = 30 * 60 * 1000;

/// One lab meeting.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// 1 for the oldest session of the store.
    pub number: u32,
    /// Unix ms of the first join (or first entry) in it.
    #[ts(type = "number")]
    pub start: i64,
    /// Unix ms of the last leave (or last entry) in it.
    #[ts(type = "number")]
    pub end: i64,
    /// Students present at some time in it.
    pub students: u32,
}

/// One student's presence in one session.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct Attendance {
    pub student: Uuid,
    pub login: String,
    /// Unix ms of their first join (or first entry) in the session.
    #[ts(type = "number")]
    pub first: i64,
    /// Unix ms of their last leave (or last entry) in the session.
    #[ts(type = "number")]
    pub last: i64,
    /// Time present, in ms (the sum of their stretches from join to leave).
    #[ts(type = "number")]
    pub present_ms: i64,
    /// How many times they joined (a reconnect counts).
    pub joins: u32,
}

/// One stretch of a student's presence.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stretch {
    student: Uuid,
    login: String,
    from: i64,
    to: i64,
    joined: bool,
}

/// What the student sent or what marks their presence (not the lecturer's own messages).
const PRESENCE_KINDS: &str = "'join','leave','chat','hand','screenshot','blend','incomplete','rejected'";

fn stretches(conn: &Connection) -> rusqlite::Result<Vec<Stretch>> {
    let sql = format!(
        "SELECT student, login, ts, kind FROM events WHERE kind IN ({PRESENCE_KINDS}) ORDER BY student, ts, id"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    let mut open: Option<Stretch> = None;
    while let Some(row) = rows.next()? {
        let student = match Uuid::parse_str(&row.get::<_, String>(0)?) {
            Ok(u) => u,
            Err(_) => continue,
        };
        let (login, ts, kind): (String, i64, String) = (row.get(1)?, row.get(2)?, row.get(3)?);
        if open.as_ref().is_some_and(|o| o.student != student) {
            out.extend(open.take());
        }
        match kind.as_str() {
            "join" => {
                out.extend(open.take());
                open = Some(Stretch { student, login, from: ts, to: ts, joined: true });
            }
            "leave" => {
                if let Some(mut o) = open.take() {
                    o.to = o.to.max(ts);
                    out.push(o);
                }
            }
            _ => match open.as_mut() {
                Some(o) => o.to = o.to.max(ts),
                None => open = Some(Stretch { student, login, from: ts, to: ts, joined: false }),
            },
        }
    }
    out.extend(open);
    Ok(out)
}

/// Group stretches (sorted by start) into sessions: (start, end, indices into `s`).
fn group(s: &[Stretch], gap: i64) -> Vec<(i64, i64, Vec<usize>)> {
    let mut order: Vec<usize> = (0..s.len()).collect();
    order.sort_by_key(|&i| (s[i].from, s[i].to));
    let mut out: Vec<(i64, i64, Vec<usize>)> = Vec::new();
    for i in order {
        match out.last_mut() {
            Some((_, end, members)) if s[i].from <= end.saturating_add(gap) => {
                *end = (*end).max(s[i].to);
                members.push(i);
            }
            _ => out.push((s[i].from, s[i].to, vec![i])),
        }
    }
    out
}

/// Every session of the store, oldest first. `gap`: see `DEFAULT_GAP_MS`.
pub fn sessions(conn: &Connection, gap: i64) -> rusqlite::Result<Vec<Session>> {
    let s = stretches(conn)?;
    Ok(group(&s, gap)
        .into_iter()
        .enumerate()
        .map(|(n, (start, end, members))| {
            let mut who: Vec<Uuid> = members.iter().map(|&i| s[i].student).collect();
            who.sort();
            who.dedup();
            Session { number: n as u32 + 1, start, end, students: who.len() as u32 }
        })
        .collect())
}

/// Who was present in session `number` (1-based), ordered by login; None when there is no such
/// session.
pub fn attendance(conn: &Connection, number: u32, gap: i64) -> rusqlite::Result<Option<Vec<Attendance>>> {
    let s = stretches(conn)?;
    let groups = group(&s, gap);
    let Some((_, _, members)) = number.checked_sub(1).and_then(|i| groups.get(i as usize)) else {
        return Ok(None);
    };
    let mut by: BTreeMap<Uuid, Attendance> = BTreeMap::new();
    for &i in members {
        let st = &s[i];
        let a = by.entry(st.student).or_insert_with(|| Attendance {
            student: st.student,
            login: st.login.clone(),
            first: st.from,
            last: st.to,
            present_ms: 0,
            joins: 0,
        });
        a.first = a.first.min(st.from);
        if st.to >= a.last {
            a.last = st.to;
            a.login = st.login.clone(); // the login they used last
        }
        a.present_ms += st.to - st.from;
        a.joins += st.joined as u32;
    }
    let mut out: Vec<Attendance> = by.into_values().collect();
    out.sort_by(|a, b| a.login.to_lowercase().cmp(&b.login.to_lowercase()).then(a.student.cmp(&b.student)));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(student: u128, from: i64, to: i64) -> Stretch {
        Stretch { student: Uuid::from_u128(student), login: format!("s{student}"), from, to, joined: true }
    }

    #[test]
    fn presences_closer_than_the_gap_are_one_session() {
        let min = 60_000;
        let s = vec![
            st(1, 0, 90 * min),
            st(2, 5 * min, 80 * min),
            // The receiver restarted: 10 minutes of nobody, same meeting.
            st(1, 100 * min, 120 * min),
            // Next week.
            st(2, 7 * 24 * 60 * min, 7 * 24 * 60 * min + 90 * min),
        ];
        let g = group(&s, DEFAULT_GAP_MS);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].0, g[0].1, g[0].2.len()), (0, 120 * min, 3));
        assert_eq!(g[1].2, vec![3]);
    }
}
