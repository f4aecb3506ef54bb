//! The worker's side of who is who (issue 13): which student a message belongs to
//! (`Store::resolve` with who is online now), a seat changing hands, and hello's seat.

use super::Worker;
use crate::events::{Event, Fault};
use crate::protocol::{Message, Payload};
use crate::receiver::work::Frame;
use crate::store::{Entry, LeaveReason, Resolved, StudentRef};
use uuid::Uuid;

impl Worker {
    /// The store's student for a wire id and login; online means sending on either path now.
    pub(super) fn identify(&mut self, wire: Uuid, login: &str) -> crate::store::error::Result<Resolved> {
        let (sending, registered) = (&self.wires, self.online.wires());
        self.store.resolve(wire, login, &|s| sending.get(&s).or_else(|| registered.get(&s)).copied())
    }

    /// The student a version-1 message belongs to, recording a seat that changed hands and what
    /// a hello says about the seat; None when the store failed (reported).
    pub(super) fn student_of(&mut self, msg: &Message<Frame>, at: i64) -> Option<StudentRef> {
        let c = &msg.common;
        let resolved = match self.identify(c.student, &c.login) {
            Ok(r) => r,
            Err(e) => {
                self.error(
                    Fault::StudentFolder,
                    Some(&c.login),
                    format!("Could not create the folder for {}: {e}", c.login),
                );
                return None;
            }
        };
        let student = resolved.student;
        let host = match &msg.payload {
            Payload::Hello { host, .. } => host.clone(),
            _ => None,
        };
        if let Some((previous, previous_login)) = resolved.login_changed {
            self.seat_changed_hands(c.student, previous, &previous_login, at);
            self.record(&student, at, Entry::LoginChanged { from: previous_login.clone(), host: host.clone() });
            self.sink.emit(Event::LoginChanged {
                at,
                student: student.id,
                login: student.login.clone(),
                previous,
                previous_login,
                wire: c.student,
                host: host.clone(),
            });
        }
        if let Payload::Hello { seat, .. } = &msg.payload {
            // Two seats already known as one student, both online now: one of them is someone
            // else (or the same person twice). Flag it; the lecturer can split a seat off.
            if self.wires.get(&student.id).is_some_and(|w| *w != c.student) {
                log::warn!("{} is online from two computers at once", crate::text::Inert(&student.login));
                self.sink.emit(Event::LoginShared { at, login: student.login.clone(), students: vec![student.id] });
            }
            if let Err(e) = self.store.note_seat(&student, c.student, &c.login, host, *seat, at) {
                log::warn!("could not note the seat of {}: {e}", crate::text::Inert(&student.login));
            }
        }
        Some(student)
    }

    /// The add-on that spoke for `previous` from `wire` speaks for another login now: `previous`
    /// left (rather than going idle and timing out).
    fn seat_changed_hands(&mut self, wire: Uuid, previous: Uuid, previous_login: &str, at: i64) {
        if self.wires.get(&previous) != Some(&wire) {
            return;
        }
        self.wires.remove(&previous);
        if self.presence.leave(previous) {
            self.hands.insert(previous, false);
            if let Ok(p) = self.store.known_student(previous) {
                self.record(&p, at, Entry::Leave { reason: LeaveReason::Bye });
            }
            let login = previous_login.to_owned();
            self.sink.emit(Event::StudentLeft { at, student: previous, login, reason: LeaveReason::Bye });
        }
    }
}
