//! What the worker refuses before it writes anything (issue 12): a replay, a new student id over
//! the budgets (per connection and for the whole receiver), anything a student can cause in bulk
//! while the disk is under the floor; and how a refusal is counted, journaled and shown.

use super::{Worker, DISK_CHECK_EVERY};
use crate::events::Event;
use crate::protocol::Common;
use crate::receiver::fresh::Route;
use crate::receiver::rate::{take_both, Over};
use crate::receiver::work::Conn;
use crate::reject::{Reason, Refusal};
use crate::store::{Entry, StudentRef};
use std::time::Instant;
use uuid::Uuid;

impl Worker {
    /// Is the store's free space under the floor? Then nothing a student can cause in bulk is
    /// written: no new student folders, no chat, no `rejected` journal lines (each an fsynced
    /// line); refusals are counted in memory instead (stats and events).
    pub(super) fn disk_low(&mut self) -> bool {
        let floor = self.cfg.limits.free_disk_floor;
        if floor == 0 {
            return false;
        }
        match self.disk_low {
            Some((t, low)) if t.elapsed() < DISK_CHECK_EVERY => low,
            _ => {
                let low = fs4::available_space(self.store.root()).is_ok_and(|free| free < floor);
                self.disk_low = Some((Instant::now(), low));
                low
            }
        }
    }

    /// A refusal of a message that has no student folder to be recorded in: counted and shown.
    pub(super) fn refuse_unrecorded(&mut self, student: Uuid, login: &str, at: i64, r: Refusal) {
        self.stats.reject(&r, login);
        self.sink.emit(Event::Rejected {
            at,
            reason: r.reason.code().into(),
            detail: r.detail,
            student: Some(student),
            login: Some(login.to_owned()),
        });
    }

    /// Is this message a replay? Counted, not shown one event each (a replayed capture can be
    /// long). Checked before anything else, so a replayed `bye` or hand changes nothing.
    pub(super) fn replayed(&mut self, c: &Common, bye: bool) -> bool {
        let Ok(mut fresh) = self.fresh.lock() else { return false };
        match fresh.check(c.student, c.boot, Route::V1, c.seq, bye) {
            Ok(()) => false,
            Err(r) => {
                drop(fresh);
                self.stats.reject(&r, &c.login);
                true
            }
        }
    }

    /// A student id the store does not know yet, from connection `conn`: within that connection's
    /// budget and the whole receiver's? Takes from both only when both have room, so a connection
    /// over its own budget cannot spend the receiver's. A refusal is counted, not shown one event
    /// each: a flood of made-up ids must not flood the UI.
    pub(super) fn admit_new_id(&mut self, conn: Conn, login: &str) -> bool {
        let rate = self.cfg.limits.new_students;
        let r = match take_both(&mut self.new_ids, rate, &mut self.conn_ids, conn, Instant::now()) {
            Ok(()) => return true,
            Err(Over::Connection) => Refusal::new(Reason::TooManyIds, "too many new student ids from one connection"),
            Err(Over::Receiver) => {
                Refusal::new(Reason::RateLimited, "too many new student ids: over the receiver's budget per minute")
            }
        };
        self.stats.reject(&r, login);
        false
    }

    pub(super) fn refuse(&mut self, s: &StudentRef, at: i64, r: Refusal, transfer: Option<Uuid>) {
        if self.disk_low() {
            return self.refuse_unrecorded(s.id, &s.login, at, r);
        }
        if !self.refusal_lines.take(s.id, Instant::now()) {
            // Over the journal's rate for this id: counted in memory only.
            return self.stats.reject(&r, &s.login);
        }
        self.stats.reject(&r, &s.login);
        self.record(s, at, Entry::Rejected { reason: r.reason.code().into(), detail: r.detail.clone(), transfer });
        self.sink.emit(Event::Rejected {
            at,
            reason: r.reason.code().into(),
            detail: r.detail,
            student: Some(s.id),
            login: Some(s.login.clone()),
        });
    }
}
