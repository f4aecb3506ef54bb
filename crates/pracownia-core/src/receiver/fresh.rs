//! Replay refusal (docs/PROTOCOL.md, "Freshness"): captured frames, class-code MAC included,
//! must not recreate a join, a hand or a `bye` when someone sends them again.
//!
//! A sender that puts `boot` (a random UUID per sending process) in its headers promises that
//! `seq` increases within that process on each connection (v1 and return path, counted apart:
//! the two sockets do not keep order between them). So per wire student id the receiver keeps
//! the boots it has seen: a live boot's last seq per path, and boots that ended (`bye`, or pushed
//! out by newer ones) as retired. A message is a replay when its boot is retired, or when its seq
//! is not above the last one of its live boot and path. An unknown boot starts a new sequence:
//! no clocks are compared, since lab machines' clocks are not to be trusted and a wrong one must
//! not lock a student out. Senders without `boot` (older add-ons) are not checked.
//!
//! The state is kept in `.pracownia/freshness.json` (written at most every `SAVE_EVERY` and at
//! shutdown), so a restarted receiver still refuses what it had seen.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::reject::{Reason, Refusal};

/// Live boots kept per student id: one per Blender instance the student has open (a second
/// window on the same seat is a second process), with room to spare.
const LIVE_PER_STUDENT: usize = 8;
/// Retired boots remembered per student id (a few weeks of lab sessions); older ones are forgotten.
const RETIRED_PER_STUDENT: usize = 64;
/// Student ids whose state is kept; ids least recently seen are dropped beyond this.
const STUDENTS: usize = 4096;
pub(crate) const SAVE_EVERY: Duration = Duration::from_secs(2);
pub(crate) const FILE: &str = "freshness.json";

/// Which connection a message came by: each keeps its own order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    V1,
    Return,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Live {
    boot: Uuid,
    /// The last accepted seq on the v1 socket / the return path (None: nothing yet).
    v1: Option<u64>,
    ret: Option<u64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct PerStudent {
    /// Most recently used last.
    live: VecDeque<Live>,
    /// Oldest first.
    retired: VecDeque<Uuid>,
    /// Order of last use among students (for the bound on ids); larger is more recent.
    #[serde(default)]
    used: u64,
}

#[derive(Deserialize, Default)]
struct Saved {
    v: u32,
    students: BTreeMap<Uuid, PerStudent>,
}

/// The freshness state of every student id.
pub(crate) struct Freshness {
    students: BTreeMap<Uuid, PerStudent>,
    clock: u64,
    path: Option<PathBuf>,
    dirty: bool,
    saved_at: Instant,
}

impl Freshness {
    /// Load the state kept in `dir` (the store's `.pracownia`); a missing or damaged file starts
    /// empty (and says so in the log: the receiver then refuses only what it sees from now on).
    pub(crate) fn load(dir: Option<&Path>) -> Freshness {
        let path = dir.map(|d| d.join(FILE));
        let students = match path.as_deref().map(fs::read) {
            Some(Ok(bytes)) => match serde_json::from_slice::<Saved>(&bytes) {
                Ok(f) if f.v == 1 => f.students,
                _ => {
                    log::warn!("{} is damaged; replay checks start afresh", path.as_deref().unwrap().display());
                    BTreeMap::new()
                }
            },
            _ => BTreeMap::new(),
        };
        let clock = students.values().map(|s| s.used).max().unwrap_or(0);
        Freshness { students, clock, path, dirty: false, saved_at: Instant::now() }
    }

    /// Check one message and, when it is fresh, remember it. `bye` ends its boot.
    pub(crate) fn check(
        &mut self,
        student: Uuid,
        boot: Option<Uuid>,
        path: Route,
        seq: u64,
        bye: bool,
    ) -> Result<(), Refusal> {
        let Some(boot) = boot else { return Ok(()) };
        self.clock += 1;
        let used = self.clock;
        let s = self.students.entry(student).or_default();
        s.used = used;
        if s.retired.contains(&boot) {
            return Err(Refusal::new(Reason::Replay, format!("seq {seq} of a sender process that has ended")));
        }
        let i = match s.live.iter().position(|l| l.boot == boot) {
            Some(i) => i,
            None => {
                s.live.push_back(Live { boot, v1: None, ret: None });
                if s.live.len() > LIVE_PER_STUDENT {
                    let old = s.live.pop_front().expect("not empty");
                    retire(s, old.boot);
                }
                s.live.len() - 1
            }
        };
        let live = &mut s.live[i];
        let last = match path {
            Route::V1 => &mut live.v1,
            Route::Return => &mut live.ret,
        };
        if last.is_some_and(|l| seq <= l) {
            return Err(Refusal::new(
                Reason::Replay,
                format!("seq {seq} is not above {} already seen from this sender process", last.unwrap()),
            ));
        }
        *last = Some(seq);
        if bye {
            s.live.remove(i);
            retire(s, boot);
        } else if i + 1 != s.live.len() {
            let l = s.live.remove(i).expect("index");
            s.live.push_back(l);
        }
        self.dirty = true;
        if self.students.len() > STUDENTS {
            let oldest = self.students.iter().min_by_key(|(_, s)| s.used).map(|(id, _)| *id);
            if let Some(id) = oldest {
                self.students.remove(&id);
            }
        }
        Ok(())
    }

    /// Write the state when it changed and `SAVE_EVERY` has passed (or `now` is forced).
    pub(crate) fn save(&mut self, force: bool) {
        if !self.dirty || (!force && self.saved_at.elapsed() < SAVE_EVERY) {
            return;
        }
        self.saved_at = Instant::now();
        let Some(path) = &self.path else {
            self.dirty = false;
            return;
        };
        let bytes = serde_json::to_vec(&serde_json::json!({"v": 1, "students": &self.students}))
            .expect("the freshness state serialises");
        match crate::store::write_atomic(path, &bytes) {
            Ok(()) => self.dirty = false,
            Err(e) => log::warn!("could not save {}: {e}", path.display()),
        }
    }
}

fn retire(s: &mut PerStudent, boot: Uuid) {
    s.retired.push_back(boot);
    while s.retired.len() > RETIRED_PER_STUDENT {
        s.retired.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn seq_must_grow_per_boot_and_path() {
        let mut f = Freshness::load(None);
        let (s, b) = (id(1), Some(id(10)));
        assert!(f.check(s, b, Route::V1, 0, false).is_ok());
        assert!(f.check(s, b, Route::V1, 1, false).is_ok());
        // The return path counts apart (the same counter, but another connection's order).
        assert!(f.check(s, b, Route::Return, 0, false).is_ok());
        let r = f.check(s, b, Route::V1, 1, false).unwrap_err();
        assert_eq!(r.reason, Reason::Replay);
        assert!(f.check(s, b, Route::V1, 0, false).is_err());
        assert!(f.check(s, b, Route::V1, 5, false).is_ok());
        // Another student's numbers are theirs.
        assert!(f.check(id(2), b, Route::V1, 0, false).is_ok());
    }

    #[test]
    fn a_new_process_starts_again_and_an_ended_one_stays_ended() {
        let mut f = Freshness::load(None);
        let s = id(1);
        assert!(f.check(s, Some(id(10)), Route::V1, 0, false).is_ok());
        assert!(f.check(s, Some(id(10)), Route::V1, 7, true).is_ok()); // bye
        assert_eq!(f.check(s, Some(id(10)), Route::V1, 8, false).unwrap_err().reason, Reason::Replay);
        assert_eq!(f.check(s, Some(id(10)), Route::V1, 0, false).unwrap_err().reason, Reason::Replay);
        // Blender restarted: a new boot, seq from 0 again.
        assert!(f.check(s, Some(id(11)), Route::V1, 0, false).is_ok());
        // Two Blender windows at once: two live boots, each in order.
        assert!(f.check(s, Some(id(12)), Route::V1, 0, false).is_ok());
        assert!(f.check(s, Some(id(11)), Route::V1, 1, false).is_ok());
        assert!(f.check(s, Some(id(12)), Route::V1, 1, false).is_ok());
    }

    #[test]
    fn senders_without_boot_are_not_checked() {
        let mut f = Freshness::load(None);
        for _ in 0..3 {
            assert!(f.check(id(1), None, Route::V1, 0, false).is_ok());
        }
    }

    #[test]
    fn live_boots_beyond_the_bound_retire_the_oldest() {
        let mut f = Freshness::load(None);
        let s = id(1);
        for b in 0..=LIVE_PER_STUDENT as u128 {
            assert!(f.check(s, Some(id(100 + b)), Route::V1, 3, false).is_ok());
        }
        assert_eq!(f.check(s, Some(id(100)), Route::V1, 9, false).unwrap_err().reason, Reason::Replay);
        assert!(f.check(s, Some(id(101)), Route::V1, 4, false).is_ok());
    }

    #[test]
    fn state_survives_a_restart_and_a_damaged_file_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = Freshness::load(Some(dir.path()));
        assert!(f.check(id(1), Some(id(10)), Route::V1, 4, false).is_ok());
        assert!(f.check(id(1), Some(id(11)), Route::V1, 2, true).is_ok());
        f.save(true);
        let mut g = Freshness::load(Some(dir.path()));
        assert!(g.check(id(1), Some(id(10)), Route::V1, 4, false).is_err());
        assert!(g.check(id(1), Some(id(11)), Route::V1, 3, false).is_err());
        assert!(g.check(id(1), Some(id(10)), Route::V1, 5, false).is_ok());
        fs::write(dir.path().join(FILE), b"{not json").unwrap();
        let mut h = Freshness::load(Some(dir.path()));
        assert!(h.check(id(1), Some(id(10)), Route::V1, 1, false).is_ok());
    }

    #[test]
    fn the_shared_vectors_hold() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/freshness.json");
        let v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
        let mut f = Freshness::load(None);
        for s in v["steps"].as_array().unwrap() {
            let student: Uuid = s["student"].as_str().unwrap().parse().unwrap();
            let boot = s["boot"].as_str().map(|b| b.parse::<Uuid>().unwrap());
            let route = if s["route"] == "return" { Route::Return } else { Route::V1 };
            let got = f.check(student, boot, route, s["seq"].as_u64().unwrap(), s["kind"] == "bye");
            let want = s["expect"].as_str().unwrap();
            match got {
                Ok(()) => assert_eq!(want, "accept", "{}", s["note"]),
                Err(r) => assert_eq!((want, r.reason), ("replay", Reason::Replay), "{}", s["note"]),
            }
        }
    }
}
