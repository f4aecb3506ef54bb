//! What the lecturer can tell students (protocol 1.1): the API behind `Receiver::command`, the
//! control endpoint and the CLI's `say`, `announce`, `request` and `hand`.

use crate::model::{FileKind, HandState};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who a request goes to: one student (an id or a login) or every student the store knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    One(String),
    All,
}

/// A message from the lecturer. `to` is a student id or a login (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum LecturerCommand {
    /// Chat to one student (`reply`).
    Say { to: String, text: String },
    /// An announcement to every student the store knows (`broadcast`).
    Announce { text: String },
    /// Ask for a screenshot or a .blend now.
    Request { to: Addressee, what: FileKind },
    /// Acknowledge or lower a student's raised hand.
    Hand { to: String, state: HandState },
}

/// A student a command was queued for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub student: Uuid,
    pub login: String,
    /// Registered on the return path: the message went out at once.
    pub online: bool,
}

/// What became of a command: the message's id (shared by all its recipients), whom it was queued
/// for, and how many of them were online (sent right away; the rest get it when they register).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutcome {
    pub id: Uuid,
    pub queued: Vec<Recipient>,
    pub online: usize,
}

/// Why a command was not queued: plain sentences for the lecturer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CommandError {
    #[error("no student \"{query}\" in this store")]
    UnknownStudent { query: String },
    #[error("the login \"{login}\" is used by more than one student ({}); use the id instead", .ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "))]
    AmbiguousLogin { login: String, ids: Vec<Uuid> },
    #[error("there are no students in this store yet")]
    NoStudents,
    #[error("the message is empty")]
    EmptyText,
    #[error("the message is too long ({bytes} bytes; at most {max})")]
    TextTooLong { bytes: usize, max: usize },
    #[error("the receiver is stopped")]
    Stopped,
    #[error("the receiver did not answer in time; try again")]
    Timeout,
    #[error("could not save the message: {message}")]
    Store { message: String },
}

/// How long a caller waits for the worker to take and answer a command (it may be busy with an
/// fsync; it never waits on the network).
pub const COMMAND_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Hand a command to the worker (it owns the store) and wait, bounded, for its answer.
pub(crate) fn call(
    work: &crossbeam_channel::Sender<super::work::Work>,
    cmd: LecturerCommand,
) -> Result<CommandOutcome, CommandError> {
    use crossbeam_channel::{RecvTimeoutError, SendTimeoutError};
    let (reply, answer) = crossbeam_channel::bounded(1);
    match work.send_timeout(super::work::Work::Command { cmd, reply }, COMMAND_WAIT) {
        Ok(()) => {}
        Err(SendTimeoutError::Timeout(_)) => return Err(CommandError::Timeout),
        Err(SendTimeoutError::Disconnected(_)) => return Err(CommandError::Stopped),
    }
    match answer.recv_timeout(COMMAND_WAIT) {
        Ok(r) => r,
        Err(RecvTimeoutError::Timeout) => Err(CommandError::Timeout),
        Err(RecvTimeoutError::Disconnected) => Err(CommandError::Stopped),
    }
}
