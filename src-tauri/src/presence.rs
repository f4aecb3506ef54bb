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
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Live {
    presence: Presence,
    hand: bool,
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
            Event::Hand { student, raised, .. } => self.entry(*student).hand = *raised,
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
        self.students.get(&s).is_some_and(|l| l.hand)
    }

    /// Everyone offline, hands down (the receiver stopped).
    pub fn clear(&mut self) {
        self.students.clear();
    }

    pub fn tiles(&self, summaries: Vec<StudentSummary>) -> Vec<StudentTile> {
        summaries
            .into_iter()
            .map(|s| StudentTile { presence: self.presence(s.id), hand_raised: self.hand_raised(s.id), summary: s })
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
            unread: 0,
            latest_screenshot: None,
            latest_thumb: None,
            latest_blend_at: None,
            login_shared: false,
            looks_like: None,
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
        m.apply(&Event::StudentIdle { at: 3, student: id(1), login: login.clone() });
        assert_eq!(m.presence(id(1)), Presence::Idle);
        assert!(m.hand_raised(id(1)), "idle keeps the hand up");
        m.apply(&Event::StudentActive { at: 4, student: id(1), login: login.clone() });
        assert_eq!(m.presence(id(1)), Presence::Online, "back from idle");
        m.apply(&Event::Hand { at: 5, student: id(1), login: login.clone(), raised: false });
        assert!(!m.hand_raised(id(1)));
        m.apply(&Event::Hand { at: 6, student: id(1), login: login.clone(), raised: true });
        m.apply(&Event::StudentLeft { at: 7, student: id(1), login, reason: LeaveReason::Timeout });
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
