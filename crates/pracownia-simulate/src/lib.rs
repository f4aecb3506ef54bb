//! Simulated students that speak the real protocol over real sockets: `pracownia simulate`, the
//! app's `--demo` and the benchmarks' seats. Each student has its own thread and XPUB socket,
//! like a lab seat. Kept out of pracownia-core so that the receiver's library carries no demo
//! code; it builds only on core's public API (the protocol, keys and `student::StudentSocket`).

mod content;
mod drive;
mod outbox;
mod timing;

pub use content::{screenshot_png, BlendBytes};
pub use drive::{drive, SeatWork};
pub use outbox::{ChunkSource, NextChunk, Outbox, Outgoing};
pub use pracownia_core::student::{sndhwm_for, SendError, StudentSocket, SNDHWM};
pub use timing::{Due, Phase, SeatTimer};

use pracownia_core::keys::{self, ClientKeys, PublicKey};
use pracownia_core::model::FileKind;
use pracownia_core::protocol::{Kind, CHUNK_SIZE};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::AtomicBool;
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
    /// The lecturer's public key: an encrypted class, each seat with its own key pair
    /// ([`seat_keys`]).
    pub server_key: Option<PublicKey>,
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
            server_key: None,
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

/// A seat's CURVE key pair for the class keyed `server`: derived from the seat number, so that
/// a simulated student keeps its key (and its pin) from one run to the next, like the add-on
/// keeps its own. Not secret: for simulations only.
pub fn seat_keys(i: usize, server: PublicKey) -> ClientKeys {
    let secret: [u8; 32] = Sha256::digest(format!("pracownia-simulated-student-key/{i}").as_bytes()).into();
    let public = keys::public_of(&secret).expect("any 32 bytes are a Curve25519 secret key");
    ClientKeys { server, public, secret }
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
    boot: Uuid,
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

/// A simulated seat's side of [`drive`].
struct SimWork<'a> {
    seat: &'a mut Seat,
    sock: &'a mut StudentSocket,
    cfg: &'a SimConfig,
    stop: &'a AtomicBool,
    frame: u64,
    nblend: u64,
}

impl SeatWork<Content> for SimWork<'_> {
    type Error = SendError;

    fn due(&mut self, what: Due, outbox: &mut Outbox<Content>) -> Result<(), SendError> {
        let (seat, cfg) = (&mut *self.seat, self.cfg);
        match what {
            Due::Heartbeat => {
                let h = seat.header(json!({"file": "scena.blend"}));
                self.sock.send(Kind::Heartbeat, &h, b"", self.stop)?;
            }
            Due::Chat => {
                let text = format!("Wiadomość {} od {} — czy to dobrze wygląda?", seat.report.chats + 1, seat.login);
                let h = seat.header(json!({"id": Uuid::new_v4()}));
                self.sock.send(Kind::Chat, &h, text.as_bytes(), self.stop)?;
                seat.report.chats += 1;
            }
            Due::Screenshot => {
                let png = screenshot_png(cfg.screenshot_size.0, cfg.screenshot_size.1, seat.index, self.frame);
                self.frame += 1;
                let (sha, size) = (hex::encode(Sha256::digest(&png)), png.len() as u64);
                let name = "screenshot.png";
                outbox.push(Outgoing::new(FileKind::Screenshot, name, size, sha, cfg.chunk_size, Content::Png(png)));
            }
            Due::Blend => {
                let b = BlendBytes::new(cfg.blend_size, (seat.index as u64) << 32 | self.nblend);
                self.nblend += 1;
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
        Ok(())
    }

    fn chunk(&mut self, c: &NextChunk, body: &mut Vec<u8>) -> Result<(), SendError> {
        let h = self.seat.header(c.fields.clone());
        self.sock.send(Kind::Chunk, &h, body, self.stop)
    }

    fn finished(&mut self, f: Outgoing<Content>) {
        match f.kind {
            FileKind::Screenshot => self.seat.report.screenshots += 1,
            FileKind::Blend => self.seat.report.blends += 1,
        }
    }
}

impl Seat {
    fn new(index: usize, _cfg: &SimConfig) -> Self {
        let (id, login) = student_identity(index);
        // A new `boot` per run: the ids repeat between runs, and the receiver refuses a seq it
        // has already seen from the same sender process as a replay.
        Seat { index, id, login, seq: 0, boot: Uuid::new_v4(), report: SimReport::default() }
    }

    fn header(&mut self, extra: Value) -> Value {
        self.seq += 1;
        let mut h = json!({"student": self.id, "login": self.login, "seq": self.seq, "boot": self.boot,
            "ts": chrono::Utc::now().timestamp_millis()});
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
        let keys = cfg.server_key.map(|k| seat_keys(self.index, k));
        let mut s = StudentSocket::connect_with(ctx, &cfg.connect, code, cfg.connect_wait, stop, hwm, keys.as_ref())?;
        // A lecturer who vanishes leaves sends blocked by back-pressure; do not outlive the run by much.
        s.give_up_at = Some(Instant::now() + cfg.duration + Duration::from_secs(10));
        let h = self.header(json!({"blender": "simulated", "addon": env!("CARGO_PKG_VERSION"), "host": format!("seat-{:02}", self.index + 1)}));
        s.send(Kind::Hello, &h, b"", stop)?;
        let start = Instant::now();
        let timer = SeatTimer::new(self.index, start, cfg.phase, cfg.screenshot_every, cfg.chat_every, cfg.blend_every);
        let mut work = SimWork { seat: self, sock: &mut s, cfg, stop, frame: 0, nblend: 0 };
        drive(&mut work, timer, start, cfg.duration, stop)?;
        let h = self.header(json!({}));
        s.send(Kind::Bye, &h, b"", stop)?;
        self.report.messages = s.sent_messages;
        self.report.bytes = s.sent_bytes;
        Ok(())
    }
}
