//! The pinning check of an encrypted class, in one place (both socket threads call it; it is
//! keyed by the wire `student` id, so it can move wherever student ids get mapped).

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

/// The pins and the throttle of the events they raise.
pub struct Pinning {
    pub pins: Pins,
    flagged: Mutex<HashMap<Uuid, Instant>>,
}

impl Pinning {
    pub fn new(pins: Pins) -> Self {
        Pinning { pins, flagged: Mutex::new(HashMap::new()) }
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
        match self.pins.admit(student, key) {
            Admit::PinnedNow | Admit::Matches => Ok(()),
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
