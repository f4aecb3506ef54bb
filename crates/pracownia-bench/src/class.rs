//! A big class (the class section). Seats follow `pracownia simulate`'s schedule (same identities,
//! stagger, socket and content generators) but remember when each message finished sending, so the
//! latency to the event being available in the index can be measured.
//!
//! Latency method: a poller in this process reads the index through `IndexReader` (as the app
//! does) every `poll` ms and notes the wall-clock time at which each event first shows up.
//! latency = first seen − the moment the sender's `send()` of the last frame returned (for a
//! file: of its last chunk). Same machine, same clock; the error is at most one poll interval
//! (+ the query). The receiver's own record time (`ts` in the index) is reported beside it.

use crate::seat::{Pattern, Seat};
use crate::stats::pcts;
use crate::wall_ms;
use pracownia_core::index::IndexReader;
use pracownia_core::model::{FileKind, TimelineEntry, TimelineKind};
use pracownia_simulate::{
    drive, screenshot_png, ChunkSource, Due, NextChunk, Outbox, Outgoing, Phase, SeatTimer, SeatWork, SendError,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ClassConfig {
    pub students: usize,
    pub duration: Duration,
    pub shot_every: Option<Duration>,
    pub shot_size: (u32, u32),
    pub chat_every: Option<Duration>,
    pub blend_every: Option<Duration>,
    pub blend_size: u64,
    pub chunk: usize,
    pub poll: Duration,
    /// Re-hash every stored file on disk after the run.
    pub verify_on_disk: bool,
    /// How long to wait after the last send for the receiver to catch up.
    pub drain: Duration,
    /// Spread over their periods (as the add-on's jitter leaves a class) or all at once.
    pub phase: Phase,
    /// The lecturer's public key: an encrypted class, each seat with its own key pair.
    pub server_key: Option<pracownia_core::keys::PublicKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Transfer(Uuid),
    Chat(String),
}

#[derive(Debug, Clone)]
struct Sent {
    kind: TimelineKind,
    key: Key,
    sha256: Option<String>,
    size: u64,
    done_ms: f64,
}

#[derive(Debug, Clone, Default)]
pub struct Latency {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    fn of(v: &[f64]) -> Latency {
        let (p50, p95, p99, max) = pcts(v);
        Latency { n: v.len(), p50, p95, p99, max }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ClassReport {
    pub sent_chats: u64,
    pub sent_shots: u64,
    pub sent_blends: u64,
    pub sent_messages: u64,
    pub sent_bytes: u64,
    pub stored_chats: u64,
    pub stored_shots: u64,
    pub stored_blends: u64,
    /// Sent but never seen in the index.
    pub missing: u64,
    /// Stored with another digest or size than sent, or whose bytes on disk do not hash right.
    pub corrupt: u64,
    pub verified_on_disk: u64,
    pub rejected: u64,
    pub incomplete: u64,
    pub errors: Vec<String>,
    /// First seen in the index − sent, ms; per kind and all together.
    pub latency: HashMap<&'static str, Latency>,
    /// Receiver's record time (index `ts`) − sent, ms, all kinds.
    pub record_latency: Latency,
    pub wall_secs: f64,
}

/// Run a class against a receiver listening at `endpoint` with its store at `store`.
pub fn run(cfg: &ClassConfig, endpoint: &str, store: &Path) -> ClassReport {
    let shots: Arc<Vec<(Vec<u8>, String)>> = Arc::new(if cfg.shot_every.is_some() {
        (0..8)
            .map(|i| {
                let png = screenshot_png(cfg.shot_size.0, cfg.shot_size.1, i * 13, i as u64);
                let sha = hex::encode(Sha256::digest(&png));
                (png, sha)
            })
            .collect()
    } else {
        Vec::new()
    });
    let blends: Arc<Vec<(Pattern, String)>> = Arc::new(if cfg.blend_every.is_some() {
        (0..2)
            .map(|i| {
                let p = Pattern::new(cfg.blend_size as usize, 1000 + i);
                let sha = p.sha256(cfg.blend_size);
                (p, sha)
            })
            .collect()
    } else {
        Vec::new()
    });
    let stop = Arc::new(AtomicBool::new(false));
    let ctx = zmq::Context::new();
    let barrier = Arc::new(Barrier::new(cfg.students + 1));
    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let counters: Arc<Mutex<(u64, u64, Vec<String>)>> = Arc::default();

    // The poller: every event, with the moment it was first visible.
    let seen: Arc<Mutex<Vec<(TimelineEntry, f64)>>> = Arc::default();
    let poll_stop = Arc::new(AtomicBool::new(false));
    let poller = {
        let (store, seen, poll_stop, poll) = (store.to_path_buf(), seen.clone(), poll_stop.clone(), cfg.poll);
        std::thread::spawn(move || poll_index(&store, &seen, &poll_stop, poll))
    };

    let seats: Vec<_> = (0..cfg.students)
        .map(|i| {
            let (cfg, ctx, stop, barrier, sent, counters, shots, blends, endpoint) = (
                cfg.clone(),
                ctx.clone(),
                stop.clone(),
                barrier.clone(),
                sent.clone(),
                counters.clone(),
                shots.clone(),
                blends.clone(),
                endpoint.to_owned(),
            );
            std::thread::spawn(move || {
                let keys = cfg.server_key.map(|k| pracownia_simulate::seat_keys(i, k));
                let seat = Seat::connect_with(&ctx, &endpoint, i, cfg.chunk, &stop, keys.as_ref());
                barrier.wait();
                let r = match seat {
                    Ok(mut seat) => {
                        let r = seat_loop(&mut seat, i, &cfg, &stop, &sent, &shots, &blends);
                        let mut c = counters.lock().unwrap();
                        c.0 += seat.sock.sent_messages;
                        c.1 += seat.sock.sent_bytes;
                        r
                    }
                    Err(e) => Err(e.to_string()),
                };
                if let Err(e) = r {
                    counters.lock().unwrap().2.push(format!("seat {i}: {e}"));
                }
            })
        })
        .collect();
    barrier.wait();
    let t0 = Instant::now();
    for s in seats {
        let _ = s.join();
    }
    let sent = std::mem::take(&mut *sent.lock().unwrap());
    // Wait for the receiver to catch up: everything sent visible, or the drain time over.
    let want: usize = sent.len();
    let deadline = Instant::now() + cfg.drain;
    loop {
        let have = {
            let seen = seen.lock().unwrap();
            seen.iter()
                .filter(|(e, _)| {
                    matches!(e.kind(), TimelineKind::Chat | TimelineKind::Screenshot | TimelineKind::Blend)
                })
                .count()
        };
        if have >= want || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let wall_secs = t0.elapsed().as_secs_f64();
    poll_stop.store(true, Ordering::SeqCst);
    let _ = poller.join();
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let counters = std::mem::take(&mut *counters.lock().unwrap());
    let mut r = compare(&sent, &seen, store, cfg.verify_on_disk);
    r.sent_messages = counters.0;
    r.sent_bytes = counters.1;
    r.errors = counters.2;
    r.wall_secs = wall_secs;
    r
}

fn poll_index(store: &Path, seen: &Mutex<Vec<(TimelineEntry, f64)>>, stop: &AtomicBool, poll: Duration) {
    let mut reader = None;
    let mut after = None;
    loop {
        let last_round = stop.load(Ordering::SeqCst);
        if reader.is_none() {
            reader = IndexReader::open(store).ok();
        }
        if let Some(r) = &reader {
            while let Ok(page) = r.timeline(None, after, 2000) {
                if page.is_empty() {
                    break;
                }
                let now = wall_ms();
                after = page.last().map(|e| e.id);
                seen.lock().unwrap().extend(page.into_iter().map(|e| (e, now)));
            }
        }
        if last_round {
            return;
        }
        std::thread::sleep(poll);
    }
}

/// A seat's file bytes: one of the pre-made PNGs or blend patterns.
enum Src<'a> {
    Png(&'a [u8]),
    Blend(&'a Pattern),
}

impl ChunkSource for Src<'_> {
    fn fill(&self, at: u64, buf: &mut [u8]) {
        match self {
            Src::Png(p) => p.fill(at, buf),
            Src::Blend(p) => p.fill(at, buf),
        }
    }
}

/// A benchmark seat's side of `pracownia simulate`'s [`drive`] loop: it also notes when each
/// message finished sending, for the latency.
struct BenchWork<'a> {
    seat: &'a mut Seat,
    index: usize,
    cfg: &'a ClassConfig,
    stop: &'a AtomicBool,
    shots: &'a [(Vec<u8>, String)],
    blends: &'a [(Pattern, String)],
    counts: (usize, usize, usize),
    mine: Vec<Sent>,
}

impl<'a> SeatWork<Src<'a>> for BenchWork<'a> {
    type Error = SendError;

    fn due(&mut self, what: Due, outbox: &mut Outbox<Src<'a>>) -> Result<(), SendError> {
        let (index, cfg) = (self.index, self.cfg);
        let (nshot, nchat, nblend) = &mut self.counts;
        match what {
            Due::Heartbeat => self.seat.heartbeat(self.stop)?,
            Due::Chat => {
                *nchat += 1;
                let text = format!("bench {index} {nchat}: czy to dobrze wygląda?");
                self.seat.chat(&text, self.stop)?;
                let key = Key::Chat(text);
                self.mine.push(Sent { kind: TimelineKind::Chat, key, sha256: None, size: 0, done_ms: wall_ms() });
            }
            Due::Screenshot => {
                let (png, sha) = &self.shots[(index + *nshot) % self.shots.len()];
                *nshot += 1;
                let size = png.len() as u64;
                let src = Src::Png(png);
                outbox.push(Outgoing::new(FileKind::Screenshot, "screenshot.png", size, sha.clone(), cfg.chunk, src));
            }
            Due::Blend => {
                let (p, sha) = &self.blends[(index + *nblend) % self.blends.len()];
                *nblend += 1;
                let src = Src::Blend(p);
                outbox.push(Outgoing::new(FileKind::Blend, "scena.blend", cfg.blend_size, sha.clone(), cfg.chunk, src));
            }
        }
        Ok(())
    }

    fn chunk(&mut self, c: &NextChunk, body: &mut Vec<u8>) -> Result<(), SendError> {
        self.seat.chunk(&c.fields, body, self.stop)
    }

    fn finished(&mut self, f: Outgoing<Src<'a>>) {
        let kind = if f.kind == FileKind::Screenshot { TimelineKind::Screenshot } else { TimelineKind::Blend };
        let key = Key::Transfer(f.transfer);
        self.mine.push(Sent { kind, key, sha256: Some(f.sha256), size: f.size, done_ms: wall_ms() });
    }
}

/// The seat's schedule, as `pracownia simulate` runs it (see [`drive`]).
#[allow(clippy::too_many_arguments)]
fn seat_loop(
    seat: &mut Seat,
    index: usize,
    cfg: &ClassConfig,
    stop: &AtomicBool,
    sent: &Mutex<Vec<Sent>>,
    shots: &[(Vec<u8>, String)],
    blends: &[(Pattern, String)],
) -> Result<(), String> {
    let start = Instant::now();
    let timer = SeatTimer::new(index, start, cfg.phase, cfg.shot_every, cfg.chat_every, cfg.blend_every);
    let mut work = BenchWork { seat, index, cfg, stop, shots, blends, counts: (0, 0, 0), mine: Vec::new() };
    drive(&mut work, timer, start, cfg.duration, stop).map_err(|e| e.to_string())?;
    work.seat.bye(stop).map_err(|e| e.to_string())?;
    sent.lock().unwrap().extend(work.mine);
    Ok(())
}

fn compare(sent: &[Sent], seen: &[(TimelineEntry, f64)], store: &Path, verify: bool) -> ClassReport {
    let mut r = ClassReport::default();
    let mut by_key: HashMap<Key, &(TimelineEntry, f64)> = HashMap::new();
    for item in seen {
        let e = &item.0;
        match e.kind() {
            TimelineKind::Chat => {
                r.stored_chats += 1;
                if let Some(t) = e.text() {
                    by_key.insert(Key::Chat(t.to_string()), item);
                }
            }
            TimelineKind::Screenshot | TimelineKind::Blend => {
                if e.kind() == TimelineKind::Screenshot {
                    r.stored_shots += 1
                } else {
                    r.stored_blends += 1
                }
                if let Some(t) = e.file().and_then(|f| f.transfer) {
                    by_key.insert(Key::Transfer(t), item);
                }
            }
            TimelineKind::Rejected => r.rejected += 1,
            TimelineKind::Incomplete => r.incomplete += 1,
            _ => {}
        }
    }
    let mut lat: HashMap<&'static str, Vec<f64>> = HashMap::new();
    let mut rec = Vec::new();
    for s in sent {
        match s.kind {
            TimelineKind::Chat => r.sent_chats += 1,
            TimelineKind::Screenshot => r.sent_shots += 1,
            _ => r.sent_blends += 1,
        }
        let Some((e, first_seen)) = by_key.get(&s.key) else {
            r.missing += 1;
            continue;
        };
        let (sha256, size) = e.file().map_or((None, None), |f| (f.sha256.as_deref(), f.size));
        if s.sha256.is_some() && (sha256.map(str::to_lowercase) != s.sha256 || size != Some(s.size)) {
            r.corrupt += 1;
        }
        if verify && s.sha256.is_some() {
            let ok = e.file().and_then(|f| crate::ingest::pracownia_hash_file(&store.join(&f.path)).ok()) == s.sha256;
            if ok {
                r.verified_on_disk += 1;
            } else {
                r.corrupt += 1;
            }
        }
        let l = first_seen - s.done_ms;
        lat.entry(s.kind.as_str()).or_default().push(l);
        lat.entry("all").or_default().push(l);
        rec.push(e.ts as f64 - s.done_ms);
    }
    r.latency = lat.into_iter().map(|(k, v)| (k, Latency::of(&v))).collect();
    r.record_latency = Latency::of(&rec);
    r
}

/// A fresh scratch store path.
pub fn store_path(work: &Path, name: &str) -> PathBuf {
    let p = work.join(name);
    let _ = std::fs::remove_dir_all(&p);
    p
}
