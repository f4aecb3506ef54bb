//! Who is online, idle or gone, from the messages (heartbeats at least every 5 s) each sends.

use std::collections::HashMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug)]
struct Seen {
    login: String,
    last: Instant,
    idle: bool,
    /// Sharing paused, as the last heartbeat with `paused` said.
    paused: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    Idle { student: Uuid, login: String },
    Gone { student: Uuid, login: String },
}

#[derive(Debug, PartialEq, Eq)]
pub enum Touch {
    Joined,
    /// Heard from again after being reported idle.
    Back,
    Seen,
}

#[derive(Debug, Default)]
pub struct Presence {
    seen: HashMap<Uuid, Seen>,
}

impl Presence {
    /// Note a message from `student`: whether it joined, came back from idle, or was there.
    pub fn touch(&mut self, student: Uuid, login: &str, now: Instant) -> Touch {
        match self.seen.get_mut(&student) {
            Some(s) => {
                s.last = now;
                if s.login != login {
                    s.login = login.to_owned();
                }
                if std::mem::replace(&mut s.idle, false) {
                    Touch::Back
                } else {
                    Touch::Seen
                }
            }
            None => {
                self.seen.insert(student, Seen { login: login.to_owned(), last: now, idle: false, paused: false });
                Touch::Joined
            }
        }
    }

    /// A heartbeat said whether sharing is paused; true when that changed (a student not
    /// online is not tracked: touch() first).
    pub fn set_paused(&mut self, student: Uuid, paused: bool) -> bool {
        match self.seen.get_mut(&student) {
            Some(s) if s.paused != paused => {
                s.paused = paused;
                true
            }
            _ => false,
        }
    }

    /// The student said goodbye; true when it was online.
    pub fn leave(&mut self, student: Uuid) -> bool {
        self.seen.remove(&student).is_some()
    }

    pub fn online(&self) -> usize {
        self.seen.len()
    }

    /// Who became idle or left since the last call.
    pub fn tick(&mut self, now: Instant, idle_after: Duration, offline_after: Duration) -> Vec<Change> {
        let mut out = Vec::new();
        self.seen.retain(|id, s| {
            let quiet = now.saturating_duration_since(s.last);
            if quiet >= offline_after {
                out.push(Change::Gone { student: *id, login: s.login.clone() });
                false
            } else {
                if quiet >= idle_after && !s.idle {
                    s.idle = true;
                    out.push(Change::Idle { student: *id, login: s.login.clone() });
                }
                true
            }
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_idle_back_and_gone() {
        let mut p = Presence::default();
        let id = Uuid::new_v4();
        let t0 = Instant::now();
        let (idle, off) = (Duration::from_secs(15), Duration::from_secs(60));
        assert_eq!(p.touch(id, "anna", t0), Touch::Joined);
        assert_eq!(p.touch(id, "anna", t0 + Duration::from_secs(2)), Touch::Seen);
        assert!(p.tick(t0 + Duration::from_secs(10), idle, off).is_empty());
        assert_eq!(
            p.tick(t0 + Duration::from_secs(20), idle, off),
            vec![Change::Idle { student: id, login: "anna".into() }]
        );
        assert!(p.tick(t0 + Duration::from_secs(21), idle, off).is_empty(), "idle is reported once");
        assert_eq!(p.touch(id, "anna", t0 + Duration::from_secs(30)), Touch::Back);
        assert_eq!(
            p.tick(t0 + Duration::from_secs(95), idle, off),
            vec![Change::Gone { student: id, login: "anna".into() }]
        );
        assert_eq!(p.online(), 0);
        assert_eq!(p.touch(id, "anna", t0 + Duration::from_secs(96)), Touch::Joined, "a returning student joins again");
        assert!(p.leave(id));
        assert!(!p.leave(id));
    }

    #[test]
    fn paused_changes_are_reported_once_and_forgotten_on_leave() {
        let mut p = Presence::default();
        let id = Uuid::new_v4();
        let t0 = Instant::now();
        assert!(!p.set_paused(id, true), "not online: nothing to change");
        p.touch(id, "anna", t0);
        assert!(!p.set_paused(id, false), "sharing is what a student starts with");
        assert!(p.set_paused(id, true));
        assert!(!p.set_paused(id, true), "the same again is no change");
        assert!(p.set_paused(id, false));
        assert!(p.set_paused(id, true));
        p.leave(id);
        p.touch(id, "anna", t0);
        assert!(p.set_paused(id, true), "back after leaving: sharing until told otherwise");
    }
}
