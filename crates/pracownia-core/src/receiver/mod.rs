//! The headless receiver: a library API that the CLI wraps and the desktop app embeds.
//!
//! One thread per concern, so that slow work never stalls receiving (docs/ARCHITECTURE.md has
//! the table):
//! - `socket`: owns the ZeroMQ SUB socket (sockets are not thread-safe), reads frames, parses and
//!   validates them (cheap, pure), counts refusals, and hands valid messages on;
//! - `worker`: owns the store and its index; reassembles chunks to disk, hashes, places files,
//!   journals chat and presence, tracks timeouts;
//! - `images` (two): fdatasync screenshots, decode them within limits and make their thumbnails;
//! - `blends`: fdatasyncs .blend files and checks their magic (a long flush stalls no one else);
//! - `return_path` (protocol 1.1): owns the ROUTER socket on which the lecturer answers;
//! - `zap`: answers libzmq's handshake questions for both sockets (connection numbers, and the
//!   client keys of an encrypted class);
//! - `control` (unix): the local socket through which `pracownia say` and the other commands
//!   reach a running receiver;
//! - `writeback`: asks the kernel to start writing what transfers have received;
//! - and the store watcher's (`store::watch`), which reports folders changed by hand.
//!
//! The socket → worker channel is bounded, in messages and in chunk bytes ([`Budget`]): when the
//! disk cannot keep up, ZeroMQ's queues fill and the students' XPUB_NODROP sockets push back, so
//! nothing is dropped, and what is queued in memory does not depend on the chunk size.

pub mod command;
#[cfg(unix)]
pub mod control;
mod fresh;
#[doc(hidden)]
pub mod fuzzing;
mod images;
pub mod inbound;
mod pinning;
mod presence;
mod rate;
mod return_path;
mod socket;
mod stats;
mod work;
mod worker;
mod wrong_code;
mod zap;

pub use command::{Addressee, CommandError, CommandOutcome, LecturerCommand, Recipient};
pub use stats::StatsCounter;
pub use wrong_code::WRONG_CODE_KEPT;

use crate::events::{Event, Stats};
use crate::limits::Limits;
use crate::protocol::DEFAULT_PORT;
use crate::store::{Store, StoreError};
use crossbeam_channel::{bounded, Receiver as Rx};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    /// 0 picks a free port (tests); see [`Receiver::endpoint`].
    pub port: u16,
    pub store: PathBuf,
    /// Empty or `None`: no class code, no MAC required.
    pub class_code: Option<String>,
    pub limits: Limits,
    pub transfer_timeout: Duration,
    /// No message for this long: the student is shown as idle.
    pub idle_after: Duration,
    /// No message for this long: the student has left.
    pub offline_after: Duration,
    pub progress_every: Duration,
    /// The return path's ROUTER port (protocol 1.1). `None`: `port + 1` (a free port when `port`
    /// is 0); `Some(0)` picks a free port. See [`Receiver::return_endpoint`].
    pub return_port: Option<u16>,
    /// How often an unacknowledged lecturer message is sent again to a registered student.
    pub resend_every: Duration,
    /// The lecturer's key pair: when set the class is encrypted (CurveZMQ) in both directions
    /// and each student id is pinned to its first key (docs/PROTOCOL.md, "Encryption (CURVE)").
    pub server_key: Option<crate::keys::ServerKeys>,
}

impl Config {
    pub fn new(store: impl Into<PathBuf>) -> Self {
        Config {
            bind: "0.0.0.0".into(),
            port: DEFAULT_PORT,
            store: store.into(),
            class_code: None,
            limits: Limits::default(),
            transfer_timeout: Duration::from_secs(600),
            idle_after: Duration::from_secs(15),
            offline_after: Duration::from_secs(60),
            progress_every: Duration::from_millis(250),
            return_port: None,
            resend_every: Duration::from_secs(15),
            server_key: None,
        }
    }

    /// The return port to bind (0: any free port).
    pub fn effective_return_port(&self) -> u16 {
        match self.return_port {
            Some(p) => p,
            None if self.port == 0 => 0,
            None => self.port.saturating_add(1),
        }
    }

    fn key(&self) -> Option<Vec<u8>> {
        self.class_code.as_deref().filter(|c| !c.is_empty()).map(|c| c.as_bytes().to_vec())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiverError {
    #[error("Port {port} is already in use on {bind}. Close the other program using it or choose another port.")]
    PortInUse { bind: String, port: u16 },
    #[error("Cannot listen on {endpoint}: {message}")]
    Bind { endpoint: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Cannot start the receiver: {0}")]
    Zmq(String),
    #[error("Cannot start the receiver: the system refused a new thread ({0})")]
    Thread(String),
}

/// A running receiver. Dropping it without [`Receiver::stop`] stops it too.
pub struct Receiver {
    endpoint: String,
    return_endpoint: String,
    commands: crossbeam_channel::Sender<work::Work>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    events: Rx<Event>,
    stats: Arc<StatsCounter>,
    pinning: Arc<pinning::Pinning>,
}

impl Receiver {
    /// Open the store, bind the socket and start receiving. Errors a lecturer can fix (port in
    /// use, store not writable) come back here, as plain sentences.
    pub fn start(config: Config) -> Result<Receiver, ReceiverError> {
        if let Some((before, after)) = crate::fdlimit::raise_open_files_limit() {
            if after > before {
                log::debug!("raised the open-file limit from {before} to {after}");
            }
        }
        let store = Store::open(&config.store)?;
        // Shared by the worker (v1 messages) and the return-path thread (which must refuse a
        // replayed `register` before it routes a student's replies to that connection).
        let fresh = Arc::new(Mutex::new(fresh::Freshness::load(Some(&store.meta_dir()))));
        let pins = crate::pins::Pins::open(store.root())?;
        let pinning =
            Arc::new(pinning::Pinning::new(pins, config.limits.new_students, config.limits.new_ids_per_connection));
        let ctx = zmq::Context::new();
        // The ZAP handler first: a socket that binds before it would let clients in without a
        // connection number (and, encrypted, without a User-Id, i.e. unpinned).
        let zap_sock = zap::bind(&ctx).map_err(|e| ReceiverError::Zmq(e.to_string()))?;
        inbound::set_budget(config.limits.max_inbound);
        let sock = socket::bind(&ctx, &config)?;
        let endpoint = sock
            .get_last_endpoint()
            .ok()
            .and_then(|e| e.ok())
            .unwrap_or_else(|| format!("tcp://{}:{}", config.bind, config.port));
        let ret_sock = return_path::bind(&ctx, &config)?;
        let return_endpoint = ret_sock
            .get_last_endpoint()
            .ok()
            .and_then(|e| e.ok())
            .unwrap_or_else(|| format!("tcp://{}:{}", config.bind, config.effective_return_port()));
        #[cfg(unix)]
        let control = match control::bind(&ctx, store.root()) {
            Ok(c) => Some(c),
            Err(e) => {
                log::warn!("`pracownia say` and the other commands cannot reach this receiver: {e}");
                None
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        // Declared before the channels: on an early return they are dropped first (so threads
        // waiting on them end), then the guard stops and joins what was started, and the
        // sockets (the ports) are released.
        let mut started = Started { stop: stop.clone(), threads: Vec::new(), armed: true };
        let stats = Arc::new(StatsCounter::default());
        let (ev_tx, ev_rx) = bounded(10_000);
        let sink = stats::EventSink::new(ev_tx, stats.clone());
        let (work_tx, work_rx) = bounded(64);
        let budget = Arc::new(Budget::new(WORK_BUDGET));
        let (img_tx, img_rx) = crossbeam_channel::unbounded();
        let (blend_tx, blend_rx) = crossbeam_channel::unbounded();
        let (wb_tx, wb_rx) = bounded::<crate::reassembly::Writeback>(32);
        let (out_tx, out_rx) = crossbeam_channel::unbounded();
        let config = Arc::new(config);

        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new().name(name.into()).spawn(f).map_err(|e| ReceiverError::Thread(e.to_string()))
        };
        let threads = &mut started.threads;
        {
            let (stop, encrypted) = (stop.clone(), config.server_key.is_some());
            threads.push(spawn("pracownia-zap", Box::new(move || zap::run(zap_sock, stop, encrypted)))?);
        }
        let checks = || socket::Checks::new(config.clone(), stats.clone(), sink.clone(), pinning.clone());
        {
            let t = return_path::ReturnThread {
                sock: ret_sock,
                checks: checks(),
                stop: stop.clone(),
                work: work_tx.clone(),
                outgoing: out_rx,
                fresh: fresh.clone(),
            };
            threads.push(spawn("pracownia-return", Box::new(move || return_path::run(t)))?);
        }
        #[cfg(unix)]
        if let Some((sock, path)) = control {
            let (stop, tx) = (stop.clone(), work_tx.clone());
            threads.push(spawn("pracownia-control", Box::new(move || control::run(sock, path, stop, tx)))?);
        }
        {
            let t = socket::SocketThread {
                ctx,
                sock,
                checks: checks(),
                stop: stop.clone(),
                work: work_tx.clone(),
                budget: budget.clone(),
            };
            threads.push(spawn("pracownia-socket", Box::new(move || t.run()))?);
        }
        // Two image threads: while one waits for a screenshot's fdatasync (long when the disk is
        // busy with blends), the other decodes.
        for _ in 0..IMAGE_THREADS {
            let (cfg, tx, jobs) = (config.clone(), work_tx.clone(), img_rx.clone());
            threads.push(spawn("pracownia-images", Box::new(move || images::run(jobs, tx, cfg)))?);
        }
        drop(img_rx);
        {
            let tx = work_tx.clone();
            threads.push(spawn("pracownia-blends", Box::new(move || images::run_blends(blend_rx, tx)))?);
        }
        threads.push(spawn("pracownia-writeback", Box::new(move || wb_rx.into_iter().for_each(|w| w.start())))?);
        let watcher = {
            let tx = work_tx.clone();
            crate::store::watch::watch(store.root(), move |dir| {
                // Blocks only the watcher's own thread when the worker is busy; never drops.
                let _ = tx.send(work::Work::Resync(dir));
            })
        };
        if let Err(e) = &watcher {
            log::warn!("Changes made by hand in the store folder will not be noticed until restart: {e}");
        }
        {
            let (cfg, stats) = (config.clone(), stats.clone());
            threads.push(spawn(
                "pracownia-worker",
                Box::new(move || {
                    let _watcher = watcher;
                    let disk = work::DiskQueues { images: img_tx, blends: blend_tx, writeback: wb_tx };
                    worker::Worker::new(store, cfg, stats, sink, disk, budget, Some(out_tx))
                        .with_freshness(fresh)
                        .run(work_rx)
                }),
            )?);
        }
        let threads = started.disarm();
        Ok(Receiver { endpoint, return_endpoint, commands: work_tx, stop, threads, events: ev_rx, stats, pinning })
    }

    /// Where it listens, e.g. `tcp://0.0.0.0:5570`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Where the return path (protocol 1.1) listens, e.g. `tcp://0.0.0.0:5571`.
    pub fn return_endpoint(&self) -> &str {
        &self.return_endpoint
    }

    pub fn return_port(&self) -> u16 {
        self.return_endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    /// Queue a lecturer message (journaled before it is sent) and send it to the students who are
    /// registered on the return path; the others get it when they register. Waits at most
    /// [`command::COMMAND_WAIT`] twice (for the worker to take it, then to answer).
    pub fn command(&self, cmd: LecturerCommand) -> Result<CommandOutcome, CommandError> {
        command::call(&self.commands, cmd)
    }

    pub fn port(&self) -> u16 {
        self.endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0)
    }

    pub fn events(&self) -> &Rx<Event> {
        &self.events
    }

    pub fn stats(&self) -> Stats {
        self.stats.snapshot()
    }

    /// Mark a student's chat as read up to `until` (Unix ms). The store is owned by the receiver's
    /// worker while it runs, so this goes through it; it never blocks on the network.
    pub fn mark_chat_read(&self, student: uuid::Uuid, until: i64) {
        let _ = self.commands.send(work::Work::MarkChatRead { student, until });
    }

    /// Forget the key a student is pinned to (a student who reinstalled the add-on): the next
    /// key that joins as them is pinned. False when none was pinned. Saved at once.
    pub fn reset_pin(&self, student: uuid::Uuid) -> Result<bool, StoreError> {
        self.pinning.pins.reset(student)
    }

    /// The key a student is pinned to, if any.
    pub fn pinned_key(&self, student: uuid::Uuid) -> Option<crate::keys::PublicKey> {
        self.pinning.pins.get(student)
    }

    /// Stop receiving, finish every write already under way, and wait for the threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The threads `Receiver::start` has spawned so far: if it fails midway, dropping this stops and
/// joins them, so no thread is left holding a socket and its port.
struct Started {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    armed: bool,
}

impl Started {
    /// Start succeeded: the threads now belong to the Receiver.
    fn disarm(&mut self) -> Vec<JoinHandle<()>> {
        self.armed = false;
        std::mem::take(&mut self.threads)
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if self.armed && !self.threads.is_empty() {
            self.stop.store(true, Ordering::SeqCst);
            for t in self.threads.drain(..) {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Threads that sync, decode and thumbnail screenshots.
/// Screenshot threads; decoding holds at most `IMAGE_THREADS × Limits::max_image_alloc`.
pub const IMAGE_THREADS: usize = 2;

/// Chunk bytes the socket thread may have handed to the worker and not yet written.
const WORK_BUDGET: usize = 16 << 20;

/// Bounds the chunk bytes queued between the socket and worker threads (the channel's own bound
/// counts messages, whose size a sender chooses up to `max_frame`).
pub(crate) struct Budget {
    used: Mutex<usize>,
    freed: Condvar,
    cap: usize,
}

impl Budget {
    fn new(cap: usize) -> Self {
        Budget { used: Mutex::new(0), freed: Condvar::new(), cap }
    }

    /// Wait until `n` more bytes fit (one message always fits when nothing is queued), or stop.
    pub(crate) fn take(&self, n: usize, stop: &AtomicBool) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + n > self.cap && !stop.load(Ordering::SeqCst) {
            used = self.freed.wait_timeout(used, Duration::from_millis(100)).unwrap_or_else(|e| e.into_inner()).0;
        }
        *used += n;
    }

    pub(crate) fn give(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(n);
        self.freed.notify_one();
    }
}

/// The bytes of a message that count against the [`Budget`]: a chunk's body.
pub(crate) fn chunk_bytes(msg: &crate::protocol::Message<work::Frame>) -> usize {
    match &msg.payload {
        crate::protocol::Payload::Chunk(c) => c.body.as_ref().len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod started_tests {
    use super::*;

    #[test]
    fn a_start_that_fails_midway_stops_and_joins_what_it_started() {
        let stop = Arc::new(AtomicBool::new(false));
        let mut started = Started { stop: stop.clone(), threads: Vec::new(), armed: true };
        let (s2, done) = (stop.clone(), Arc::new(AtomicBool::new(false)));
        let d2 = done.clone();
        started.threads.push(std::thread::spawn(move || {
            while !s2.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            d2.store(true, Ordering::SeqCst);
        }));
        drop(started); // as an early `?` return does
        assert!(stop.load(Ordering::SeqCst) && done.load(Ordering::SeqCst));

        let stop = Arc::new(AtomicBool::new(false));
        let mut ok = Started { stop: stop.clone(), threads: vec![std::thread::spawn(|| {})], armed: true };
        let threads = ok.disarm();
        drop(ok);
        assert!(!stop.load(Ordering::SeqCst), "a successful start is not stopped");
        threads.into_iter().for_each(|t| t.join().unwrap());
    }
}

#[cfg(test)]
mod return_tests;

#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod replay_tests;

#[cfg(test)]
mod curve_tests;
#[cfg(test)]
mod identity_tests;
