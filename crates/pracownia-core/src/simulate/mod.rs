//! `pracownia simulate`: students that speak the real protocol over real sockets, for demos,
//! tests and benchmarks. Each student has its own thread and XPUB socket, like a lab seat.

mod content;
mod sender;

pub use content::{screenshot_png, BlendBytes};
pub use sender::{SendError, StudentSocket};

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

/// One file being sent: what every chunk header repeats.
struct FileInfo {
    transfer: Uuid,
    kind: FileKind,
    name: String,
    size: u64,
    sha256: String,
    chunk_size: usize,
}

impl FileInfo {
    fn new(kind: FileKind, name: &str, size: u64, sha256: String, chunk_size: usize) -> Self {
        FileInfo { transfer: Uuid::new_v4(), kind, name: name.into(), size, sha256, chunk_size }
    }
}

struct Seat {
    index: usize,
    id: Uuid,
    login: String,
    seq: u64,
    report: SimReport,
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
        let mut s = StudentSocket::connect(ctx, &cfg.connect, cfg.class_code.as_deref(), cfg.connect_wait, stop)?;
        // A lecturer who vanishes leaves sends blocked by back-pressure; do not outlive the run by much.
        s.give_up_at = Some(Instant::now() + cfg.duration + Duration::from_secs(10));
        let h = self.header(json!({"blender": "simulated", "addon": env!("CARGO_PKG_VERSION"), "host": format!("seat-{:02}", self.index + 1)}));
        s.send(Kind::Hello, &h, b"", stop)?;
        let start = Instant::now();
        // Spread the class out so that not every seat sends in the same instant.
        let stagger = Duration::from_millis((self.index as u64 * 137) % 1000);
        let mut next_beat = start;
        let mut next_shot = cfg.screenshot_every.map(|_| start + stagger);
        let mut next_chat = cfg.chat_every.map(|e| start + stagger + e / 2);
        let mut next_blend = cfg.blend_every.map(|_| start + stagger + Duration::from_millis(300));
        let mut frame = 0u64;
        while start.elapsed() < cfg.duration && !stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            if now >= next_beat {
                let h = self.header(json!({"file": "scena.blend"}));
                s.send(Kind::Heartbeat, &h, b"", stop)?;
                next_beat = now + Duration::from_secs(2);
            }
            if let Some(t) = next_shot.filter(|t| now >= *t) {
                let png = screenshot_png(cfg.screenshot_size.0, cfg.screenshot_size.1, self.index, frame);
                frame += 1;
                self.send_bytes(&mut s, FileKind::Screenshot, "screenshot.png", &png, cfg.chunk_size, stop)?;
                self.report.screenshots += 1;
                next_shot = Some(t + cfg.screenshot_every.expect("set"));
            }
            if let Some(t) = next_chat.filter(|t| now >= *t) {
                let text = format!("Wiadomość {} od {} — czy to dobrze wygląda?", self.report.chats + 1, self.login);
                let h = self.header(json!({"id": Uuid::new_v4()}));
                s.send(Kind::Chat, &h, text.as_bytes(), stop)?;
                self.report.chats += 1;
                next_chat = Some(t + cfg.chat_every.expect("set"));
            }
            if let Some(t) = next_blend.filter(|t| now >= *t) {
                let seed = (self.index as u64) << 32 | self.report.blends;
                self.send_blend(&mut s, &BlendBytes::new(cfg.blend_size, seed), cfg.chunk_size, stop)?;
                self.report.blends += 1;
                next_blend = Some(t + cfg.blend_every.expect("set"));
            }
            let wake =
                [Some(next_beat), next_shot, next_chat, next_blend].into_iter().flatten().min().unwrap_or(next_beat);
            let until_end = cfg.duration.saturating_sub(start.elapsed());
            std::thread::sleep(
                wake.saturating_duration_since(Instant::now()).min(until_end).min(Duration::from_millis(100)),
            );
        }
        let h = self.header(json!({}));
        s.send(Kind::Bye, &h, b"", stop)?;
        self.report.messages = s.sent_messages;
        self.report.bytes = s.sent_bytes;
        Ok(())
    }

    fn chunk_header(&mut self, f: &FileInfo, i: u64) -> Value {
        let cs = f.chunk_size as u64;
        self.header(
            json!({"transfer": f.transfer, "kind": f.kind.as_str(), "name": f.name, "size": f.size, "sha256": f.sha256,
            "offset": i * cs, "index": i, "count": f.size.div_ceil(cs)}),
        )
    }

    fn send_bytes(
        &mut self,
        s: &mut StudentSocket,
        kind: FileKind,
        name: &str,
        data: &[u8],
        cs: usize,
        stop: &AtomicBool,
    ) -> Result<(), SendError> {
        let f = FileInfo::new(kind, name, data.len() as u64, hex::encode(Sha256::digest(data)), cs);
        for (i, part) in data.chunks(cs).enumerate() {
            let h = self.chunk_header(&f, i as u64);
            s.send(Kind::Chunk, &h, part, stop)?;
        }
        Ok(())
    }

    fn send_blend(
        &mut self,
        s: &mut StudentSocket,
        blend: &BlendBytes,
        cs: usize,
        stop: &AtomicBool,
    ) -> Result<(), SendError> {
        let f = FileInfo::new(FileKind::Blend, "scena.blend", blend.size, blend.sha256(cs), cs);
        let mut buf = vec![0u8; cs];
        let count = blend.size.div_ceil(cs as u64);
        for i in 0..count {
            let at = i * cs as u64;
            let n = cs.min((blend.size - at) as usize);
            blend.fill(at, &mut buf[..n]);
            let h = self.chunk_header(&f, i);
            s.send(Kind::Chunk, &h, &buf[..n], stop)?;
        }
        Ok(())
    }
}
