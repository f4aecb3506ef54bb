//! The thread that owns the store: presence, chat, hands, and chunk reassembly into verified files.
//! This file has the worker's state, its loop and its tick; by concern:
//! - `guards.rs`: what is refused before anything is written (replays, the budgets of new ids,
//!   the disk floor) and how a refusal is counted and journaled;
//! - `messages.rs`: a version-1 message (presence, chat, hand; chunks go to `transfers.rs`);
//! - `transfers.rs`: admission, reassembly, verification and placing of files;
//! - `identity.rs`: which student a message belongs to (seats, login changes);
//! - `lecturer.rs`: the return path (registers, lecturer messages, receipts, answers).

mod guards;
mod identity;
mod lecturer;
mod messages;
mod transfers;

use super::work::{Checked, Failure};
pub(crate) use lecturer::Online;

use super::fresh::Freshness;
use super::presence::{Change, Presence};
use super::rate::{Bucket, PerId, PerKey};
use super::stats::{EventSink, StatsCounter};
use super::work::{DiskQueues, FileJob, Frame, Work};
use super::{Budget, Config};
use crate::events::{Event, Fault};
use crate::model::FileKind;
use crate::protocol::Chunk;
use crate::reassembly::{ReassemblyError, Transfer};
use crate::reject::{Reason, Refusal};
use crate::store::LeaveReason;
use crate::store::{Entry, FileMeta, Store, StudentRef};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

type Key = (Uuid, Uuid);

struct Live {
    t: Transfer,
    student: StudentRef,
    last_progress: Option<Instant>,
}

pub struct Worker {
    store: Store,
    cfg: Arc<Config>,
    stats: Arc<StatsCounter>,
    sink: EventSink,
    disk: DiskQueues,
    /// Files handed to the images or blends thread and not back yet.
    pending_files: usize,
    budget: Arc<Budget>,
    presence: Presence,
    live: HashMap<Key, Live>,
    /// Transfers that completed or were refused: their late or repeated chunks are ignored.
    done: HashMap<Key, Instant>,
    /// Student folders the watcher reported, resynced once we have not written there for a while
    /// (most reports are echoes of our own writes; a hand-made change waits a moment, no more).
    dirty: HashSet<PathBuf>,
    last_write: HashMap<PathBuf, Instant>,
    last_at: i64,
    /// The wire id each online student is online from (identity: who may become an alias).
    wires: HashMap<Uuid, Uuid>,
    /// Each student's hand as last recorded (filled from the store on first use).
    hands: HashMap<Uuid, bool>,
    /// Students registered on the return path and their unacknowledged messages.
    online: Online,
    /// To the return-path thread.
    outgoing: Option<Sender<super::return_path::ToStudent>>,
    /// The last free-space check: when, and whether the store was under the floor.
    disk_low: Option<(Instant, bool)>,
    /// Replay refusal (fresh.rs), shared with the return-path thread.
    fresh: Arc<Mutex<Freshness>>,
    /// Rates (issue 12): new ids for the whole receiver and per connection, chats/hands and
    /// journaled refusals per id.
    new_ids: Bucket,
    conn_ids: PerKey<u64>,
    chats: PerId,
    refusal_lines: PerId,
}

/// How long a free-space reading is trusted; a flood of messages costs one statvfs per period.
const DISK_CHECK_EVERY: Duration = Duration::from_millis(200);

/// How long a folder must be quiet (no writes of ours) before a reported change is resynced.
const RESYNC_QUIET: Duration = Duration::from_millis(1500);

const TICK: Duration = Duration::from_millis(250);

/// Connections whose budget of new ids is remembered. A bucket is only made when a new id is
/// admitted (so within the whole receiver's budget) and dropped once full again; this bound
/// only guards against a configuration with a huge `new_students` budget.
const CONNECTIONS_KEPT: usize = 4096;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Worker {
    pub fn new(
        store: Store,
        cfg: Arc<Config>,
        stats: Arc<StatsCounter>,
        sink: EventSink,
        disk: DiskQueues,
        budget: Arc<Budget>,
        outgoing: Option<Sender<super::return_path::ToStudent>>,
    ) -> Self {
        Worker {
            store,
            stats,
            sink,
            disk,
            pending_files: 0,
            budget,
            presence: Presence::default(),
            live: HashMap::new(),
            done: HashMap::new(),
            dirty: HashSet::new(),
            last_write: HashMap::new(),
            last_at: 0,
            hands: HashMap::new(),
            wires: HashMap::new(),
            online: Online::default(),
            new_ids: Bucket::full(cfg.limits.new_students, Instant::now()),
            conn_ids: PerKey::bounded(cfg.limits.new_ids_per_connection, CONNECTIONS_KEPT),
            chats: PerId::new(cfg.limits.chats_per_student),
            refusal_lines: PerId::new(cfg.limits.refusals_journaled_per_student),
            outgoing,
            disk_low: None,
            fresh: Arc::new(Mutex::new(Freshness::load(None))),
            cfg,
        }
    }

    pub fn run(mut self, rx: Receiver<Work>) {
        let mut socket_closed = false;
        let mut last_tick = Instant::now();
        loop {
            match rx.recv_timeout(TICK) {
                Ok(Work::Message(msg, conn)) => {
                    let at = self.clock();
                    let bytes = super::chunk_bytes(&msg);
                    self.on_message(msg, conn, at);
                    self.budget.give(bytes);
                }
                Ok(Work::FileChecked { job, result }) => self.file_checked(job, result),
                Ok(Work::MarkChatRead { student, until }) => match self.store.mark_chat_read(student, until) {
                    Ok(()) => self.chat_read(student),
                    Err(e) => self.error(Fault::MarkRead, None, format!("Could not mark the chat as read: {e}")),
                },
                Ok(Work::Return(msg, conn)) => {
                    let at = self.clock();
                    self.on_return(msg, conn, at);
                }
                Ok(Work::ReturnGone(student)) => self.return_gone(student),
                Ok(Work::Command { cmd, reply }) => self.on_command(cmd, reply),
                Ok(Work::Resync(dir)) => {
                    self.dirty.insert(dir);
                }
                Ok(Work::SocketClosed) => socket_closed = true,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if last_tick.elapsed() >= TICK {
                last_tick = Instant::now();
                self.tick();
            }
            // In-flight writes are finished: every message the socket took is handled and
            // every file being synced or checked is placed before we stop.
            if socket_closed && self.pending_files == 0 && rx.is_empty() {
                break;
            }
        }
        self.shutdown();
    }

    /// The time an event is recorded: never earlier than the previous one, so the index's
    /// insertion order is its time order and a reindex (which sorts by time) gives the same.
    pub(super) fn clock(&mut self) -> i64 {
        self.last_at = now_ms().max(self.last_at);
        self.last_at
    }

    fn error(&self, fault: Fault, login: Option<&str>, message: String) {
        log::error!("{}", crate::text::Inert(&message));
        self.sink.emit(Event::Error { at: now_ms(), fault, login: login.map(str::to_owned), message });
    }

    /// Share the replay state with the return-path thread (Receiver::start).
    pub fn with_freshness(mut self, fresh: Arc<Mutex<Freshness>>) -> Self {
        self.fresh = fresh;
        self
    }

    /// Journal and index an entry; false for a duplicate (a re-sent chat) or a failure.
    pub(super) fn record(&mut self, s: &StudentRef, at: i64, entry: Entry) -> bool {
        self.last_write.insert(s.dir.clone(), Instant::now());
        match self.store.record(s, at, entry) {
            Ok(new) => new,
            Err(e) => {
                self.error(Fault::SaveEvent, Some(&s.login), format!("Could not save an event of {}: {e}", s.login));
                false
            }
        }
    }

    fn tick(&mut self) {
        let now = Instant::now();
        if let Ok(mut f) = self.fresh.lock() {
            f.save(false);
        }
        self.chats.forget_full(now);
        self.refusal_lines.forget_full(now);
        self.conn_ids.forget_full(now);
        for change in self.presence.tick(now, self.cfg.idle_after, self.cfg.offline_after) {
            match change {
                Change::Idle { student, login } => {
                    let at = self.clock();
                    self.sink.emit(Event::StudentIdle { at, student, login })
                }
                Change::Gone { student, login } => {
                    let at = self.clock();
                    self.hands.insert(student, false);
                    self.wires.remove(&student);
                    if let Ok(s) = self.store.known_student(student) {
                        self.record(&s, at, Entry::Leave { reason: LeaveReason::Timeout });
                    }
                    self.sink.emit(Event::StudentLeft { at, student, login, reason: LeaveReason::Timeout });
                }
            }
        }
        self.stats.online.store(self.presence.online() as u64, Relaxed);
        let timeout = self.cfg.transfer_timeout;
        let stale: Vec<Key> =
            self.live.iter().filter(|(_, l)| l.t.last_new_byte.elapsed() >= timeout).map(|(k, _)| *k).collect();
        for key in stale {
            let live = self.live.remove(&key).expect("listed above");
            self.done.insert(key, Instant::now());
            self.incomplete(live);
        }
        // Forget finished transfers once their late chunks can no longer matter.
        self.done.retain(|_, t| t.elapsed() < timeout);
        self.resend_due();
        self.resync_quiet_folders();
    }

    fn resync_quiet_folders(&mut self) {
        let quiet = |dir: &PathBuf| self.last_write.get(dir).is_none_or(|t| t.elapsed() >= RESYNC_QUIET);
        let ready: Vec<PathBuf> = self.dirty.iter().filter(|d| quiet(d)).cloned().collect();
        for dir in ready {
            self.dirty.remove(&dir);
            self.last_write.remove(&dir);
            if let Err(e) = self.store.resync_student_dir(&dir) {
                log::warn!("could not bring the index in step with {}: {e}", dir.display());
            }
        }
    }

    /// A file came back from the images or blends thread.
    pub(super) fn file_checked(&mut self, job: FileJob, result: Result<Checked, Failure>) {
        self.pending_files -= 1;
        self.on_checked(job, result);
    }

    /// Transfers still open when the receiver stops cannot be resumed: say so on the timeline.
    pub(super) fn shutdown(mut self) {
        if let Ok(mut f) = self.fresh.lock() {
            f.save(true);
        }
        let live: Vec<Live> = self.live.drain().map(|(_, l)| l).collect();
        for l in live {
            self.incomplete(l);
        }
    }
}
