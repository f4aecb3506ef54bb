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
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 8] = [
        TimelineKind::Join,
        TimelineKind::Leave,
        TimelineKind::Chat,
        TimelineKind::Hand,
        TimelineKind::Screenshot,
        TimelineKind::Blend,
        TimelineKind::Incomplete,
        TimelineKind::Rejected,
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

/// One row of a timeline, as read from the index.
///
/// `path` and `thumb` are relative to the store root, with forward slashes.
/// `login` is the login the student used when the event happened.
#[derive(Serialize, Deserialize, TS, Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub ts: i64,
    pub student: Uuid,
    pub login: String,
    pub kind: TimelineKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thumb: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub raised: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub received: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub transfer: Option<Uuid>,
    /// For `incomplete` entries: what kind of file was being sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub file_kind: Option<FileKind>,
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
    /// Chats received after `chat_read_until`.
    #[ts(type = "number")]
    pub unread: u64,
    /// Relative to the store root, forward slashes.
    pub latest_screenshot: Option<String>,
    pub latest_thumb: Option<String>,
    #[ts(type = "number | null")]
    pub latest_blend_at: Option<i64>,
    /// Another id uses the same login (case-insensitive).
    pub login_shared: bool,
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
