//! The pinning check of an encrypted class, in one place (both socket threads call it; it is
//! keyed by the wire `student` id, so it can move wherever student ids get mapped).

use super::rate::{Bucket, Rate};
use super::stats::{EventSink, StatsCounter};
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
}

impl Pinning {
    pub fn new(pins: Pins, rate: Rate) -> Self {
        let new_pins = Mutex::new(Bucket::full(rate, Instant::now()));
        Pinning { pins, flagged: Mutex::new(HashMap::new()), new_pins, rate }
    }

    /// May a message for `student` that came from the client key `key` (the connection's
    /// User-Id; `None` in a plaintext class, where nothing is pinned) be accepted? The first
    /// key that asks for an unpinned id is pinned. A mismatch is counted and flagged live.
    pub fn admit(
        &self,
        student: Uuid,
        login: &str,
        key: Option<&PublicKey>,
        stats: &StatsCounter,
        sink: &EventSink,
    ) -> Result<(), Refusal> {
        let Some(key) = key else { return Ok(()) };
        let may_pin = || self.new_pins.lock().unwrap_or_else(|e| e.into_inner()).take(self.rate, Instant::now());
        match self.pins.admit(student, key, may_pin) {
            Admit::PinnedNow | Admit::Matches => Ok(()),
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
        let p = Pinning::new(Pins::open(dir.path()).unwrap(), Rate { per_second: 0.0, burst: 2.0 });
        let stats = Arc::new(StatsCounter::default());
        let (tx, rx) = crossbeam_channel::unbounded();
        let sink = EventSink::new(tx, stats.clone());
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        assert!(p.admit(a, "a", Some(&k1), &stats, &sink).is_ok());
        assert!(p.admit(b, "b", Some(&k1), &stats, &sink).is_ok());
        let r = p.admit(c, "c", Some(&k1), &stats, &sink).unwrap_err();
        assert_eq!(r.reason, Reason::RateLimited, "a third new pin is over the budget");
        assert_eq!(p.pins.get(c), None);
        assert!(p.admit(a, "a", Some(&k1), &stats, &sink).is_ok(), "a pinned id is not rate limited");
        assert!(p.admit(c, "c", None, &stats, &sink).is_ok(), "plaintext: nothing to pin");
        // A mismatch is flagged once per student per FLAG_EVERY, counted every time.
        for _ in 0..3 {
            assert_eq!(p.admit(a, "a", Some(&k2), &stats, &sink).unwrap_err().reason, Reason::KeyMismatch);
        }
        let flags = rx.try_iter().filter(|e| matches!(e, Event::Rejected { reason, .. } if reason == "key_mismatch"));
        assert_eq!(flags.count(), 1);
        let st = stats.snapshot();
        assert_eq!((st.rejected.get("key_mismatch"), st.rejected.get("rate_limited")), (Some(&3), Some(&1)));
    }
}
