//! The thread that owns the SUB socket (the version 1 port), and the checks ([`Checks`]) that
//! both socket threads run on a received message before the worker sees it.

use super::pinning::Pinning;
use super::stats::{EventSink, StatsCounter};
use super::work::{Conn, Frame, Work};
use super::{Budget, Config, ReceiverError};
use crate::events::Event;
use crate::keys::PublicKey;
use crate::protocol::{self, TOPIC_PREFIX};
use crossbeam_channel::Sender;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the loop wakes to notice a stop request.
const POLL: Duration = Duration::from_millis(100);
/// Messages buffered by ZeroMQ before it stops reading from students (back-pressure). The limit is
/// per connected student, so it multiplies: 32 one-MiB chunks from each of 100 students let the
/// receiver hold gigabytes. The socket thread moves messages on at once (the worker's queue is
/// bounded by [`super::Budget`]), so a couple per student are enough to keep reading busy.
const RCVHWM: i32 = 2;

pub fn bind(ctx: &zmq::Context, cfg: &Config) -> Result<zmq::Socket, ReceiverError> {
    let zerr = |e: zmq::Error| ReceiverError::Zmq(e.to_string());
    let sock = ctx.socket(zmq::SUB).map_err(zerr)?;
    sock.set_maxmsgsize(cfg.limits.max_frame).map_err(zerr)?;
    sock.set_rcvhwm(RCVHWM).map_err(zerr)?;
    sock.set_linger(0).map_err(zerr)?;
    sock.set_subscribe(TOPIC_PREFIX).map_err(zerr)?;
    super::zap::serve(&sock, cfg.server_key.as_ref()).map_err(zerr)?;
    let port = if cfg.port == 0 { "*".to_owned() } else { cfg.port.to_string() };
    let endpoint = format!("tcp://{}:{}", cfg.bind, port);
    match sock.bind(&endpoint) {
        Ok(()) => Ok(sock),
        Err(zmq::Error::EADDRINUSE) => Err(ReceiverError::PortInUse { bind: cfg.bind.clone(), port: cfg.port }),
        Err(zmq::Error::EADDRNOTAVAIL) | Err(zmq::Error::ENODEV) => {
            Err(ReceiverError::Bind { endpoint, message: "this computer has no such address".into() })
        }
        Err(e) => Err(ReceiverError::Bind { endpoint, message: e.to_string() }),
    }
}

/// What a message is checked with before the worker sees it; the SUB's thread, the return
/// path's and the fuzz harness ([`super::fuzzing`]) each hold one.
pub(super) struct Checks {
    pub cfg: Arc<Config>,
    /// The class code's bytes (None: no MAC required).
    pub key: Option<Vec<u8>>,
    pub stats: Arc<StatsCounter>,
    pub sink: EventSink,
    pub pinning: Arc<Pinning>,
}

/// Where a message came from, as the connection's metadata says (`super::zap`).
pub(super) struct Origin {
    /// The sender's CURVE key (encrypted class).
    pub client: Option<PublicKey>,
    pub conn: Conn,
}

/// The SUB socket's thread and everything it needs.
pub(super) struct SocketThread {
    /// The receiver's ZeroMQ context, dropped by this thread after its socket.
    pub ctx: zmq::Context,
    pub sock: zmq::Socket,
    pub checks: Checks,
    pub stop: Arc<AtomicBool>,
    pub work: Sender<Work>,
    pub budget: Arc<Budget>,
}

impl SocketThread {
    pub fn run(self) {
        let SocketThread { ctx, sock, checks, stop, work, budget } = self;
        let mut last_stats = Instant::now();
        let mut last_sent = None;
        let dropped = std::sync::atomic::AtomicU64::new(super::inbound::refused());
        while !stop.load(Ordering::SeqCst) {
            match sock.poll(zmq::POLLIN, POLL.as_millis() as i64) {
                Ok(n) if n > 0 => {
                    // Drain what is ready before polling again.
                    while let Some((frames, count, origin)) = recv_message(&sock) {
                        if let Some(msg) = checks.accept(frames, count, &origin) {
                            budget.take(super::chunk_bytes(&msg), &stop);
                            if work.send(Work::Message(msg, origin.conn)).is_err() {
                                return;
                            }
                        }
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                    }
                }
                Ok(_) => {}
                Err(zmq::Error::EINTR) => {}
                Err(e) => {
                    checks.sink.emit(Event::Error {
                        at: chrono::Utc::now().timestamp_millis(),
                        fault: crate::events::Fault::Socket,
                        login: None,
                        message: format!("The network socket failed: {e}"),
                    });
                    std::thread::sleep(POLL);
                }
            }
            if last_stats.elapsed() >= Duration::from_secs(1) {
                last_stats = Instant::now();
                super::inbound::log_refusals(&dropped);
                let s = checks.stats.snapshot();
                if last_sent.as_ref() != Some(&s) {
                    checks.sink.emit(Event::Stats { stats: s.clone() });
                    last_sent = Some(s);
                }
            }
        }
        drop(sock);
        drop(ctx);
        let _ = work.send(Work::SocketClosed);
    }
}

impl Checks {
    pub fn new(cfg: Arc<Config>, stats: Arc<StatsCounter>, sink: EventSink, pinning: Arc<Pinning>) -> Self {
        Checks { key: cfg.key(), cfg, stats, sink, pinning }
    }

    /// Everything the socket thread does with one received message before the worker sees it:
    /// count it, parse and validate it (noting who sends with a wrong class code), and check
    /// the sender's key against the student's pin. `Some` is a valid, admitted message; a
    /// refusal is counted here. Also called by [`super::fuzzing`], so the fuzz target runs
    /// exactly this.
    pub fn accept(&self, frames: Vec<Frame>, count: usize, from: &Origin) -> Option<protocol::Message<Frame>> {
        let stats = &self.stats;
        stats.messages.fetch_add(1, Ordering::Relaxed);
        let noted = |r: &crate::reject::Refusal, header: &[u8]| {
            if r.reason == crate::reject::Reason::BadMac {
                stats.wrong_code.note(header, chrono::Utc::now().timestamp_millis());
            }
        };
        match protocol::parse_frames_noting(frames, count, self.key.as_deref(), &self.cfg.limits, noted) {
            Ok(msg) => {
                let (student, login) = (msg.common.student, &msg.common.login);
                if self.pinning.admit(student, login, from.client.as_ref(), from.conn, stats, &self.sink).is_err() {
                    return None; // counted and flagged by admit
                }
                stats.wrong_code.accepted(&msg.common.login);
                Some(msg)
            }
            Err(r) => {
                // Message-level refusals are counted; the periodic Stats event carries them, so a
                // hostile peer cannot flood the UI with events.
                stats.reject(&r, "a student");
                None
            }
        }
    }
}

/// Read one multipart message without blocking. Keeps at most 4 frames (more is a refusal
/// anyway) but drains the rest so the next message starts clean. Also, from the connection's
/// metadata, the sender's CURVE key (encrypted class) and the connection's number.
fn recv_message(sock: &zmq::Socket) -> Option<(Vec<Frame>, usize, Origin)> {
    let mut first = sock.recv_msg(zmq::DONTWAIT).ok()?;
    let client = super::pinning::client_key(&mut first);
    let conn = super::zap::connection(&mut first);
    let (frames, count) = recv_rest(sock, Some(first));
    Some((frames, count, Origin { client, conn }))
}

/// The frames after `first` (itself kept when given), at most 4 kept, all counted and drained.
/// The return path passes None for the ROUTER's routing-id frame, which is not part of a message.
pub(super) fn recv_rest(sock: &zmq::Socket, first: Option<zmq::Message>) -> (Vec<Frame>, usize) {
    let mut more = first.as_ref().is_none_or(|m| m.get_more());
    let mut frames: Vec<Frame> = first.into_iter().map(Frame).collect();
    let mut count = frames.len();
    while more {
        match sock.recv_msg(0) {
            Ok(m) => {
                more = m.get_more();
                count += 1;
                if frames.len() < 4 {
                    frames.push(Frame(m));
                }
            }
            Err(_) => break,
        }
    }
    if count > 4 {
        frames.clear();
    }
    (frames, count)
}
