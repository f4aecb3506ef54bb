//! One simulated student seat speaking the real protocol through core's `StudentSocket` (the same
//! XPUB + XPUB_NODROP socket `pracownia simulate` uses), plus file contents that are cheap to make.

use pracownia_core::model::FileKind;
use pracownia_core::protocol::{encode, Kind};
use pracownia_simulate::{sndhwm_for, student_identity, SendError, StudentSocket};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use uuid::Uuid;

/// File bytes that repeat a pattern (so a 2 GiB file costs no 2 GiB of memory). The pattern
/// starts with the .blend magic, so the receiver accepts the file as a blend.
pub struct Pattern {
    pub bytes: Vec<u8>,
}

impl Pattern {
    /// `len` pseudo-random bytes from `seed`, starting with `BLENDER-v405`.
    pub fn new(len: usize, seed: u64) -> Pattern {
        let mut bytes = vec![0u8; len.max(16)];
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        for w in bytes.chunks_mut(8) {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^= x >> 31;
            w.copy_from_slice(&x.to_le_bytes()[..w.len()]);
        }
        bytes[..12].copy_from_slice(b"BLENDER-v405");
        Pattern { bytes }
    }

    /// Bytes [at, at + buf.len()) of a file that repeats the pattern.
    pub fn fill(&self, mut at: u64, buf: &mut [u8]) {
        let p = self.bytes.len() as u64;
        let mut done = 0;
        while done < buf.len() {
            let off = (at % p) as usize;
            let n = (buf.len() - done).min(self.bytes.len() - off);
            buf[done..done + n].copy_from_slice(&self.bytes[off..off + n]);
            done += n;
            at += n as u64;
        }
    }

    /// SHA-256 of a file of `size` bytes repeating the pattern.
    pub fn sha256(&self, size: u64) -> String {
        let mut h = Sha256::new();
        let mut left = size;
        while left > 0 {
            let n = left.min(self.bytes.len() as u64) as usize;
            h.update(&self.bytes[..n]);
            left -= n as u64;
        }
        hex::encode(h.finalize())
    }
}

/// A connected student.
pub struct Seat {
    pub id: Uuid,
    pub login: String,
    seq: u64,
    pub sock: StudentSocket,
}

impl Seat {
    /// Connect as simulated student `index` (the same ids and logins as `pracownia simulate`),
    /// with the send queue `pracownia simulate` uses for `chunk`-byte chunks.
    pub fn connect(
        ctx: &zmq::Context,
        endpoint: &str,
        index: usize,
        chunk: usize,
        stop: &AtomicBool,
    ) -> Result<Seat, SendError> {
        Self::connect_with(ctx, endpoint, index, chunk, stop, None)
    }

    /// [`Seat::connect`], over CURVE when `curve` is given (an encrypted class).
    pub fn connect_with(
        ctx: &zmq::Context,
        endpoint: &str,
        index: usize,
        chunk: usize,
        stop: &AtomicBool,
        curve: Option<&pracownia_core::keys::ClientKeys>,
    ) -> Result<Seat, SendError> {
        let (id, login) = student_identity(index);
        let wait = Duration::from_secs(20);
        let sock = StudentSocket::connect_with(ctx, endpoint, None, wait, stop, sndhwm_for(chunk), curve)?;
        let mut seat = Seat { id, login, seq: 0, sock };
        let h = seat.header(json!({"blender": "bench", "host": format!("seat-{index:03}")}));
        seat.sock.send(Kind::Hello, &h, b"", stop)?;
        Ok(seat)
    }

    pub fn header(&mut self, extra: Value) -> Value {
        self.seq += 1;
        let mut h = json!({"student": self.id, "login": self.login, "seq": self.seq,
            "ts": chrono::Utc::now().timestamp_millis()});
        if let (Some(h), Some(extra)) = (h.as_object_mut(), extra.as_object()) {
            h.extend(extra.clone());
        }
        h
    }

    pub fn heartbeat(&mut self, stop: &AtomicBool) -> Result<(), SendError> {
        let h = self.header(json!({"file": "scena.blend"}));
        self.sock.send(Kind::Heartbeat, &h, b"", stop)
    }

    pub fn chat(&mut self, text: &str, stop: &AtomicBool) -> Result<(), SendError> {
        let h = self.header(json!({"id": Uuid::new_v4()}));
        self.sock.send(Kind::Chat, &h, text.as_bytes(), stop)
    }

    pub fn bye(&mut self, stop: &AtomicBool) -> Result<(), SendError> {
        let h = self.header(json!({}));
        self.sock.send(Kind::Bye, &h, b"", stop)
    }

    /// Send one chunk whose header fields an `Outbox` made; `body` is moved into the frames and
    /// handed back, not copied.
    pub fn chunk(&mut self, fields: &Value, body: &mut Vec<u8>, stop: &AtomicBool) -> Result<(), SendError> {
        let h = self.header(fields.clone());
        let mut frames = encode(Kind::Chunk, &h, &[], None);
        frames[2] = std::mem::take(body);
        let r = self.sock.send_frames(&frames, stop);
        *body = frames.pop().expect("three frames");
        self.sock.sent_bytes += body.len() as u64;
        r
    }

    /// Send one file of `size` bytes whose bytes `fill` produces, in `chunk`-byte chunks.
    #[allow(clippy::too_many_arguments)]
    pub fn send_file(
        &mut self,
        kind: FileKind,
        name: &str,
        size: u64,
        sha256: &str,
        chunk: usize,
        fill: &dyn Fn(u64, &mut [u8]),
        stop: &AtomicBool,
    ) -> Result<Uuid, SendError> {
        let transfer = Uuid::new_v4();
        let cs = chunk as u64;
        let count = size.div_ceil(cs);
        // The body frame is filled in place and moved into the frames, not copied again by
        // `encode`: the sending side should cost what the raw ZeroMQ baseline's does.
        let mut body = Vec::with_capacity(chunk.min(size as usize));
        for i in 0..count {
            let at = i * cs;
            let n = chunk.min((size - at) as usize);
            body.resize(n, 0);
            fill(at, &mut body);
            let h = self.header(json!({"transfer": transfer, "kind": kind.as_str(), "name": name, "size": size,
                "sha256": sha256, "offset": at, "index": i, "count": count}));
            let mut frames = encode(Kind::Chunk, &h, &[], None);
            frames[2] = std::mem::take(&mut body);
            self.sock.send_frames(&frames, stop)?;
            self.sock.sent_bytes += n as u64;
            body = frames.pop().expect("three frames");
        }
        Ok(transfer)
    }
}
