//! What the receiver's threads hand each other: the worker's queue (`Work`), the files on their
//! way to the disk threads, and the frames of a received message. Its own module so that the
//! socket threads and the worker depend on it, not on each other.

use crate::media::Screenshot;
use crate::protocol::Message;
use crate::reassembly::{Verified, Writeback};
use crate::reject::Refusal;
use crate::store::{FileMeta, StudentRef};
use crossbeam_channel::Sender;
use std::path::PathBuf;
use uuid::Uuid;

/// A received frame; the body of a chunk stays in ZeroMQ's buffer instead of being copied.
pub struct Frame(pub zmq::Message);

impl AsRef<[u8]> for Frame {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The number the ZAP handler gave a connection (`super::zap`); None only when a message came
/// without one (the fuzz harness, or a handshake while the receiver stops).
pub type Conn = Option<u64>;

pub enum Work {
    /// A valid student message (in an encrypted class already checked against the student's
    /// pin by the socket thread), with the number of the connection it came on ([`Conn`]).
    Message(Message<Frame>, Conn),
    /// A verified file was made durable and checked on the images or blends thread.
    FileChecked {
        job: FileJob,
        result: Result<Checked, Failure>,
    },
    /// A student folder changed on disk (by hand): bring the index in step.
    Resync(PathBuf),
    /// The lecturer read this student's chat up to this time (the worker owns the store).
    MarkChatRead {
        student: Uuid,
        until: i64,
    },
    SocketClosed,
    /// A student's message on the return path, from a connection that registered that student.
    Return(crate::protocol::ReturnMessage, Conn),
    /// The return-path connection of this student has gone (a send to it failed).
    ReturnGone(Uuid),
    /// A lecturer command; the answer goes back on `reply`.
    Command {
        cmd: crate::receiver::command::LecturerCommand,
        reply: Sender<Result<crate::receiver::command::CommandOutcome, crate::receiver::command::CommandError>>,
    },
}

/// A complete file whose SHA-256 matched, on its way to being made durable and checked.
pub struct FileJob {
    pub student: StudentRef,
    pub staged: PathBuf,
    /// Where a screenshot's thumbnail is staged.
    pub thumb: PathBuf,
    pub meta: FileMeta,
}

/// What the images or blends thread found.
pub enum Checked {
    Screenshot(Screenshot),
    Blend,
}

pub enum Failure {
    Refused(Refusal),
    Io(String),
}

/// Work for the images and blends threads: the job and the open, verified staging file.
pub type DiskJob = (FileJob, Verified);

/// Where the worker hands disk work that may wait on the device.
pub struct DiskQueues {
    pub images: Sender<DiskJob>,
    pub blends: Sender<DiskJob>,
    /// Early-writeback hints (bounded; a hint that does not fit is dropped, it is only a hint).
    pub writeback: Sender<Writeback>,
}
