//! The worker's handling of a version-1 message: presence (join, leave, idle), chat, hands, and
//! chunks handed on to the transfers.

use super::Worker;
use crate::events::{Event, Fault};
use crate::protocol::{Message, Payload};
use crate::receiver::presence::Touch;
use crate::receiver::work::{Conn, Frame};
use crate::reject::{Reason, Refusal};
use crate::store::{Entry, LeaveReason, StudentRef};
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

impl Worker {
    pub(in crate::receiver) fn on_message(&mut self, msg: Message<Frame>, conn: Conn, at: i64) {
        let c = &msg.common;
        if self.replayed(c, matches!(msg.payload, Payload::Bye)) {
            return;
        }
        let known = self.store.knows(c.student).unwrap_or(false);
        if !known && self.disk_low() {
            let r = Refusal::new(Reason::DiskFull, "no room for a new student's folder: the disk is under the floor");
            let (id, login) = (c.student, c.login.clone());
            return self.refuse_unrecorded(id, &login, at, r);
        }
        if !known && !self.admit_new_id(conn, &c.login) {
            return;
        }
        let Some(student) = self.student_of(&msg, at) else { return };
        if let Payload::Bye = msg.payload {
            if self.wires.get(&student.id) == Some(&c.student) {
                self.wires.remove(&student.id);
            }
            if self.presence.leave(student.id) {
                self.hands.insert(student.id, false); // the add-on lowers the hand on disconnect
                self.record(&student, at, Entry::Leave { reason: LeaveReason::Bye });
                self.sink.emit(Event::StudentLeft {
                    at,
                    student: student.id,
                    login: student.login.clone(),
                    reason: LeaveReason::Bye,
                });
            }
            self.stats.online.store(self.presence.online() as u64, Relaxed);
            return;
        }
        self.wires.insert(student.id, c.student);
        match self.presence.touch(student.id, &student.login, Instant::now()) {
            Touch::Joined => self.joined(&student, at, &msg.payload),
            Touch::Back => {
                self.sink.emit(Event::StudentActive { at, student: student.id, login: student.login.clone() })
            }
            Touch::Seen => {}
        }
        if let Payload::Heartbeat { paused: Some(paused), .. } = msg.payload {
            if self.presence.set_paused(student.id, paused) {
                self.sink.emit(Event::Sharing { at, student: student.id, login: student.login.clone(), paused });
            }
        }
        let over_rate = matches!(msg.payload, Payload::Chat { .. } | Payload::Hand { .. })
            && !self.chats.take(student.id, Instant::now());
        match msg.payload {
            Payload::Chat { .. } | Payload::Hand { .. } if over_rate => {
                let r = Refusal::new(Reason::RateLimited, "chat or hand over the student's rate");
                self.refuse(&student, at, r, None);
            }
            Payload::Chat { .. } if self.disk_low() => {
                let r = Refusal::new(Reason::DiskFull, "chat not saved: the disk is under the floor");
                self.refuse_unrecorded(student.id, &student.login, at, r);
            }
            Payload::Chat { id, text } => {
                self.last_write.insert(student.dir.clone(), Instant::now());
                match self.store.record(&student, at, Entry::Chat { id, text: text.clone(), sent_ts: c.ts }) {
                    Ok(new) => {
                        // A resent chat (already stored) gets its receipt again: the first was lost.
                        self.chat_stored(student.id, id);
                        if new {
                            self.stats.chats.fetch_add(1, Relaxed);
                            self.sink.emit(Event::Chat {
                                at,
                                student: student.id,
                                login: student.login.clone(),
                                id,
                                text,
                            });
                        }
                    }
                    Err(e) => self.error(
                        Fault::SaveEvent,
                        Some(&student.login),
                        format!("Could not save an event of {}: {e}", student.login),
                    ),
                }
            }
            Payload::Hand { raised } => {
                // A hand message carries no id, and the add-on resends recent messages after the
                // lecturer comes back: only a change goes on the timeline. The event always goes
                // out (a restarted app learns the hand's state from it).
                let was = match self.hands.get(&student.id) {
                    Some(&h) => Some(h),
                    None => self.store.last_hand(student.id).unwrap_or(None),
                };
                if was != Some(raised) {
                    self.record(&student, at, Entry::Hand { raised });
                }
                self.hands.insert(student.id, raised);
                self.sink.emit(Event::Hand { at, student: student.id, login: student.login.clone(), raised });
            }
            Payload::Chunk(chunk) => self.on_chunk(student, chunk, at),
            Payload::Hello { .. } | Payload::Heartbeat { .. } | Payload::Bye => {}
        }
    }

    pub(super) fn joined(&mut self, s: &StudentRef, at: i64, payload: &Payload<Frame>) {
        self.stats.online.store(self.presence.online() as u64, Relaxed);
        self.record(s, at, Entry::Join);
        let (blender, host) = match payload {
            Payload::Hello { blender, host, .. } => (blender.clone(), host.clone()),
            _ => (None, None),
        };
        self.sink.emit(Event::StudentJoined { at, student: s.id, login: s.login.clone(), blender, host });
        match self.store.other_ids_with_login(&s.login, s.id) {
            Ok(others) if !others.is_empty() => {
                log::warn!(
                    "login \"{}\" is used by {} student ids; each is kept apart",
                    crate::text::Inert(&s.login),
                    others.len() + 1
                );
                let mut students = vec![s.id];
                students.extend(others);
                self.sink.emit(Event::LoginShared { at, login: s.login.clone(), students });
            }
            Ok(_) => {}
            Err(e) => {
                log::warn!("could not check whether login \"{}\" is shared: {e}", crate::text::Inert(&s.login))
            }
        }
    }
}
