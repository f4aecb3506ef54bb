//! Who is who (issue 13): which student of the store a message's wire `student` id and login
//! belong to. The rules are docs/PROTOCOL.md's "Identity"; in short:
//!
//! - a (wire id, login) seen before goes where it went before (the `seats` of student.json);
//! - a wire id that is a student's own id, with that student's login, is that student;
//! - a (wire id, login) never seen together joins the one student with that login who is not
//!   online from another wire id (the same student on another seat), else it is kept apart:
//!   under the wire id itself when the wire id is new, under an id derived from (wire id,
//!   login) when the wire id is known with another login (an old add-on on a shared seat), so
//!   the first login's history never receives the second's files.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::{Result, StoreError};
use super::meta::{read_student_json, write_student_file, StudentJson};
use super::{Store, StudentRef};
use crate::index::{queries, seats, write};
use crate::model::Seat;

/// What `Store::resolve` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The student, with `wire` set to the id the message came by.
    pub student: StudentRef,
    /// The wire id was known under another login: (that student, that login). A shared seat
    /// changed hands (the lecturer sees "seat: anna → bartek").
    pub login_changed: Option<(Uuid, String)>,
    /// A (wire id, login) never seen together was filed with the existing student of that login.
    pub aliased: bool,
}

/// The id of the student that the wire id `wire` with `login` is kept apart under, when `wire`
/// already belongs to another login: deterministic (restarts and `reindex` agree), a UUID v8
/// made of the first 16 bytes of SHA-256("pracownia/identity/1" ‖ wire's 16 bytes ‖
/// UTF-8 of the login in Unicode lowercase).
pub fn derived_id(wire: Uuid, login: &str) -> Uuid {
    let mut h = Sha256::new();
    h.update(b"pracownia/identity/1");
    h.update(wire.as_bytes());
    h.update(write::login_key(login).as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

impl Store {
    /// The student a message from wire id `wire` with `login` belongs to, creating it (or the
    /// alias) when needed. `online` gives the wire id a student is online from now, if it is
    /// (the receiver's presence and return-path registrations).
    pub fn resolve(&mut self, wire: Uuid, login: &str, online: &dyn Fn(Uuid) -> Option<Uuid>) -> Result<Resolved> {
        let plain = |student: StudentRef| Resolved {
            student: StudentRef { wire, ..student },
            login_changed: None,
            aliased: false,
        };
        if let Some(id) = seats::lookup(&self.db, wire, login)? {
            if let Some(row) = write::student(&self.db, id)? {
                return Ok(plain(self.student(id, &row.login)?));
            }
        }
        let own = write::student(&self.db, wire)?;
        if let Some(row) = &own {
            if write::login_key(&row.login) == write::login_key(login) {
                // As before identity: a change of case only renames.
                return Ok(plain(self.student(wire, login)?));
            }
        }
        let before = match &own {
            Some(row) => Some((row.id, row.login.clone())),
            None => seats::for_wire(&self.db, wire)?.into_iter().next(),
        };
        let same_login = queries::ids_with_login(&self.db, login, None)?;
        let (id, aliased) = match same_login.as_slice() {
            [only] if online(*only).is_none_or(|w| w == wire) => (*only, true),
            _ if before.is_none() => (wire, false),
            _ => (derived_id(wire, login), false),
        };
        let student = match write::student(&self.db, id)? {
            Some(row) => self.student(id, &row.login)?,
            None => self.student(id, login)?,
        };
        if id != wire {
            self.note_seat(&student, wire, login, None, None, crate::store::fsutil::now_ms())?;
        }
        Ok(Resolved {
            student: StudentRef { wire, ..student },
            login_changed: before.filter(|(prev, _)| *prev != id),
            aliased,
        })
    }

    /// Remember that `s` came by wire id `wire` with `login` (from a computer named `host`, an
    /// add-on configuration `seat`) at `at`: in student.json (the truth, so `reindex` rebuilds
    /// it) and the index. `host`/`seat` left out keep what was known.
    pub fn note_seat(
        &mut self,
        s: &StudentRef,
        wire: Uuid,
        login: &str,
        host: Option<String>,
        seat: Option<Uuid>,
        at: i64,
    ) -> Result<()> {
        let mut json = self.student_json(s)?;
        let key = write::login_key(login);
        match json.seats.iter_mut().find(|x| x.wire == wire && write::login_key(&x.login) == key) {
            Some(x) => {
                x.login = login.to_string();
                x.host = host.or(x.host.take());
                x.seat = seat.or(x.seat);
                x.last_seen = x.last_seen.max(at);
            }
            None => json.seats.push(Seat { wire, login: login.to_string(), host, seat, last_seen: at }),
        }
        json.seats.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.wire.cmp(&b.wire)));
        self.save_seats(s, json)
    }

    pub(crate) fn student_json(&self, s: &StudentRef) -> Result<StudentJson> {
        match read_student_json(&s.dir)? {
            Some(j) if j.id == s.id => Ok(j),
            _ => Err(StoreError::CorruptMetadata {
                path: s.dir.join(super::STUDENT_FILE),
                detail: format!("it does not belong to student {}", s.id),
            }),
        }
    }

    pub(crate) fn save_seats(&mut self, s: &StudentRef, json: StudentJson) -> Result<()> {
        write_student_file(&s.dir, &json)?;
        seats::replace(&self.db, s.id, &json.seats)?;
        Ok(())
    }
}
