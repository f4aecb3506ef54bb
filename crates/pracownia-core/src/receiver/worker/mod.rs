//! The thread that owns the store: presence, chat, hands, and chunk reassembly into verified files.

mod identity;
mod lecturer;
mod transfers;

use super::work::{Checked, Failure};
pub(crate) use lecturer::Online;

use super::fresh::{Freshness, Route};
use super::presence::{Change, Presence, Touch};
use super::rate::{Bucket, PerId, PerKey};
use super::stats::{EventSink, StatsCounter};
use super::work::{Conn, DiskQueues, FileJob, Frame, Work};
use super::{Budget, Config};
use crate::events::{Event, Fault};
use crate::model::FileKind;
use crate::protocol::{Chunk, Common, Message, Payload};
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

    /// Is the store's free space under the floor? Then nothing a student can cause in bulk is
    /// written: no new student folders, no chat, no `rejected` journal lines (each an fsynced
    /// line); refusals are counted in memory instead (stats and events).
    fn disk_low(&mut self) -> bool {
        let floor = self.cfg.limits.free_disk_floor;
        if floor == 0 {
            return false;
        }
        match self.disk_low {
            Some((t, low)) if t.elapsed() < DISK_CHECK_EVERY => low,
            _ => {
                let low = fs4::available_space(self.store.root()).is_ok_and(|free| free < floor);
                self.disk_low = Some((Instant::now(), low));
                low
            }
        }
    }

    /// A refusal of a message that has no student folder to be recorded in: counted and shown.
    fn refuse_unrecorded(&mut self, student: Uuid, login: &str, at: i64, r: Refusal) {
        self.stats.reject(&r, login);
        self.sink.emit(Event::Rejected {
            at,
            reason: r.reason.code().into(),
            detail: r.detail,
            student: Some(student),
            login: Some(login.to_owned()),
        });
    }

    /// Share the replay state with the return-path thread (Receiver::start).
    pub fn with_freshness(mut self, fresh: Arc<Mutex<Freshness>>) -> Self {
        self.fresh = fresh;
        self
    }

    /// Is this message a replay? Counted, not shown one event each (a replayed capture can be
    /// long). Checked before anything else, so a replayed `bye` or hand changes nothing.
    fn replayed(&mut self, c: &Common, bye: bool) -> bool {
        let Ok(mut fresh) = self.fresh.lock() else { return false };
        match fresh.check(c.student, c.boot, Route::V1, c.seq, bye) {
            Ok(()) => false,
            Err(r) => {
                drop(fresh);
                self.stats.reject(&r, &c.login);
                true
            }
        }
    }

    /// A student id the store does not know yet, from connection `conn`: within that connection's
    /// budget and the whole receiver's? Takes from both only when both have room, so a connection
    /// over its own budget cannot spend the receiver's. A refusal is counted, not shown one event
    /// each: a flood of made-up ids must not flood the UI.
    pub(super) fn admit_new_id(&mut self, conn: Conn, login: &str) -> bool {
        let now = Instant::now();
        if conn.is_some_and(|n| !self.conn_ids.has(n, now)) {
            let r = Refusal::new(Reason::TooManyIds, "too many new student ids from one connection");
            self.stats.reject(&r, login);
            return false;
        }
        if !self.new_ids.take(self.cfg.limits.new_students, now) {
            let r =
                Refusal::new(Reason::RateLimited, "too many new student ids: over the receiver's budget per minute");
            self.stats.reject(&r, login);
            return false;
        }
        if let Some(n) = conn {
            self.conn_ids.take(n, now);
        }
        true
    }

    pub(super) fn on_message(&mut self, msg: Message<Frame>, conn: Conn, at: i64) {
        let c = &msg.common;
        if self.replayed(c, matches!(msg.payload, Payload::Bye)) {
            return;
        }
        let known = self.store.knows(c.student).unwrap_or(false);
        if !known && self.disk_low() {
            let r = Refusal::new(Reason::DiskFull, "no room for a new student's folder: the disk is under the floor");
            let (id, login) = (c.student, c.login.clone());
            return self.refuse_unrecorded(id, &login, at, r);
        }
        if !known && !self.admit_new_id(conn, &c.login) {
            return;
        }
        let Some(student) = self.student_of(&msg, at) else { return };
        if let Payload::Bye = msg.payload {
            if self.wires.get(&student.id) == Some(&c.student) {
                self.wires.remove(&student.id);
            }
            if self.presence.leave(student.id) {
                self.hands.insert(student.id, false); // the add-on lowers the hand on disconnect
                self.record(&student, at, Entry::Leave { reason: LeaveReason::Bye });
                self.sink.emit(Event::StudentLeft {
                    at,
                    student: student.id,
                    login: student.login.clone(),
                    reason: LeaveReason::Bye,
                });
            }
            self.stats.online.store(self.presence.online() as u64, Relaxed);
            return;
        }
        self.wires.insert(student.id, c.student);
        match self.presence.touch(student.id, &student.login, Instant::now()) {
            Touch::Joined => self.joined(&student, at, &msg.payload),
            Touch::Back => {
                self.sink.emit(Event::StudentActive { at, student: student.id, login: student.login.clone() })
            }
            Touch::Seen => {}
        }
        if let Payload::Heartbeat { paused: Some(paused), .. } = msg.payload {
            if self.presence.set_paused(student.id, paused) {
                self.sink.emit(Event::Sharing { at, student: student.id, login: student.login.clone(), paused });
            }
        }
        let over_rate = matches!(msg.payload, Payload::Chat { .. } | Payload::Hand { .. })
            && !self.chats.take(student.id, Instant::now());
        match msg.payload {
            Payload::Chat { .. } | Payload::Hand { .. } if over_rate => {
                let r = Refusal::new(Reason::RateLimited, "chat or hand over the student's rate");
                self.refuse(&student, at, r, None);
            }
            Payload::Chat { .. } if self.disk_low() => {
                let r = Refusal::new(Reason::DiskFull, "chat not saved: the disk is under the floor");
                self.refuse_unrecorded(student.id, &student.login, at, r);
            }
            Payload::Chat { id, text } => {
                self.last_write.insert(student.dir.clone(), Instant::now());
                match self.store.record(&student, at, Entry::Chat { id, text: text.clone(), sent_ts: c.ts }) {
                    Ok(new) => {
                        // A resent chat (already stored) gets its receipt again: the first was lost.
                        self.chat_stored(student.id, id);
                        if new {
                            self.stats.chats.fetch_add(1, Relaxed);
                            self.sink.emit(Event::Chat {
                                at,
                                student: student.id,
                                login: student.login.clone(),
                                id,
                                text,
                            });
                        }
                    }
                    Err(e) => self.error(
                        Fault::SaveEvent,
                        Some(&student.login),
                        format!("Could not save an event of {}: {e}", student.login),
                    ),
                }
            }
            Payload::Hand { raised } => {
                // A hand message carries no id, and the add-on resends recent messages after the
                // lecturer comes back: only a change goes on the timeline. The event always goes
                // out (a restarted app learns the hand's state from it).
                let was = match self.hands.get(&student.id) {
                    Some(&h) => Some(h),
                    None => self.store.last_hand(student.id).unwrap_or(None),
                };
                if was != Some(raised) {
                    self.record(&student, at, Entry::Hand { raised });
                }
                self.hands.insert(student.id, raised);
                self.sink.emit(Event::Hand { at, student: student.id, login: student.login.clone(), raised });
            }
            Payload::Chunk(chunk) => self.on_chunk(student, chunk, at),
            Payload::Hello { .. } | Payload::Heartbeat { .. } | Payload::Bye => {}
        }
    }

    fn joined(&mut self, s: &StudentRef, at: i64, payload: &Payload<Frame>) {
        self.stats.online.store(self.presence.online() as u64, Relaxed);
        self.record(s, at, Entry::Join);
        let (blender, host) = match payload {
            Payload::Hello { blender, host, .. } => (blender.clone(), host.clone()),
            _ => (None, None),
        };
        self.sink.emit(Event::StudentJoined { at, student: s.id, login: s.login.clone(), blender, host });
        match self.store.other_ids_with_login(&s.login, s.id) {
            Ok(others) if !others.is_empty() => {
                log::warn!(
                    "login \"{}\" is used by {} student ids; each is kept apart",
                    crate::text::Inert(&s.login),
                    others.len() + 1
                );
                let mut students = vec![s.id];
                students.extend(others);
                self.sink.emit(Event::LoginShared { at, login: s.login.clone(), students });
            }
            Ok(_) => {}
            Err(e) => {
                log::warn!("could not check whether login \"{}\" is shared: {e}", crate::text::Inert(&s.login))
            }
        }
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

    fn refuse(&mut self, s: &StudentRef, at: i64, r: Refusal, transfer: Option<Uuid>) {
        if self.disk_low() {
            return self.refuse_unrecorded(s.id, &s.login, at, r);
        }
        if !self.refusal_lines.take(s.id, Instant::now()) {
            // Over the journal's rate for this id: counted in memory only.
            return self.stats.reject(&r, &s.login);
        }
        self.stats.reject(&r, &s.login);
        self.record(s, at, Entry::Rejected { reason: r.reason.code().into(), detail: r.detail.clone(), transfer });
        self.sink.emit(Event::Rejected {
            at,
            reason: r.reason.code().into(),
            detail: r.detail,
            student: Some(s.id),
            login: Some(s.login.clone()),
        });
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
