//! `pracownia simulate`: students that speak the real protocol over real sockets, for demos,
//! tests and benchmarks. Each student has its own thread and XPUB socket, like a lab seat.

mod content;
mod outbox;
mod sender;
mod timing;

pub use content::{screenshot_png, BlendBytes};
pub use outbox::{ChunkSource, NextChunk, Outbox, Outgoing};
pub use sender::{sndhwm_for, SendError, StudentSocket, SNDHWM};
pub use timing::{Due, Phase, SeatTimer};

use crate::model::FileKind;
use crate::protocol::{Kind, CHUNK_SIZE};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub connect: String,
    pub students: usize,
    pub duration: Duration,
    pub screenshot_every: Option<Duration>,
    pub screenshot_size: (u32, u32),
    pub chat_every: Option<Duration>,
    pub blend_every: Option<Duration>,
    pub blend_size: u64,
    pub class_code: Option<String>,
    pub chunk_size: usize,
    /// How long to wait for the lecturer's subscription.
    pub connect_wait: Duration,
    /// Where in their periods the seats send (spread over the period, like the add-on's jitter).
    pub phase: Phase,
}

impl SimConfig {
    pub fn new(connect: impl Into<String>, students: usize) -> Self {
        SimConfig {
            connect: connect.into(),
            students,
            duration: Duration::from_secs(60),
            screenshot_every: Some(Duration::from_secs(10)),
            screenshot_size: (1280, 720),
            chat_every: Some(Duration::from_secs(20)),
            blend_every: Some(Duration::from_secs(30)),
            blend_size: 2 << 20,
            class_code: None,
            chunk_size: CHUNK_SIZE,
            connect_wait: Duration::from_secs(10),
            phase: Phase::Spread,
        }
    }
}

/// What was sent, for comparing with what was stored.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SimReport {
    pub students: usize,
    pub messages: u64,
    pub chats: u64,
    pub screenshots: u64,
    pub blends: u64,
    pub bytes: u64,
    pub errors: Vec<String>,
}

const NAMES: [&str; 24] = [
    "anna", "bartek", "celina", "dawid", "ewa", "filip", "gosia", "henryk", "iga", "jan", "kasia", "leon", "magda",
    "norbert", "ola", "piotr", "renata", "szymon", "tomek", "ula", "wiktor", "zosia", "łucja", "żaneta",
];

/// A stable login and id per seat, so repeated demos land in the same folders.
pub fn student_identity(i: usize) -> (Uuid, String) {
    let login = match i / NAMES.len() {
        0 => NAMES[i].to_owned(),
        n => format!("{}{}", NAMES[i % NAMES.len()], n + 1),
    };
    let digest = Sha256::digest(format!("pracownia-simulated-student/{i}").as_bytes());
    let id = uuid::Builder::from_random_bytes(digest[..16].try_into().expect("16 bytes")).into_uuid();
    (id, login)
}

/// Run the whole class until `duration` passes or `stop` is set.
pub fn run(cfg: &SimConfig, stop: Arc<AtomicBool>) -> SimReport {
    let ctx = zmq::Context::new();
    let threads: Vec<_> = (0..cfg.students)
        .map(|i| {
            let (cfg, ctx, stop) = (cfg.clone(), ctx.clone(), stop.clone());
            std::thread::spawn(move || Seat::new(i, &cfg).run(&ctx, &cfg, &stop))
        })
        .collect();
    let mut total = SimReport { students: cfg.students, ..SimReport::default() };
    for t in threads {
        match t.join() {
            Ok(r) => {
                total.messages += r.messages;
                total.chats += r.chats;
                total.screenshots += r.screenshots;
                total.blends += r.blends;
                total.bytes += r.bytes;
                total.errors.extend(r.errors);
            }
            Err(_) => total.errors.push("a simulated student crashed".into()),
        }
    }
    total
}

struct Seat {
    index: usize,
    id: Uuid,
    login: String,
    seq: u64,
    report: SimReport,
}

/// What a simulated seat sends: a screenshot's PNG or a .blend's generator.
enum Content {
    Png(Vec<u8>),
    Blend(BlendBytes),
}

impl ChunkSource for Content {
    fn fill(&self, at: u64, buf: &mut [u8]) {
        match self {
            Content::Png(p) => p.fill(at, buf),
            Content::Blend(b) => b.fill(at, buf),
        }
    }
}

impl Seat {
    fn new(index: usize, _cfg: &SimConfig) -> Self {
        let (id, login) = student_identity(index);
        Seat { index, id, login, seq: 0, report: SimReport::default() }
    }

    fn header(&mut self, extra: Value) -> Value {
        self.seq += 1;
        let mut h = json!({"student": self.id, "login": self.login, "seq": self.seq, "ts": chrono::Utc::now().timestamp_millis()});
        if let (Some(h), Some(extra)) = (h.as_object_mut(), extra.as_object()) {
            h.extend(extra.clone());
        }
        h
    }

    fn run(mut self, ctx: &zmq::Context, cfg: &SimConfig, stop: &AtomicBool) -> SimReport {
        if let Err(e) = self.session(ctx, cfg, stop) {
            if !matches!(e, SendError::Stopped) {
                self.report.errors.push(format!("{}: {e}", self.login));
            }
        }
        self.report
    }

    fn session(&mut self, ctx: &zmq::Context, cfg: &SimConfig, stop: &AtomicBool) -> Result<(), SendError> {
        let hwm = sndhwm_for(cfg.chunk_size);
        let code = cfg.class_code.as_deref();
        let mut s = StudentSocket::connect_with_hwm(ctx, &cfg.connect, code, cfg.connect_wait, stop, hwm)?;
        // A lecturer who vanishes leaves sends blocked by back-pressure; do not outlive the run by much.
        s.give_up_at = Some(Instant::now() + cfg.duration + Duration::from_secs(10));
        let h = self.header(json!({"blender": "simulated", "addon": env!("CARGO_PKG_VERSION"), "host": format!("seat-{:02}", self.index + 1)}));
        s.send(Kind::Hello, &h, b"", stop)?;
        let start = Instant::now();
        let mut timer =
            SeatTimer::new(self.index, start, cfg.phase, cfg.screenshot_every, cfg.chat_every, cfg.blend_every);
        let mut outbox = Outbox::default();
        let mut body = Vec::new();
        let (mut frame, mut nblend) = (0u64, 0u64);
        while !stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            let running = start.elapsed() < cfg.duration;
            if !running && outbox.is_empty() {
                break;
            }
            for due in if running { timer.due(now) } else { Vec::new() } {
                match due {
                    Due::Heartbeat => {
                        let h = self.header(json!({"file": "scena.blend"}));
                        s.send(Kind::Heartbeat, &h, b"", stop)?;
                    }
                    Due::Chat => {
                        let text =
                            format!("Wiadomość {} od {} — czy to dobrze wygląda?", self.report.chats + 1, self.login);
                        let h = self.header(json!({"id": Uuid::new_v4()}));
                        s.send(Kind::Chat, &h, text.as_bytes(), stop)?;
                        self.report.chats += 1;
                    }
                    Due::Screenshot => {
                        let png = screenshot_png(cfg.screenshot_size.0, cfg.screenshot_size.1, self.index, frame);
                        frame += 1;
                        let sha = hex::encode(Sha256::digest(&png));
                        let size = png.len() as u64;
                        let f = Outgoing::new(
                            FileKind::Screenshot,
                            "screenshot.png",
                            size,
                            sha,
                            cfg.chunk_size,
                            Content::Png(png),
                        );
                        outbox.push(f);
                    }
                    Due::Blend => {
                        let seed = (self.index as u64) << 32 | nblend;
                        nblend += 1;
                        let b = BlendBytes::new(cfg.blend_size, seed);
                        let sha = b.sha256(cfg.chunk_size);
                        outbox.push(Outgoing::new(
                            FileKind::Blend,
                            "scena.blend",
                            b.size,
                            sha,
                            cfg.chunk_size,
                            Content::Blend(b),
                        ));
                    }
                }
            }
            // One chunk per turn, so that what falls due meanwhile (chat, a screenshot) goes next.
            if let Some(c) = outbox.peek() {
                outbox.fill(&c, &mut body);
                let h = self.header(c.fields.clone());
                s.send(Kind::Chunk, &h, &body, stop)?;
                match outbox.sent(&c).map(|f| f.kind) {
                    Some(FileKind::Screenshot) => self.report.screenshots += 1,
                    Some(FileKind::Blend) => self.report.blends += 1,
                    None => {}
                }
                continue;
            }
            let until_end = cfg.duration.saturating_sub(start.elapsed());
            std::thread::sleep(
                timer
                    .next_wake()
                    .saturating_duration_since(Instant::now())
                    .min(until_end)
                    .min(Duration::from_millis(100)),
            );
        }
        let h = self.header(json!({}));
        s.send(Kind::Bye, &h, b"", stop)?;
        self.report.messages = s.sent_messages;
        self.report.bytes = s.sent_bytes;
        Ok(())
    }
}
