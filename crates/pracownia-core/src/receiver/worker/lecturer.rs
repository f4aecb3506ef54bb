//! The worker's side of the return path: journaling the lecturer's messages before they are
//! sent, sending them to registered students (again on register, and every `resend_every` until
//! acknowledged), recording `ack`/`read`/`answer`, and chat receipts.

use super::Worker;
use crate::events::{Event, Fault};
use crate::model::{Delivery, HandState, TimelineKind};
use crate::protocol::{LecturerPayload, ReturnMessage, ReturnPayload, MAX_CHAT_BYTES};
use crate::receiver::command::{Addressee, CommandError, CommandOutcome, LecturerCommand, Recipient};
use crate::receiver::return_path::ToStudent;
use crate::receiver::work::Conn;
use crate::store::{Outgoing, StudentRef};
use crossbeam_channel::Sender;
use std::collections::HashMap;
use std::time::Instant;
use uuid::Uuid;

/// Chats covered by the receipt sent on register.
const RECEIPT_CHATS: usize = 100;

/// Students registered on the return path, with their unacknowledged messages and when each
/// was last sent.
#[derive(Default)]
pub(crate) struct Online {
    students: HashMap<Uuid, Vec<(Outgoing, Instant)>>,
    /// The wire id each registered student registered with: the return path addresses the
    /// add-on by it (the add-on checks `student` is its own), while the store's id may be an
    /// alias's or a derived one.
    wires: HashMap<Uuid, Uuid>,
}

impl Online {
    /// Each registered student's wire id.
    pub(crate) fn wires(&self) -> &HashMap<Uuid, Uuid> {
        &self.wires
    }
}

fn payload(m: &Outgoing) -> Option<LecturerPayload> {
    let id = m.id;
    Some(match m.kind {
        TimelineKind::Reply => LecturerPayload::Reply { id, text: m.text.clone()? },
        TimelineKind::Broadcast => LecturerPayload::Broadcast { id, text: m.text.clone()? },
        TimelineKind::Request => LecturerPayload::Request { id, what: m.what? },
        TimelineKind::HandAck => LecturerPayload::Hand { id, state: HandState::Acknowledged },
        TimelineKind::HandLowered => LecturerPayload::Hand { id, state: HandState::Lowered },
        _ => return None,
    })
}

impl Worker {
    fn to_student(&self, student: Uuid, payload: LecturerPayload) {
        if let Some(tx) = &self.outgoing {
            let wire = self.online.wires.get(&student).copied().unwrap_or(student);
            let _ = tx.send(ToStudent { student: wire, payload });
        }
    }

    fn send_outgoing(&self, student: Uuid, m: &Outgoing) {
        if let Some(p) = payload(m) {
            self.to_student(student, p);
        }
    }

    pub(super) fn on_return(&mut self, msg: ReturnMessage, conn: Conn, at: i64) {
        let c = &msg.common;
        // A register makes a student as a hello does: the same budgets of new ids.
        if !self.store.knows(c.student).unwrap_or(false) && !self.admit_new_id(conn, &c.login) {
            return;
        }
        let student = match self.identify(c.student, &c.login) {
            Ok(r) => r.student,
            Err(e) => {
                return self.error(
                    Fault::StudentFolder,
                    Some(&c.login),
                    format!("Could not create the folder for {}: {e}", c.login),
                )
            }
        };
        // Our own journal writes: the watcher's echo of them needs no resync.
        self.last_write.insert(student.dir.clone(), Instant::now());
        match msg.payload {
            ReturnPayload::Register { .. } => self.registered(&student, at),
            ReturnPayload::Ack { ids } => self.advance(&student, at, &ids, Delivery::Delivered),
            ReturnPayload::Read { ids } => self.advance(&student, at, &ids, Delivery::Read),
            ReturnPayload::Answer { id, status, text } => {
                match self.store.record_answer(&student, at, id, status, text.clone()) {
                    Ok(true) => self.sink.emit(Event::RequestAnswered {
                        at,
                        student: student.id,
                        login: student.login.clone(),
                        id,
                        status,
                        text,
                    }),
                    Ok(false) => {}
                    Err(e) => self.error(
                        Fault::SaveDelivery,
                        Some(&student.login),
                        format!("Could not save the answer of {}: {e}", student.login),
                    ),
                }
            }
        }
    }

    /// Welcome the student, send everything still queued, in order, and one receipt for the
    /// recent chats.
    fn registered(&mut self, s: &StudentRef, at: i64) {
        self.online.wires.insert(s.id, s.wire);
        self.to_student(s.id, LecturerPayload::Welcome);
        let pending = match self.store.pending_messages(s.id) {
            Ok(p) => p,
            Err(e) => {
                self.error(
                    Fault::ReadQueue,
                    Some(&s.login),
                    format!("Could not read the messages queued for {}: {e}", s.login),
                );
                Vec::new()
            }
        };
        for m in &pending {
            self.send_outgoing(s.id, m);
        }
        let now = Instant::now();
        self.online.students.insert(s.id, pending.into_iter().map(|m| (m, now)).collect());
        match self.store.chat_receipt(s.id, RECEIPT_CHATS) {
            Ok((stored, read)) if !stored.is_empty() => {
                self.to_student(s.id, LecturerPayload::Receipt { stored, read })
            }
            Ok(_) => {}
            Err(e) => log::warn!("could not list the chats of {} for a receipt: {e}", crate::text::Inert(&s.login)),
        }
        self.sink.emit(Event::ReturnRegistered { at, student: s.id, login: s.login.clone() });
    }

    fn advance(&mut self, s: &StudentRef, at: i64, ids: &[Uuid], to: Delivery) {
        if let Some(out) = self.online.students.get_mut(&s.id) {
            out.retain(|(m, _)| !ids.contains(&m.id));
        }
        for &id in ids {
            match self.store.advance_message(s, at, id, to) {
                Ok(Some(kind)) => self.sink.emit(Event::MessageDelivery {
                    at,
                    student: s.id,
                    login: s.login.clone(),
                    id,
                    kind,
                    delivery: to,
                }),
                Ok(None) => {}
                Err(e) => self.error(
                    Fault::SaveDelivery,
                    Some(&s.login),
                    format!("Could not save the delivery of a message to {}: {e}", s.login),
                ),
            }
        }
    }

    /// The return connection registered with the wire id `wire` has gone.
    pub(super) fn return_gone(&mut self, wire: Uuid) {
        let gone: Vec<Uuid> = self.online.wires.iter().filter(|(_, w)| **w == wire).map(|(s, _)| *s).collect();
        for s in gone {
            self.online.wires.remove(&s);
            self.online.students.remove(&s);
        }
    }

    /// Resend what is still unacknowledged, at most every `resend_every` per message.
    pub(super) fn resend_due(&mut self) {
        let every = self.cfg.resend_every;
        let mut due = Vec::new();
        for (student, out) in self.online.students.iter_mut() {
            for (m, last) in out.iter_mut().filter(|(_, last)| last.elapsed() >= every) {
                *last = Instant::now();
                due.push((*student, m.clone()));
            }
        }
        for (student, m) in due {
            self.send_outgoing(student, &m);
        }
    }

    /// A chat was stored (or was already): tell the registered add-on.
    pub(super) fn chat_stored(&self, student: Uuid, id: Uuid) {
        if self.online.students.contains_key(&student) {
            self.to_student(student, LecturerPayload::Receipt { stored: vec![id], read: vec![] });
        }
    }

    /// The lecturer read this student's chat: say which of the recent chats are read.
    pub(super) fn chat_read(&self, student: Uuid) {
        if !self.online.students.contains_key(&student) {
            return;
        }
        match self.store.chat_receipt(student, RECEIPT_CHATS) {
            Ok((_, read)) if !read.is_empty() => {
                self.to_student(student, LecturerPayload::Receipt { stored: vec![], read })
            }
            Ok(_) => {}
            Err(e) => log::warn!("could not list read chats for a receipt: {e}"),
        }
    }

    pub(super) fn on_command(&mut self, cmd: LecturerCommand, reply: Sender<Result<CommandOutcome, CommandError>>) {
        let result = self.command(cmd);
        let _ = reply.send(result);
    }

    fn command(&mut self, cmd: LecturerCommand) -> Result<CommandOutcome, CommandError> {
        let store_err = |e: crate::store::StoreError| CommandError::Store { message: e.to_string() };
        let id = Uuid::new_v4();
        let (to, m) = match cmd {
            LecturerCommand::Say { to, text } => (
                vec![self.resolve(&to)?],
                Outgoing { kind: TimelineKind::Reply, id, text: Some(check(text)?), what: None },
            ),
            LecturerCommand::Announce { text } => {
                let all = self.store.all_students().map_err(store_err)?;
                (all, Outgoing { kind: TimelineKind::Broadcast, id, text: Some(check(text)?), what: None })
            }
            LecturerCommand::Request { to, what } => {
                let to = match to {
                    Addressee::One(q) => vec![self.resolve(&q)?],
                    Addressee::All => self.store.all_students().map_err(store_err)?,
                };
                (to, Outgoing { kind: TimelineKind::Request, id, text: None, what: Some(what) })
            }
            LecturerCommand::Hand { to, state } => {
                let kind = match state {
                    HandState::Acknowledged => TimelineKind::HandAck,
                    HandState::Lowered => TimelineKind::HandLowered,
                };
                (vec![self.resolve(&to)?], Outgoing { kind, id, text: None, what: None })
            }
        };
        if to.is_empty() {
            return Err(CommandError::NoStudents);
        }
        let mut queued = Vec::new();
        for s in to {
            let at = self.clock();
            self.last_write.insert(s.dir.clone(), Instant::now());
            self.store.record_outgoing(&s, at, &m).map_err(store_err)?;
            let online = match self.online.students.get_mut(&s.id) {
                Some(out) => {
                    out.push((m.clone(), Instant::now()));
                    true
                }
                None => false,
            };
            if online {
                self.send_outgoing(s.id, &m);
            }
            self.sink.emit(Event::MessageQueued {
                at,
                student: s.id,
                login: s.login.clone(),
                id,
                kind: m.kind,
                text: m.text.clone(),
                what: m.what,
                online,
            });
            queued.push(Recipient { student: s.id, login: s.login, online });
        }
        let online = queued.iter().filter(|r| r.online).count();
        Ok(CommandOutcome { id, queued, online })
    }

    /// One student by id or login; a login two ids share is refused, naming both.
    fn resolve(&self, query: &str) -> Result<StudentRef, CommandError> {
        let found = self.store.find_students(query).map_err(|e| CommandError::Store { message: e.to_string() })?;
        match found.len() {
            0 => Err(CommandError::UnknownStudent { query: query.trim().to_string() }),
            1 => Ok(found.into_iter().next().expect("one")),
            _ => Err(CommandError::AmbiguousLogin {
                login: query.trim().to_string(),
                ids: found.into_iter().map(|s| s.id).collect(),
            }),
        }
    }
}

/// The text rules of a `reply`/`broadcast` body (1–4096 bytes of UTF-8).
fn check(text: String) -> Result<String, CommandError> {
    if text.trim().is_empty() {
        return Err(CommandError::EmptyText);
    }
    if text.len() > MAX_CHAT_BYTES {
        return Err(CommandError::TextTooLong { bytes: text.len(), max: MAX_CHAT_BYTES });
    }
    Ok(text)
}
