//! For fuzzing and tests only: the receiver's message path without sockets or threads, and the
//! byte formats of the two cargo-fuzz targets in `fuzz/` (docs/SECURITY.md, "Fuzzing"). The
//! targets and `tests/fuzz_regressions.rs` call [`run_message_input`] and [`run_image_input`],
//! so a saved crash is replayed by `cargo test` through exactly the code that fuzzing ran.
//!
//! [`Harness`] is a receiver whose socket and disk threads are replaced by direct calls: each
//! message goes through the socket thread's checks ([`super::socket::Checks::accept`]: parse, class-code
//! MAC, pinning), then the worker's `on_message` (freshness, rates, identity, presence, the
//! store, chunk reassembly); a completed file is checked inline as the images or blends thread
//! checks it (fdatasync, PNG/JPEG probe and decode within limits, thumbnail, .blend magic) and
//! handed back to the worker to be placed. Nothing here is used by the receiver itself.

use super::pinning::Pinning;
use super::socket::{Checks, Origin};
use super::stats::{EventSink, StatsCounter};
use super::work::{DiskJob, DiskQueues};
use super::worker::Worker;
use super::{work::Frame, Budget, Config, ReceiverError};
use crate::events::{Event, Stats};
use crate::limits::Limits;
use crate::media;
use crate::reassembly::Writeback;
use crate::store::Store;
use crossbeam_channel::{bounded, unbounded, Receiver as Rx};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The class code of [`run_message_input`] when its flags ask for one.
pub const FUZZ_CLASS_CODE: &str = "fuzz-class-code";
/// Separates the messages of a [`run_message_input`] input.
pub const MESSAGE_SEPARATOR: &[u8] = b"|MSG|";
/// Separates the frames of one message.
pub const FRAME_SEPARATOR: &[u8] = b"|FR|";
/// In a header, replaced by the hex SHA-256 of that message's body before the MAC is made, so
/// the fuzzer can send a one-chunk file whose digest matches (it cannot compute one itself).
pub const BODY_SHA256: &[u8] = b"@body_sha256@";
/// Messages of one input past this are ignored (each may write to the store: keep runs fast).
pub const MAX_MESSAGES: usize = 64;

/// A receiver without sockets or threads over the store at a path (see the module's doc).
pub struct Harness {
    worker: Option<Worker>,
    checks: Checks,
    events: Rx<Event>,
    images: Rx<DiskJob>,
    blends: Rx<DiskJob>,
    writeback: Rx<Writeback>,
}

impl Harness {
    /// Open (or create) the store at `store` and a receiver over it with this class code and
    /// these limits; the other settings are `Config::new`'s.
    pub fn new(store: &Path, class_code: Option<&str>, limits: Limits) -> Result<Harness, ReceiverError> {
        let mut cfg = Config::new(store);
        cfg.class_code = class_code.map(str::to_owned);
        cfg.limits = limits;
        let cfg = Arc::new(cfg);
        let store = Store::open(&cfg.store)?;
        let pins = crate::pins::Pins::open(store.root())?;
        let pinning = Arc::new(Pinning::new(pins, cfg.limits.new_students, cfg.limits.new_ids_per_connection));
        let stats = Arc::new(StatsCounter::default());
        let (ev_tx, events) = bounded(10_000);
        let sink = EventSink::new(ev_tx, stats.clone());
        let (img_tx, images) = unbounded();
        let (blend_tx, blends) = unbounded();
        let (wb_tx, writeback) = bounded(32);
        let disk = DiskQueues { images: img_tx, blends: blend_tx, writeback: wb_tx };
        let budget = Arc::new(Budget::new(super::WORK_BUDGET));
        let worker = Worker::new(store, cfg.clone(), stats.clone(), sink.clone(), disk, budget, None);
        Ok(Harness {
            worker: Some(worker),
            checks: Checks::new(cfg, stats, sink, pinning),
            events,
            images,
            blends,
            writeback,
        })
    }

    /// One multipart message as a plaintext connection delivers it: every frame, of which the
    /// socket thread keeps at most 4 (more is a `frame_count` refusal).
    pub fn message(&mut self, mut frames: Vec<Vec<u8>>) {
        let count = frames.len();
        frames.truncate(4);
        if count > 4 {
            frames.clear();
        }
        let frames = frames.into_iter().map(|f| Frame(zmq::Message::from(f))).collect();
        // No connection metadata: a plaintext message without a connection number.
        let accepted = self.checks.accept(frames, count, &Origin { client: None, conn: None });
        let worker = self.worker.as_mut().expect("not finished");
        if let Some(msg) = accepted {
            let at = worker.clock();
            worker.on_message(msg, None, at);
        }
        // What the disk threads would do, at once: check each completed file, hand it back.
        loop {
            if let Ok(job) = self.images.try_recv() {
                self.check(job, true);
            } else if let Ok(job) = self.blends.try_recv() {
                self.check(job, false);
            } else {
                break;
            }
        }
        self.writeback.try_iter().for_each(drop);
        self.events.try_iter().for_each(drop);
    }

    /// Stop as the receiver stops (open transfers become `incomplete` entries); its stats.
    pub fn finish(mut self) -> Stats {
        if let Some(w) = self.worker.take() {
            w.shutdown();
        }
        self.checks.stats.snapshot()
    }

    fn check(&mut self, (job, file): DiskJob, screenshot: bool) {
        let result = if screenshot {
            super::images::check_screenshot(&job, file, &self.checks.cfg)
        } else {
            super::images::check_blend(file)
        };
        self.worker.as_mut().expect("not finished").file_checked(job, result);
    }
}

/// A directory for this process's runs, made once: in /dev/shm where there is one (a store
/// fsyncs every journal line; memory makes that free), else the temporary directory. The fuzz
/// targets pass it to [`run_message_input`] and [`run_image_input`]; each run removes its own
/// subdirectory, so only this empty directory is left when the process ends.
pub fn process_scratch_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        let dir = base.join(format!("pracownia-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
        dir
    })
}

/// A new, empty directory under `scratch` for one input (many may run at once in tests).
fn fresh_dir(scratch: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = scratch.join(format!("run-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch directory is writable");
    dir
}

/// The parts of `data` between separators (one empty part for empty data).
fn split<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                rest = Some(&r[i + sep.len()..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// The `message` fuzz target: a fresh store in a new directory under `scratch` (removed after),
/// and up to [`MAX_MESSAGES`] messages fed to a [`Harness`] over it.
///
/// Input: one flags byte (bit 0: the receiver has the class code [`FUZZ_CLASS_CODE`]; bit 1: do
/// not add MACs), then messages separated by [`MESSAGE_SEPARATOR`], each its frames separated by
/// [`FRAME_SEPARATOR`]. In a header, [`BODY_SHA256`] becomes the hex SHA-256 of the body. With a
/// class code and MACs on, a message of exactly 3 frames gets the right MAC as its fourth, so
/// the fuzzer gets past `bad_mac`; any other count is sent as it is.
///
/// The limits are the defaults but for the free-disk floor (0: the scratch disk's free space
/// must not change what a run does).
pub fn run_message_input(data: &[u8], scratch: &Path) -> Stats {
    let (flags, rest) = data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
    let code = (flags & 1 == 1).then_some(FUZZ_CLASS_CODE);
    let add_macs = flags & 2 == 0;
    let dir = fresh_dir(scratch);
    let limits = Limits { free_disk_floor: 0, ..Limits::default() };
    let mut h = Harness::new(&dir, code, limits).expect("a store opens in an empty directory");
    for m in split(rest, MESSAGE_SEPARATOR).take(MAX_MESSAGES) {
        let mut frames: Vec<Vec<u8>> = split(m, FRAME_SEPARATOR).map(<[u8]>::to_vec).collect();
        if frames.len() >= 3 && frames[1].windows(BODY_SHA256.len()).any(|w| w == BODY_SHA256) {
            let digest = hex::encode(Sha256::digest(&frames[2]));
            let header: Vec<u8> = split(&frames[1], BODY_SHA256).collect::<Vec<_>>().join(digest.as_bytes());
            frames[1] = header;
        }
        if let (Some(key), true, 3) = (code, add_macs, frames.len()) {
            let mac = crate::protocol::mac(key.as_bytes(), &frames[0], &frames[1], &frames[2]);
            frames.push(mac.to_vec());
        }
        h.message(frames);
    }
    let stats = h.finish();
    let _ = std::fs::remove_dir_all(&dir);
    stats
}

/// The `image` fuzz target: `data` as a received screenshot, in a new directory under
/// `scratch` (removed after), checked as the images thread checks it with the default limits
/// (header probe, decode, thumbnail), and as a .blend's magic. Panics if a screenshot is
/// accepted whose decoded size breaks the limits or differs from what its headers declared
/// (the declared size is what the limits were checked against).
pub fn run_image_input(data: &[u8], scratch: &Path) -> Option<media::Screenshot> {
    let dir = fresh_dir(scratch);
    let (shot, thumb) = (dir.join("shot.part"), dir.join("shot.thumb.jpg"));
    std::fs::write(&shot, data).expect("the scratch directory is writable");
    let limits = Limits::default();
    let _ = media::looks_like_blend(&shot);
    let declared = std::fs::File::open(&shot)
        .ok()
        .and_then(|f| media::probe::probe(&mut std::io::BufReader::new(f), &limits).ok());
    let result = media::check_screenshot_and_thumbnail(&shot, &thumb, &limits).ok();
    if let Some(s) = &result {
        let p = declared.expect("an accepted screenshot passed the probe");
        assert_eq!((s.width, s.height), (p.width, p.height), "decoded size differs from the declared one");
        assert!(s.width <= limits.max_image_side && s.height <= limits.max_image_side);
        assert!(u64::from(s.width) * u64::from(s.height) <= limits.max_image_pixels);
        assert!(thumb.is_file(), "an accepted screenshot has its thumbnail");
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}
