//! The pinning check of an encrypted class, in one place (both socket threads call it; it is
//! keyed by the wire `student` id, so it can move wherever student ids get mapped).

use super::rate::{take_both, Bucket, Over, PerKey, Rate};
use super::stats::{EventSink, StatsCounter};
use super::work::Conn;
use crate::events::Event;
use crate::keys::PublicKey;
use crate::pins::{Admit, Pins};
use crate::reject::{Reason, Refusal};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// At most one live `key_mismatch` event per student per this long: a stranger replaying a
/// student's id must not flood the lecturer's app (every refusal is still counted).
const FLAG_EVERY: Duration = Duration::from_secs(10);
/// Bounds the throttle's memory when many ids are claimed.
const MAX_FLAGGED: usize = 4096;

/// The pins, the rate of new ones and the throttle of the events they raise.
pub struct Pinning {
    pub pins: Pins,
    flagged: Mutex<HashMap<Uuid, Instant>>,
    /// New pins are written to disk at once, before the worker's own budget of new student ids
    /// is asked: without this bound, made-up ids would rewrite the pins file without end. The
    /// same rate as new students (`Limits::new_students`).
    new_pins: Mutex<Bucket>,
    rate: Rate,
    /// And per connection (`Limits::new_ids_per_connection`), as the worker's new ids: one
    /// connection making up ids must not spend the whole receiver's budget of new pins.
    per_conn: Mutex<PerKey<u64>>,
}

/// Connections whose budget of new pins is remembered (a bucket is made only for a pin taken
/// within the whole receiver's budget, and dropped once full again).
const CONNECTIONS_KEPT: usize = 4096;

impl Pinning {
    pub fn new(pins: Pins, rate: Rate, per_connection: Rate) -> Self {
        let new_pins = Mutex::new(Bucket::full(rate, Instant::now()));
        let per_conn = Mutex::new(PerKey::bounded(per_connection, CONNECTIONS_KEPT));
        Pinning { pins, flagged: Mutex::new(HashMap::new()), new_pins, rate, per_conn }
    }

    /// May a message for `student` that came from the client key `key` (the connection's
    /// User-Id; `None` in a plaintext class, where nothing is pinned) be accepted? The first
    /// key that asks for an unpinned id is pinned, within the budgets of new pins (`conn`: the
    /// connection's number). A mismatch is counted and flagged live.
    pub fn admit(
        &self,
        student: Uuid,
        login: &str,
        key: Option<&PublicKey>,
        conn: Conn,
        stats: &StatsCounter,
        sink: &EventSink,
    ) -> Result<(), Refusal> {
        let Some(key) = key else { return Ok(()) };
        let mut over_conn = false;
        let may_pin = || {
            let mut per_conn = self.per_conn.lock().unwrap_or_else(|e| e.into_inner());
            let mut new_pins = self.new_pins.lock().unwrap_or_else(|e| e.into_inner());
            match take_both(&mut new_pins, self.rate, &mut per_conn, conn, Instant::now()) {
                Ok(()) => true,
                Err(over) => {
                    over_conn = over == Over::Connection;
                    false
                }
            }
        };
        match self.pins.admit(student, key, may_pin) {
            Admit::PinnedNow | Admit::Matches => Ok(()),
            Admit::NotNow if over_conn => {
                let r = Refusal::new(Reason::TooManyIds, "too many new student keys from one connection");
                stats.reject(&r, login);
                Err(r)
            }
            Admit::NotNow => {
                let r = Refusal::new(Reason::RateLimited, "too many new student keys: over the receiver's budget");
                stats.reject(&r, login);
                Err(r)
            }
            Admit::Mismatch => {
                let r = Refusal::new(Reason::KeyMismatch, "another key than the one this student is pinned to");
                stats.reject(&r, login);
                if self.should_flag(student) {
                    sink.emit(Event::Rejected {
                        at: chrono::Utc::now().timestamp_millis(),
                        reason: r.reason.code().into(),
                        detail: r.detail.clone(),
                        student: Some(student),
                        login: Some(login.to_owned()),
                    });
                }
                Err(r)
            }
        }
    }

    fn should_flag(&self, student: Uuid) -> bool {
        let mut flagged = self.flagged.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if flagged.len() >= MAX_FLAGGED {
            flagged.retain(|_, t| now.duration_since(*t) < FLAG_EVERY);
        }
        match flagged.get(&student) {
            Some(t) if now.duration_since(*t) < FLAG_EVERY => false,
            _ => {
                flagged.insert(student, now);
                true
            }
        }
    }
}

/// The client key a message came with: the User-Id that [`super::zap`] set, if any.
pub fn client_key(first_frame: &mut zmq::Message) -> Option<PublicKey> {
    first_frame.gets("User-Id").and_then(crate::keys::decode_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn new_pins_are_rate_limited_and_pinned_ids_are_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(crate::store::META_DIR)).unwrap();
        let p = Pinning::new(
            Pins::open(dir.path()).unwrap(),
            Rate { per_second: 0.0, burst: 2.0 },
            crate::limits::Limits::default().new_ids_per_connection,
        );
        let stats = Arc::new(StatsCounter::default());
        let (tx, rx) = crossbeam_channel::unbounded();
        let sink = EventSink::new(tx, stats.clone());
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        assert!(p.admit(a, "a", Some(&k1), None, &stats, &sink).is_ok());
        assert!(p.admit(b, "b", Some(&k1), None, &stats, &sink).is_ok());
        let r = p.admit(c, "c", Some(&k1), None, &stats, &sink).unwrap_err();
        assert_eq!(r.reason, Reason::RateLimited, "a third new pin is over the budget");
        assert_eq!(p.pins.get(c), None);
        assert!(p.admit(a, "a", Some(&k1), None, &stats, &sink).is_ok(), "a pinned id is not rate limited");
        assert!(p.admit(c, "c", None, None, &stats, &sink).is_ok(), "plaintext: nothing to pin");
        // A mismatch is flagged once per student per FLAG_EVERY, counted every time.
        for _ in 0..3 {
            assert_eq!(p.admit(a, "a", Some(&k2), None, &stats, &sink).unwrap_err().reason, Reason::KeyMismatch);
        }
        let flags = rx.try_iter().filter(|e| matches!(e, Event::Rejected { reason, .. } if reason == "key_mismatch"));
        assert_eq!(flags.count(), 1);
        let st = stats.snapshot();
        assert_eq!((st.rejected.get("key_mismatch"), st.rejected.get("rate_limited")), (Some(&3), Some(&1)));
    }

    #[test]
    fn one_connection_pins_its_budget_of_new_ids_and_spends_no_more_of_the_receivers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(crate::store::META_DIR)).unwrap();
        let (all, per_conn) = (Rate { per_second: 0.0, burst: 5.0 }, Rate { per_second: 0.0, burst: 2.0 });
        let p = Pinning::new(Pins::open(dir.path()).unwrap(), all, per_conn);
        let stats = Arc::new(StatsCounter::default());
        let (tx, _rx) = crossbeam_channel::unbounded();
        let sink = EventSink::new(tx, stats.clone());
        let key = [3u8; 32];
        let from = |conn: u64| p.admit(Uuid::new_v4(), "x", Some(&key), Some(conn), &stats, &sink);
        let refused: Vec<Reason> = (0..6).filter_map(|_| from(1).err().map(|r| r.reason)).collect();
        assert_eq!(refused, vec![Reason::TooManyIds; 4], "connection 1 pins 2 ids");
        // The receiver's budget had 5: connection 1 spent only 2 of them.
        assert!(from(2).is_ok() && from(2).is_ok() && from(3).is_ok());
        assert_eq!(from(4).unwrap_err().reason, Reason::RateLimited, "now the receiver's budget is spent");
    }
}
