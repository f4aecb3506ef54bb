//! What the receiver tells its embedder (the CLI, the desktop app). Serialised as JSON with a
//! `type` tag, so the UI can consume them as they are.

use crate::model::FileKind;
pub use crate::store::LeaveReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Counts since the receiver started; `rejected` is keyed by reason code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub messages: u64,
    pub chats: u64,
    pub files: u64,
    pub bytes: u64,
    pub online: u64,
    pub rejected: BTreeMap<String, u64>,
    /// Events the embedder did not take in time (the store still has everything).
    pub events_dropped: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    StudentJoined {
        at: i64,
        student: Uuid,
        login: String,
        blender: Option<String>,
        host: Option<String>,
    },
    StudentIdle {
        at: i64,
        student: Uuid,
        login: String,
    },
    StudentLeft {
        at: i64,
        student: Uuid,
        login: String,
        reason: LeaveReason,
    },
    /// A login is used by more than one student id; each is kept apart.
    LoginShared {
        at: i64,
        login: String,
        students: Vec<Uuid>,
    },
    Chat {
        at: i64,
        student: Uuid,
        login: String,
        id: Uuid,
        text: String,
    },
    Hand {
        at: i64,
        student: Uuid,
        login: String,
        raised: bool,
    },
    /// Throttled (a few per second per transfer), for progress bars.
    Progress {
        student: Uuid,
        login: String,
        transfer: Uuid,
        kind: FileKind,
        name: String,
        received: u64,
        size: u64,
    },
    FileStored {
        at: i64,
        student: Uuid,
        login: String,
        kind: FileKind,
        /// Relative to the store root, forward slashes.
        path: String,
        thumb: Option<String>,
        size: u64,
        sha256: String,
    },
    Incomplete {
        at: i64,
        student: Uuid,
        login: String,
        transfer: Uuid,
        kind: FileKind,
        name: String,
        received: u64,
        size: u64,
    },
    /// A refused transfer or message; `student` when it could be attributed.
    Rejected {
        at: i64,
        reason: String,
        detail: String,
        student: Option<Uuid>,
        login: Option<String>,
    },
    /// Sent about once a second while counts change.
    Stats {
        stats: Stats,
    },
    /// Something went wrong on the lecturer's side (disk, index); a plain sentence.
    Error {
        at: i64,
        message: String,
    },
}
