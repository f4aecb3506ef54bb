//! Who is online, idle or offline, and whose hand is up: kept from the receiver's events (the
//! index records the history; this is the live state the grid shows). Presence follows only the
//! receiver's presence events, the tracker its online count also comes from: it sends `joined`
//! or `active` before anything from a student it had counted gone or idle, so a file stored
//! after a student left does not make them online again.

use pracownia_core::events::Event;
use pracownia_core::model::StudentSummary;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Online,
    Idle,
    #[default]
    Offline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StudentTile {
    pub summary: StudentSummary,
    pub presence: Presence,
    pub hand_raised: bool,
    /// Unix ms when the hand still up was raised: the longest wait is answered first.
    #[ts(type = "number | null")]
    pub hand_raised_at: Option<i64>,
    /// The student paused sharing (their heartbeats say so); false once they leave.
    pub sharing_paused: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Live {
    presence: Presence,
    /// When the hand that is up was raised.
    hand: Option<i64>,
    paused: bool,
}

#[derive(Debug, Default)]
pub struct PresenceMap {
    students: HashMap<Uuid, Live>,
}

impl PresenceMap {
    pub fn apply(&mut self, ev: &Event) {
        match ev {
            Event::StudentJoined { student, .. } | Event::StudentActive { student, .. } => {
                self.entry(*student).presence = Presence::Online
            }
            Event::StudentIdle { student, .. } => self.entry(*student).presence = Presence::Idle,
            Event::StudentLeft { student, .. } => *self.entry(*student) = Live::default(),
            Event::Sharing { student, paused, .. } => self.entry(*student).paused = *paused,
            Event::Hand { student, raised, at, .. } => {
                let live = self.entry(*student);
                // A repeated "raised" keeps the first time: the student has waited since then.
                live.hand = if *raised { live.hand.or(Some(*at)) } else { None };
            }
            _ => {}
        }
    }

    fn entry(&mut self, s: Uuid) -> &mut Live {
        self.students.entry(s).or_default()
    }

    pub fn presence(&self, s: Uuid) -> Presence {
        self.students.get(&s).map(|l| l.presence).unwrap_or_default()
    }

    pub fn hand_raised(&self, s: Uuid) -> bool {
        self.hand_raised_at(s).is_some()
    }

    pub fn hand_raised_at(&self, s: Uuid) -> Option<i64> {
        self.students.get(&s).and_then(|l| l.hand)
    }

    /// Whether `ev` (not yet applied) is news for the lecturer: a chat, or a hand that was not up.
    pub fn needs_attention(&self, ev: &Event) -> bool {
        match ev {
            Event::Chat { .. } => true,
            Event::Hand { student, raised: true, .. } => !self.hand_raised(*student),
            _ => false,
        }
    }

    pub fn sharing_paused(&self, s: Uuid) -> bool {
        self.students.get(&s).is_some_and(|l| l.paused)
    }

    /// Everyone offline, hands down (the receiver stopped).
    pub fn clear(&mut self) {
        self.students.clear();
    }

    pub fn tiles(&self, summaries: Vec<StudentSummary>) -> Vec<StudentTile> {
        summaries
            .into_iter()
            .map(|s| StudentTile {
                presence: self.presence(s.id),
                hand_raised: self.hand_raised(s.id),
                hand_raised_at: self.hand_raised_at(s.id),
                sharing_paused: self.sharing_paused(s.id),
                summary: s,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pracownia_core::events::LeaveReason;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn summary(n: u128) -> StudentSummary {
        StudentSummary {
            id: id(n),
            login: format!("s{n}"),
            folder: format!("s{n}"),
            first_seen: 0,
            last_seen: 0,
            chats: 0,
            screenshots: 0,
            blends: 0,
            bytes: 0,
            unread: 0,
            oldest_unread_at: None,
            latest_screenshot: None,
            latest_thumb: None,
            latest_screenshot_at: None,
            latest_blend_at: None,
            login_shared: false,
            looks_like: None,
            seats: vec![],
        }
    }

    #[test]
    fn follows_the_events() {
        let mut m = PresenceMap::default();
        let login = "ala".to_string();
        assert_eq!(m.presence(id(1)), Presence::Offline);
        m.apply(&Event::StudentJoined { at: 1, student: id(1), login: login.clone(), blender: None, host: None });
        assert_eq!(m.presence(id(1)), Presence::Online);
        m.apply(&Event::Hand { at: 2, student: id(1), login: login.clone(), raised: true });
        assert!(m.hand_raised(id(1)));
        m.apply(&Event::Hand { at: 3, student: id(1), login: login.clone(), raised: true });
        assert_eq!(m.hand_raised_at(id(1)), Some(2), "raised again: still waiting since the first raise");
        m.apply(&Event::StudentIdle { at: 3, student: id(1), login: login.clone() });
        assert_eq!(m.presence(id(1)), Presence::Idle);
        assert!(m.hand_raised(id(1)), "idle keeps the hand up");
        m.apply(&Event::StudentActive { at: 4, student: id(1), login: login.clone() });
        assert_eq!(m.presence(id(1)), Presence::Online, "back from idle");
        m.apply(&Event::Hand { at: 5, student: id(1), login: login.clone(), raised: false });
        assert!(!m.hand_raised(id(1)));
        assert_eq!(m.hand_raised_at(id(1)), None);
        m.apply(&Event::Hand { at: 6, student: id(1), login: login.clone(), raised: true });
        assert_eq!(m.hand_raised_at(id(1)), Some(6), "a new raise after lowering starts a new wait");
        m.apply(&Event::Sharing { at: 6, student: id(1), login: login.clone(), paused: true });
        assert!(m.sharing_paused(id(1)));
        m.apply(&Event::StudentIdle { at: 6, student: id(1), login: login.clone() });
        assert!(m.sharing_paused(id(1)), "idle keeps paused");
        m.apply(&Event::StudentLeft { at: 7, student: id(1), login, reason: LeaveReason::Timeout });
        assert!(!m.sharing_paused(id(1)), "leaving forgets paused");
        assert_eq!(m.presence(id(1)), Presence::Offline);
        assert!(!m.hand_raised(id(1)), "leaving lowers the hand");
        // The last file of a student who said bye is stored after the leave: still offline.
        m.apply(&Event::FileStored {
            at: 8,
            student: id(1),
            login: "ala".into(),
            kind: pracownia_core::model::FileKind::Screenshot,
            path: "p".into(),
            thumb: None,
            size: 1,
            sha256: "0".repeat(64),
        });
        m.apply(&Event::Chat { at: 8, student: id(1), login: "ala".into(), id: id(9), text: "x".into() });
        assert_eq!(m.presence(id(1)), Presence::Offline, "only presence events change presence");

        m.apply(&Event::StudentJoined { at: 8, student: id(2), login: "bob".into(), blender: None, host: None });
        let tiles = m.tiles(vec![summary(1), summary(2), summary(3)]);
        let p: Vec<_> = tiles.iter().map(|t| t.presence).collect();
        assert_eq!(p, [Presence::Offline, Presence::Online, Presence::Offline]);
        m.clear();
        assert_eq!(m.presence(id(2)), Presence::Offline);
        assert_eq!(serde_json::to_string(&Presence::Idle).unwrap(), "\"idle\"");
    }
}
