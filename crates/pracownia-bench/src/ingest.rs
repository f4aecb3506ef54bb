//! Ingest vs the physical limit: the three stages a verified, stored file cannot skip, each alone
//! on the same bytes, against Pracownia's receiver ingesting those bytes as chunked transfers.

use crate::seat::{Pattern, Seat};
use crate::{mbps, MIB};
use pracownia_core::events::Event;
use pracownia_core::keys::{ClientKeys, ServerKeys};
use pracownia_core::model::FileKind;
use pracownia_core::protocol::{encode, Kind};
use pracownia_core::receiver::{Config, Receiver};
use pracownia_simulate::{sndhwm_for, StudentSocket};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// The volume of one repetition: `files` files of `file_size` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub files: usize,
    pub file_size: u64,
}

impl Volume {
    pub fn bytes(&self) -> u64 {
        self.files as u64 * self.file_size
    }
}

/// One stage's throughput and the CPU time this process spent meanwhile (every thread, incl.
/// ZeroMQ's; not the kernel's own writeback threads).
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub mbps: f64,
    pub cpu_secs: f64,
}

/// User + system CPU seconds of this process so far.
pub fn self_cpu_secs() -> f64 {
    crate::memory::cpu_secs_of("/proc/self/stat")
}

/// Raw ZeroMQ PUB→SUB on loopback: the same 3 frames (topic, a chunk header, a body of `chunk`
/// bytes), `bytes / chunk` messages; the receiving side does nothing with them. MB/s of bodies.
pub fn raw_zmq(chunk: usize, bytes: u64) -> Stage {
    let ctx = zmq::Context::new();
    let sub = ctx.socket(zmq::SUB).unwrap();
    sub.set_rcvhwm(32).unwrap();
    sub.set_subscribe(b"pracownia/1/").unwrap();
    sub.bind("tcp://127.0.0.1:*").unwrap();
    let ep = sub.get_last_endpoint().unwrap().unwrap();
    let n = bytes.div_ceil(chunk as u64);
    let body = vec![7u8; chunk];
    let header = json!({"student": uuid::Uuid::new_v4(), "login": "bench", "seq": 1, "ts": 0,
        "transfer": uuid::Uuid::new_v4(), "kind": "blend", "name": "a.blend", "size": bytes,
        "sha256": "0".repeat(64), "offset": 0, "index": 0, "count": n});
    let frames = encode(Kind::Chunk, &header, &body, None);
    let sender = {
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            // The same sending socket and queue as a simulated student's (XPUB, XPUB_NODROP).
            let stop = AtomicBool::new(false);
            let hwm = sndhwm_for(chunk);
            let mut s = StudentSocket::connect_with_hwm(&ctx, &ep, None, Duration::from_secs(10), &stop, hwm).unwrap();
            for _ in 0..n + 1 {
                s.send_frames(&frames, &stop).unwrap();
            }
        })
    };
    // The first message marks the start (connection set up).
    recv_one(&sub);
    let (t, c) = (Instant::now(), self_cpu_secs());
    let mut got = 0u64;
    for _ in 0..n {
        got += recv_one(&sub);
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu_secs = self_cpu_secs() - c;
    sender.join().unwrap();
    Stage { mbps: mbps(got, secs), cpu_secs }
}

fn recv_one(sub: &zmq::Socket) -> u64 {
    loop {
        let m = sub.recv_msg(0).unwrap();
        if !m.get_more() {
            return m.len() as u64;
        }
    }
}

/// Single-core SHA-256 over `bytes` bytes of the pattern, in `chunk`-byte updates. MB/s.
pub fn sha256(p: &Pattern, chunk: usize, bytes: u64) -> Stage {
    let (t, c) = (Instant::now(), self_cpu_secs());
    let mut h = Sha256::new();
    let mut left = bytes;
    let mut at = 0usize;
    while left > 0 {
        let n = (chunk as u64).min(left).min((p.bytes.len() - at) as u64) as usize;
        h.update(&p.bytes[at..at + n]);
        at = (at + n) % p.bytes.len();
        left -= n as u64;
    }
    std::hint::black_box(h.finalize());
    Stage { mbps: mbps(bytes, t.elapsed().as_secs_f64()), cpu_secs: self_cpu_secs() - c }
}

/// Sequential write of the volume into `dir` with the store's durability: each file written in
/// `chunk`-byte writes, then fdatasync'd once (as `Transfer::finish` does). MB/s.
pub fn disk_write(dir: &Path, p: &Pattern, chunk: usize, v: Volume) -> Stage {
    std::fs::create_dir_all(dir).unwrap();
    let mut buf = vec![0u8; chunk];
    let (t, c) = (Instant::now(), self_cpu_secs());
    let mut paths = Vec::new();
    for i in 0..v.files {
        let path = dir.join(format!("seq-{i}.bin"));
        let mut f = File::create(&path).unwrap();
        let mut at = 0;
        while at < v.file_size {
            let n = (chunk as u64).min(v.file_size - at) as usize;
            p.fill(at, &mut buf[..n]);
            f.write_all(&buf[..n]).unwrap();
            at += n as u64;
        }
        f.sync_data().unwrap();
        paths.push(path);
    }
    let r = Stage { mbps: mbps(v.bytes(), t.elapsed().as_secs_f64()), cpu_secs: self_cpu_secs() - c };
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
    r
}

/// The outcome of one Pracownia ingest.
#[derive(Debug, Clone)]
pub struct IngestRun {
    pub mbps: f64,
    pub cpu_secs: f64,
    pub stored: usize,
    /// Stored files whose bytes on disk hash to what was sent (checked after the clock stops).
    pub verified: usize,
}

/// Start an in-process receiver on a fresh store under `work` (an encrypted class when
/// `server_key` is given).
pub fn start_receiver(store: &Path, server_key: Option<ServerKeys>) -> Receiver {
    let mut cfg = Config::new(store);
    cfg.bind = "127.0.0.1".into();
    cfg.port = 0;
    cfg.limits.free_disk_floor = 0;
    cfg.server_key = server_key;
    Receiver::start(cfg).expect("the receiver starts")
}

/// Pracownia's receiver ingesting the volume as chunked blend transfers from one student: time
/// from the first chunk sent to the last `file_stored` event (reassembled, verified, fsynced,
/// placed, journalled, indexed). MB/s of file bytes.
pub fn pracownia(store: &Path, p: &Pattern, chunk: usize, v: Volume, verify: bool) -> IngestRun {
    pracownia_with(store, p, chunk, v, verify, false)
}

/// [`pracownia`], over CURVE when `encrypted` (a fresh lecturer key and student key each run;
/// the handshake happens before the clock starts).
pub fn pracownia_with(store: &Path, p: &Pattern, chunk: usize, v: Volume, verify: bool, encrypted: bool) -> IngestRun {
    let _ = std::fs::remove_dir_all(store);
    let server = encrypted.then(|| ServerKeys::generate().expect("a key pair"));
    let client = server.as_ref().map(|s| ClientKeys::generate(s.public).expect("a key pair"));
    let rx = start_receiver(store, server);
    let endpoint = rx.endpoint().replace("0.0.0.0", "127.0.0.1");
    let sha = p.sha256(v.file_size);
    let stop = AtomicBool::new(false);
    let ctx = zmq::Context::new();
    let mut seat = Seat::connect_with(&ctx, &endpoint, 0, chunk, &stop, client.as_ref()).expect("connects");
    // Let the join be recorded before the clock starts.
    std::thread::sleep(Duration::from_millis(200));
    while rx.events().try_recv().is_ok() {}
    let (t, c) = (Instant::now(), self_cpu_secs());
    let (files, size) = (v.files, v.file_size);
    let (paths, secs) = std::thread::scope(|sc| {
        let h = sc.spawn(|| {
            for _ in 0..files {
                seat.send_file(FileKind::Blend, "scena.blend", size, &sha, chunk, &|at, b| p.fill(at, b), &stop)
                    .expect("sends");
            }
        });
        let mut paths = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(600);
        while paths.len() < files && Instant::now() < deadline {
            match rx.events().recv_timeout(Duration::from_secs(1)) {
                Ok(Event::FileStored { path, .. }) => paths.push(path),
                Ok(Event::Rejected { reason, detail, .. }) => panic!("refused: {reason}: {detail}"),
                Ok(Event::Error { message, .. }) => panic!("receiver error: {message}"),
                _ => {}
            }
        }
        let secs = t.elapsed().as_secs_f64();
        h.join().unwrap();
        (paths, secs)
    });
    let cpu_secs = self_cpu_secs() - c;
    let mut verified = 0;
    if verify {
        for rel in &paths {
            if let Ok(got) = pracownia_hash_file(&store.join(rel)) {
                if got == sha {
                    verified += 1;
                }
            }
        }
    }
    rx.stop();
    let r = IngestRun { mbps: mbps(paths.len() as u64 * v.file_size, secs), cpu_secs, stored: paths.len(), verified };
    let _ = std::fs::remove_dir_all(store);
    r
}

/// SHA-256 of a file on disk.
pub fn pracownia_hash_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; MIB as usize];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Where scratch files go for the run.
pub fn scratch(work: &Path, name: &str) -> PathBuf {
    work.join(name)
}
