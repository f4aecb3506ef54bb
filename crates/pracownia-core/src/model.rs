//! Small shared types used by the store, the index and the receiver.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// The kind of file a student can send.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Screenshot,
    Blend,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Screenshot => "screenshot",
            FileKind::Blend => "blend",
        }
    }

    /// The sub-folder of a student folder that holds files of this kind.
    pub fn dir_name(self) -> &'static str {
        match self {
            FileKind::Screenshot => "screenshots",
            FileKind::Blend => "blends",
        }
    }

    /// File extensions (lowercase, without dot) accepted for this kind.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Screenshot => &["png", "jpg", "jpeg"],
            FileKind::Blend => &["blend"],
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when parsing an unknown kind name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a known kind")]
pub struct UnknownKind(pub String);

impl FromStr for FileKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "screenshot" => Ok(FileKind::Screenshot),
            "blend" => Ok(FileKind::Blend),
            _ => Err(UnknownKind(s.to_string())),
        }
    }
}

/// The kind of one timeline event (one journal line, one index row).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum TimelineKind {
    Join,
    Leave,
    Chat,
    Hand,
    Screenshot,
    Blend,
    Incomplete,
    Rejected,
    /// The lecturer's chat to one student (protocol 1.1 `reply`).
    Reply,
    /// An announcement to the class: one entry per student, sharing an id.
    Broadcast,
    /// The lecturer asked for a screenshot or a .blend (`file_kind` says which).
    Request,
    /// The lecturer acknowledged the student's raised hand.
    #[serde(rename = "hand_ack")]
    HandAck,
    /// The lecturer lowered the student's hand.
    #[serde(rename = "hand_lowered")]
    HandLowered,
    /// Journal-only: the student's add-on stored a lecturer message (updates that message's row,
    /// never a row of its own).
    Delivered,
    /// Journal-only: the student has seen a lecturer message.
    Read,
    /// Journal-only: what the add-on did with a request.
    Answer,
    /// A student id (wire id) already known under another login arrived with this student's
    /// login: a shared seat changed hands (`text` holds the earlier login, `detail` the host).
    #[serde(rename = "login_changed")]
    LoginChanged,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 17] = [
        TimelineKind::Join,
        TimelineKind::Leave,
        TimelineKind::Chat,
        TimelineKind::Hand,
        TimelineKind::Screenshot,
        TimelineKind::Blend,
        TimelineKind::Incomplete,
        TimelineKind::Rejected,
        TimelineKind::Reply,
        TimelineKind::Broadcast,
        TimelineKind::Request,
        TimelineKind::HandAck,
        TimelineKind::HandLowered,
        TimelineKind::Delivered,
        TimelineKind::Read,
        TimelineKind::Answer,
        TimelineKind::LoginChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Join => "join",
            TimelineKind::Leave => "leave",
            TimelineKind::Chat => "chat",
            TimelineKind::Hand => "hand",
            TimelineKind::Screenshot => "screenshot",
            TimelineKind::Blend => "blend",
            TimelineKind::Incomplete => "incomplete",
            TimelineKind::Rejected => "rejected",
            TimelineKind::Reply => "reply",
            TimelineKind::Broadcast => "broadcast",
            TimelineKind::Request => "request",
            TimelineKind::HandAck => "hand_ack",
            TimelineKind::HandLowered => "hand_lowered",
            TimelineKind::Delivered => "delivered",
            TimelineKind::Read => "read",
            TimelineKind::Answer => "answer",
            TimelineKind::LoginChanged => "login_changed",
        }
    }
}

/// How far a lecturer message has got (protocol 1.1, "Delivery"). Only ever advances.
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// Journaled, not yet acknowledged by the student's add-on.
    Queued,
    Delivered,
    Read,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
        }
    }
}

impl FromStr for Delivery {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Delivery::Queued, Delivery::Delivered, Delivery::Read]
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// What a student's add-on did with a request (`answer.status`).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum AnswerStatus {
    Capturing,
    Paused,
    Failed,
}

impl AnswerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerStatus::Capturing => "capturing",
            AnswerStatus::Paused => "paused",
            AnswerStatus::Failed => "failed",
        }
    }
}

impl FromStr for AnswerStatus {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [AnswerStatus::Capturing, AnswerStatus::Paused, AnswerStatus::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// The lecturer's answer to a raised hand (`hand.state` on the return path).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum HandState {
    /// Seen; the lecturer is coming.
    Acknowledged,
    Lowered,
}

impl HandState {
    pub fn as_str(self) -> &'static str {
        match self {
            HandState::Acknowledged => "acknowledged",
            HandState::Lowered => "lowered",
        }
    }
}

impl fmt::Display for TimelineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimelineKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimelineKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownKind(s.to_string()))
    }
}

impl From<FileKind> for TimelineKind {
    fn from(k: FileKind) -> Self {
        match k {
            FileKind::Screenshot => TimelineKind::Screenshot,
            FileKind::Blend => TimelineKind::Blend,
        }
    }
}

/// One row of a timeline, as read from the index: the fields every entry has, and by `kind` the
/// rest (`EntryBody`). In JSON the body's fields sit beside the common ones (`kind` tags them), so
/// the UI gets a discriminated union.
///
/// `login` is the login the student used when the event happened.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub ts: i64,
    pub student: Uuid,
    pub login: String,
    #[serde(flatten)]
    pub body: EntryBody,
}

impl TimelineEntry {
    pub fn kind(&self) -> TimelineKind {
        self.body.kind()
    }

    /// The stored file of a `screenshot` or `blend` entry.
    pub fn file(&self) -> Option<&FileEntry> {
        self.body.file()
    }

    /// The text of a chat, a lecturer message or a `login_changed` (the earlier login).
    pub fn text(&self) -> Option<&str> {
        match &self.body {
            EntryBody::Chat { text, .. } | EntryBody::LoginChanged { text, .. } => text.as_deref(),
            EntryBody::Request { text, .. } => text.as_deref(),
            EntryBody::Reply(m) | EntryBody::Broadcast(m) | EntryBody::HandAck(m) | EntryBody::HandLowered(m) => {
                m.text.as_deref()
            }
            _ => None,
        }
    }
}

/// The part of a timeline entry that depends on its kind. Fields are optional where a journal
/// line of that kind was accepted without them (they are shown as they were read).
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryBody {
    Join,
    Leave {
        /// `bye` or `timeout`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reason: Option<String>,
    },
    Chat {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        text: Option<String>,
        /// The chat's id (the sender's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        message: Option<Uuid>,
    },
    Hand {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        raised: Option<bool>,
    },
    Screenshot(FileEntry),
    Blend(FileEntry),
    /// A transfer that stopped before its last byte.
    Incomplete {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        transfer: Option<Uuid>,
        /// What kind of file was being sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        file_kind: Option<FileKind>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional, type = "number")]
        received: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional, type = "number")]
        size: Option<u64>,
    },
    /// A refusal worth showing on the student's timeline (`reason` is a reject code).
    Rejected {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        detail: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        transfer: Option<Uuid>,
    },
    /// The lecturer's chat to one student (protocol 1.1 `reply`).
    Reply(LecturerMessage),
    /// An announcement to the class: one entry per student, sharing an id.
    Broadcast(LecturerMessage),
    /// The lecturer asked for a screenshot or a .blend (`file_kind` says which).
    Request {
        message: Uuid,
        delivery: Delivery,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        file_kind: Option<FileKind>,
        /// The add-on's answer, once it came.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        answer: Option<AnswerStatus>,
        /// The answer's text, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        detail: Option<String>,
    },
    /// The lecturer acknowledged the student's raised hand.
    HandAck(LecturerMessage),
    /// The lecturer lowered the student's hand.
    HandLowered(LecturerMessage),
    /// A student id (wire id) already known under another login arrived with this student's
    /// login: a shared seat changed hands (`text` holds the earlier login, `detail` the host).
    LoginChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        detail: Option<String>,
    },
}

impl EntryBody {
    pub fn kind(&self) -> TimelineKind {
        match self {
            EntryBody::Join => TimelineKind::Join,
            EntryBody::Leave { .. } => TimelineKind::Leave,
            EntryBody::Chat { .. } => TimelineKind::Chat,
            EntryBody::Hand { .. } => TimelineKind::Hand,
            EntryBody::Screenshot(_) => TimelineKind::Screenshot,
            EntryBody::Blend(_) => TimelineKind::Blend,
            EntryBody::Incomplete { .. } => TimelineKind::Incomplete,
            EntryBody::Rejected { .. } => TimelineKind::Rejected,
            EntryBody::Reply(_) => TimelineKind::Reply,
            EntryBody::Broadcast(_) => TimelineKind::Broadcast,
            EntryBody::Request { .. } => TimelineKind::Request,
            EntryBody::HandAck(_) => TimelineKind::HandAck,
            EntryBody::HandLowered(_) => TimelineKind::HandLowered,
            EntryBody::LoginChanged { .. } => TimelineKind::LoginChanged,
        }
    }

    /// The stored file of a `screenshot` or `blend`.
    pub fn file(&self) -> Option<&FileEntry> {
        match self {
            EntryBody::Screenshot(f) | EntryBody::Blend(f) => Some(f),
            _ => None,
        }
    }

    /// The id of a lecturer message (`reply`, `broadcast`, `request`, `hand_ack`, `hand_lowered`).
    pub fn lecturer_message_id(&self) -> Option<Uuid> {
        match self {
            EntryBody::Reply(m) | EntryBody::Broadcast(m) | EntryBody::HandAck(m) | EntryBody::HandLowered(m) => {
                Some(m.message)
            }
            EntryBody::Request { message, .. } => Some(*message),
            _ => None,
        }
    }

    /// A lecturer message's id and delivery state.
    pub fn delivery_mut(&mut self) -> Option<(Uuid, &mut Delivery)> {
        match self {
            EntryBody::Reply(m) | EntryBody::Broadcast(m) | EntryBody::HandAck(m) | EntryBody::HandLowered(m) => {
                Some((m.message, &mut m.delivery))
            }
            EntryBody::Request { message, delivery, .. } => Some((*message, delivery)),
            _ => None,
        }
    }
}

/// A stored screenshot or .blend version. `path` and `thumb` are relative to the store root,
/// with forward slashes.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thumb: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sha256: Option<String>,
    /// The sender's file name (data only, never a path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    /// Absent for files found on disk without a journal line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub transfer: Option<Uuid>,
}

/// A lecturer message to a student (`reply`, `broadcast`, `hand_ack`, `hand_lowered`).
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct LecturerMessage {
    /// The message's id.
    pub message: Uuid,
    /// Queued, delivered or read.
    pub delivery: Delivery,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
}

/// One line of the student list.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct StudentSummary {
    pub id: Uuid,
    pub login: String,
    pub folder: String,
    /// Unix ms.
    #[ts(type = "number")]
    pub first_seen: i64,
    /// Unix ms of the newest event (first_seen when there is none).
    #[ts(type = "number")]
    pub last_seen: i64,
    #[ts(type = "number")]
    pub chats: u64,
    #[ts(type = "number")]
    pub screenshots: u64,
    #[ts(type = "number")]
    pub blends: u64,
    /// Bytes of the student's stored files (screenshots and .blend versions; thumbnails aside).
    #[ts(type = "number")]
    pub bytes: u64,
    /// Chats received after `chat_read_until`.
    #[ts(type = "number")]
    pub unread: u64,
    /// Unix ms of the oldest unread chat: who has waited longest for an answer comes first.
    #[ts(type = "number | null")]
    pub oldest_unread_at: Option<i64>,
    /// Relative to the store root, forward slashes.
    pub latest_screenshot: Option<String>,
    pub latest_thumb: Option<String>,
    /// Unix ms when the latest screenshot arrived: "screenshot 3 min ago" on the tile, so a
    /// student who is connected but stuck or paused shows as such.
    #[ts(type = "number | null")]
    pub latest_screenshot_at: Option<i64>,
    #[ts(type = "number | null")]
    pub latest_blend_at: Option<i64>,
    /// Another id uses the same login (case-insensitive).
    pub login_shared: bool,
    /// The login of a student seen earlier whose login this one looks like (same confusable
    /// skeleton, `lookalike::key`) without being the same: Cyrillic `аnna` next to `anna`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub looks_like: Option<String>,
    /// Where this student has connected from: one entry per wire id (and login) they came by,
    /// newest first.
    #[serde(default)]
    pub seats: Vec<Seat>,
}

/// One way a student reaches the store: the wire `student` id their add-on sends (with the
/// login it sent), and what the add-on's `hello` said about the computer.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    /// The `student` id on the wire.
    pub wire: Uuid,
    pub login: String,
    /// The computer's name (hello `host`).
    pub host: Option<String>,
    /// The add-on configuration's id (hello `seat`; older add-ons send none).
    pub seat: Option<Uuid>,
    /// Unix ms of the last hello by this way.
    #[ts(type = "number")]
    pub last_seen: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in TimelineKind::ALL {
            assert_eq!(k.as_str().parse::<TimelineKind>().unwrap(), k);
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        for k in [FileKind::Screenshot, FileKind::Blend] {
            assert_eq!(k.as_str().parse::<FileKind>().unwrap(), k);
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{k}\""));
            assert_eq!(TimelineKind::from(k).as_str(), k.as_str());
        }
        assert!("Chat".parse::<TimelineKind>().is_err());
    }
}
