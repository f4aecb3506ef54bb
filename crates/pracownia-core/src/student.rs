//! A student's sending socket, set up as the add-on's: XPUB with XPUB_NODROP, nothing sent until
//! the lecturer's subscription has arrived (XPUB drops messages nobody subscribed to), and a full
//! queue waited out rather than dropped. Unlike the add-on it does not notice the lecturer leaving
//! mid-session nor resend anything: it is for demos, tests and benchmarks on a steady receiver.
//! It lives in core, next to `protocol::encode`, because the receiver's own tests speak through
//! it; the simulated class that uses it is the pracownia-simulate crate.

use crate::protocol::{encode, Kind};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Messages ZeroMQ may queue per connection before `send` waits, for 1 MiB chunks: few, so
/// that a chat or a screenshot sent now is not stuck behind many chunks of a .blend.
pub const SNDHWM: i32 = 8;

/// About 8 MiB of chunks queued whatever their size (small chunks need more to keep the
/// connection busy between the sender's wake-ups).
pub fn sndhwm_for(chunk_size: usize) -> i32 {
    ((8usize << 20) / chunk_size.max(1)).clamp(SNDHWM as usize, 128) as i32
}

/// ZMQ_XPUB_NODROP: the `zmq` crate has no setter for it.
const ZMQ_XPUB_NODROP: i32 = 69;

pub struct StudentSocket {
    sock: zmq::Socket,
    /// A send blocked by back-pressure gives up at this moment (the lecturer is gone for good).
    pub give_up_at: Option<Instant>,
    key: Option<Vec<u8>>,
    pub sent_messages: u64,
    pub sent_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("No lecturer answered at {0} within {1} s. Is `pracownia serve` running there?")]
    NoLecturer(String, u64),
    #[error("The lecturer stopped taking messages.")]
    GaveUp,
    #[error("Stopped")]
    Stopped,
    #[error("Network error: {0}")]
    Zmq(#[from] zmq::Error),
}

fn set_nodrop(sock: &mut zmq::Socket) -> Result<(), zmq::Error> {
    let one: i32 = 1;
    // SAFETY: a valid socket pointer, an int option with a pointer to an int and its size.
    let rc = unsafe {
        zmq_sys::zmq_setsockopt(
            sock.as_mut_ptr(),
            ZMQ_XPUB_NODROP,
            &one as *const i32 as *const _,
            std::mem::size_of::<i32>(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(zmq::Error::from_raw(unsafe { zmq_sys::zmq_errno() }))
    }
}

impl StudentSocket {
    /// Connect and wait until the lecturer's subscription arrives.
    pub fn connect(
        ctx: &zmq::Context,
        endpoint: &str,
        class_code: Option<&str>,
        wait: Duration,
        stop: &AtomicBool,
    ) -> Result<Self, SendError> {
        Self::connect_with_hwm(ctx, endpoint, class_code, wait, stop, SNDHWM)
    }

    /// [`StudentSocket::connect`] with another send queue length (see [`sndhwm_for`]).
    pub fn connect_with_hwm(
        ctx: &zmq::Context,
        endpoint: &str,
        class_code: Option<&str>,
        wait: Duration,
        stop: &AtomicBool,
        sndhwm: i32,
    ) -> Result<Self, SendError> {
        Self::connect_with(ctx, endpoint, class_code, wait, stop, sndhwm, None)
    }

    /// [`StudentSocket::connect_with_hwm`], encrypted (CURVE) when `curve` is given. A wrong
    /// server key fails the handshake, so no subscription comes back: `NoLecturer`.
    pub fn connect_with(
        ctx: &zmq::Context,
        endpoint: &str,
        class_code: Option<&str>,
        wait: Duration,
        stop: &AtomicBool,
        sndhwm: i32,
        curve: Option<&crate::keys::ClientKeys>,
    ) -> Result<Self, SendError> {
        let mut sock = ctx.socket(zmq::XPUB)?;
        if let Some(keys) = curve {
            keys.apply(&sock)?;
        }
        set_nodrop(&mut sock)?;
        sock.set_sndhwm(sndhwm)?;
        sock.set_linger(10_000)?;
        sock.connect(endpoint)?;
        let deadline = Instant::now() + wait;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Err(SendError::Stopped);
            }
            if sock.poll(zmq::POLLIN, 100)? > 0 {
                let sub = sock.recv_bytes(0)?;
                if sub.first() == Some(&1) {
                    break;
                }
            }
            if Instant::now() >= deadline {
                return Err(SendError::NoLecturer(endpoint.into(), wait.as_secs()));
            }
        }
        let key = class_code.filter(|c| !c.is_empty()).map(|c| c.as_bytes().to_vec());
        Ok(StudentSocket { sock, give_up_at: None, key, sent_messages: 0, sent_bytes: 0 })
    }

    /// Send one message; a full queue is waited out (back-pressure), never dropped.
    pub fn send(&mut self, kind: Kind, header: &Value, body: &[u8], stop: &AtomicBool) -> Result<(), SendError> {
        let frames = encode(kind, header, body, self.key.as_deref());
        self.send_frames(&frames, stop)?;
        self.sent_bytes += body.len() as u64;
        Ok(())
    }

    /// Send frames exactly as given (tests use it for hostile messages).
    pub fn send_frames(&mut self, frames: &[Vec<u8>], stop: &AtomicBool) -> Result<(), SendError> {
        let n = frames.len();
        for (i, f) in frames.iter().enumerate() {
            let more = if i + 1 < n { zmq::SNDMORE } else { 0 };
            // Back-off: short first (a small queue drains in about a millisecond on loopback), then
            // longer, so that a whole class waiting on a busy lecturer does not spin the CPU.
            let mut pause = Duration::from_micros(50);
            loop {
                match self.sock.send(&f[..], zmq::DONTWAIT | more) {
                    Ok(()) => break,
                    Err(zmq::Error::EAGAIN) => {
                        if stop.load(Ordering::Relaxed) {
                            return Err(SendError::Stopped);
                        }
                        if self.give_up_at.is_some_and(|t| Instant::now() >= t) {
                            return Err(SendError::GaveUp);
                        }
                        std::thread::sleep(pause);
                        pause = (pause * 2).min(Duration::from_millis(5));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        self.sent_messages += 1;
        Ok(())
    }
}
