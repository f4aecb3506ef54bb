//! What the receiver tells its embedder (the CLI, the desktop app). Serialised as JSON with a
//! `type` tag, so the UI can consume them as they are.

use crate::model::{AnswerStatus, Delivery, FileKind, TimelineKind};
pub use crate::store::LeaveReason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;
use uuid::Uuid;

/// Counts since the receiver started; `rejected` is keyed by reason code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Stats {
    #[ts(type = "number")]
    pub messages: u64,
    #[ts(type = "number")]
    pub chats: u64,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub online: u64,
    #[ts(type = "Record<string, number>")]
    pub rejected: BTreeMap<String, u64>,
    /// Events the embedder did not take in time (the store still has everything).
    #[ts(type = "number")]
    pub events_dropped: u64,
    /// Who sent messages refused as `bad_mac` lately (a wrong or missing class code), most recent
    /// first, at most [`crate::receiver::WRONG_CODE_KEPT`]; a sender whose messages get through
    /// again is dropped. Absent from older receivers' JSON.
    #[serde(default)]
    pub wrong_code: Vec<WrongCodeSender>,
}

/// A sender of messages with a wrong class code, named from the message's unsigned header:
/// anyone can write any login there, so it is a hint for the lecturer, never an identity. `login`
/// and `host` are shown [inert](crate::text::Inert) and cut to a readable length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WrongCodeSender {
    pub login: String,
    /// From the add-on's `hello` (other messages do not carry it).
    pub host: Option<String>,
    /// Refused messages with this login since the receiver started.
    #[ts(type = "number")]
    pub count: u64,
    /// When the last one arrived (Unix ms).
    #[ts(type = "number")]
    pub last: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    StudentJoined {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        blender: Option<String>,
        host: Option<String>,
    },
    StudentIdle {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
    },
    /// An idle student is heard from again (a heartbeat is enough).
    StudentActive {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
    },
    StudentLeft {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        reason: LeaveReason,
    },
    /// The student paused sharing (`paused`) or resumed it, as their heartbeats say: live only,
    /// not stored. Sent on each change; a student who leaves is forgotten (sharing again).
    Sharing {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        paused: bool,
    },
    /// A wire id known under another login came with `login` (a shared seat changed hands): the
    /// new login is kept apart from (or joined to another seat of) its own student, never filed
    /// in the earlier login's history.
    LoginChanged {
        #[ts(type = "number")]
        at: i64,
        /// Where the messages now go.
        student: Uuid,
        login: String,
        /// Who the wire id belonged to before.
        previous: Uuid,
        previous_login: String,
        /// The wire `student` id (the seat, for an older add-on).
        wire: Uuid,
        host: Option<String>,
    },
    /// A login is used by more than one student id; each is kept apart.
    LoginShared {
        #[ts(type = "number")]
        at: i64,
        login: String,
        students: Vec<Uuid>,
    },
    Chat {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        id: Uuid,
        text: String,
    },
    Hand {
        #[ts(type = "number")]
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
        #[ts(type = "number")]
        received: u64,
        #[ts(type = "number")]
        size: u64,
    },
    FileStored {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        kind: FileKind,
        /// Relative to the store root, forward slashes.
        path: String,
        thumb: Option<String>,
        #[ts(type = "number")]
        size: u64,
        sha256: String,
    },
    Incomplete {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        transfer: Uuid,
        kind: FileKind,
        name: String,
        #[ts(type = "number")]
        received: u64,
        #[ts(type = "number")]
        size: u64,
    },
    /// A refused transfer or message; `student` when it could be attributed.
    Rejected {
        #[ts(type = "number")]
        at: i64,
        reason: String,
        detail: String,
        student: Option<Uuid>,
        login: Option<String>,
    },
    /// Protocol 1.1: the student's add-on opened its return path (it can now get messages at once).
    ReturnRegistered {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
    },
    /// A lecturer message was journaled for a student (`kind`: reply, broadcast, request,
    /// hand_ack, hand_lowered); `online` when it went out to a registered connection right away.
    MessageQueued {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        id: Uuid,
        kind: TimelineKind,
        text: Option<String>,
        what: Option<FileKind>,
        online: bool,
    },
    /// A lecturer message reached the add-on (`delivered`) or the student saw it (`read`).
    MessageDelivery {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        id: Uuid,
        kind: TimelineKind,
        delivery: Delivery,
    },
    /// The add-on's answer to a request (`capturing`: the file follows as an ordinary transfer).
    RequestAnswered {
        #[ts(type = "number")]
        at: i64,
        student: Uuid,
        login: String,
        id: Uuid,
        status: AnswerStatus,
        text: Option<String>,
    },
    /// Sent about once a second while counts change.
    Stats { stats: Stats },
    /// Something went wrong on the lecturer's side (disk, index). `fault` says what, so the UI
    /// words it in its language (with `login` when it concerns one student); `message` is the
    /// English sentence with the system's detail, for logs.
    Error {
        #[ts(type = "number")]
        at: i64,
        fault: Fault,
        login: Option<String>,
        message: String,
    },
}

/// What failed on the lecturer's side (`Event::Error`).
#[derive(Serialize, Deserialize, TS, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// A student's folder could not be made or found.
    StudentFolder,
    /// A file being received could not be written to the staging folder.
    Receiving,
    /// A received file could not be stored.
    StoreFile,
    /// A chat, hand, join or leave could not be saved.
    SaveEvent,
    /// The lecturer's queued messages for a student could not be read.
    ReadQueue,
    /// A student's answer or the delivery of a lecturer message could not be saved.
    SaveDelivery,
    /// Chat could not be marked read.
    MarkRead,
    /// The network socket failed.
    Socket,
}
