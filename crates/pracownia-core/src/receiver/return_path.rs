//! The return path (protocol 1.1): the only thread that touches the ROUTER socket on the return
//! port. It keeps which connection registered which student (so a message for one student goes
//! to that connection and no other), hands the students'
//! `register`/`ack`/`read`/`answer` to the worker, and sends what the worker queues for it.

use super::fresh::{Freshness, Route};
use super::pinning::client_key;
use super::socket::{recv_rest, Checks, Origin};
use super::work::Frame;
use super::work::Work;
use super::{Config, ReceiverError};
use crate::protocol::{self, LecturerMessage, LecturerPayload, ReturnPayload};
use crate::reject::{Reason, Refusal};
use crossbeam_channel::{Receiver, Sender};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// A lecturer message for one student, from the worker.
pub struct ToStudent {
    pub student: Uuid,
    pub payload: LecturerPayload,
}

/// Short, so what the worker queues goes out promptly (the socket cannot be woken from
/// another thread: zmq sockets are not thread-safe).
const POLL: Duration = Duration::from_millis(20);
/// Return-path messages are small and rare; a couple per connection is plenty.
const RCVHWM: i32 = 4;
/// Headers are at most 16 KiB; nothing on the return path needs more.
const MAX_MSG: i64 = 64 << 10;

pub fn bind(ctx: &zmq::Context, cfg: &Config) -> Result<zmq::Socket, ReceiverError> {
    let zerr = |e: zmq::Error| ReceiverError::Zmq(e.to_string());
    let sock = ctx.socket(zmq::ROUTER).map_err(zerr)?;
    // A send to a connection that went away fails (the message then stays queued) instead of
    // vanishing.
    sock.set_router_mandatory(true).map_err(zerr)?;
    sock.set_maxmsgsize(MAX_MSG).map_err(zerr)?;
    sock.set_rcvhwm(RCVHWM).map_err(zerr)?;
    sock.set_linger(0).map_err(zerr)?;
    super::zap::serve(&sock, cfg.server_key.as_ref()).map_err(zerr)?;
    let port = cfg.effective_return_port();
    let shown = if port == 0 { "*".to_owned() } else { port.to_string() };
    let endpoint = format!("tcp://{}:{}", cfg.bind, shown);
    match sock.bind(&endpoint) {
        Ok(()) => Ok(sock),
        Err(zmq::Error::EADDRINUSE) => Err(ReceiverError::PortInUse { bind: cfg.bind.clone(), port }),
        Err(e) => Err(ReceiverError::Bind { endpoint, message: e.to_string() }),
    }
}

/// At most this many registered connections are remembered. A connection that closes is only
/// noticed when a send to it fails, so without a bound a stranger registering from ever new
/// connections would grow the map for good. Past the bound the oldest registration is
/// forgotten; its student's messages stay queued until it registers again.
const MAX_ROUTES: usize = 4096;

struct Routes {
    /// student → the connection that registered it last.
    by_student: HashMap<Uuid, Vec<u8>>,
    /// connection → the one student it registered.
    by_conn: HashMap<Vec<u8>, Uuid>,
    /// Connections in the order they registered (may hold forgotten ones; compacted when long).
    order: VecDeque<Vec<u8>>,
}

impl Routes {
    fn new() -> Self {
        Routes { by_student: HashMap::new(), by_conn: HashMap::new(), order: VecDeque::new() }
    }

    /// `conn` registers `student`; false when the connection registered another student before
    /// (a connection registers one student only).
    fn register(&mut self, conn: Vec<u8>, student: Uuid) -> bool {
        match self.by_conn.get(&conn) {
            Some(s) if *s != student => return false,
            Some(_) => return true,
            None => {}
        }
        if let Some(old) = self.by_student.insert(student, conn.clone()) {
            self.by_conn.remove(&old);
        }
        self.by_conn.insert(conn.clone(), student);
        self.order.push_back(conn);
        while self.by_conn.len() > MAX_ROUTES {
            if let Some(oldest) = self.order.pop_front() {
                if let Some(s) = self.by_conn.remove(&oldest) {
                    self.by_student.remove(&s);
                }
            }
        }
        if self.order.len() > 2 * MAX_ROUTES {
            let live = &self.by_conn;
            self.order.retain(|c| live.contains_key(c));
        }
        true
    }

    fn forget(&mut self, student: Uuid) {
        if let Some(conn) = self.by_student.remove(&student) {
            self.by_conn.remove(&conn);
        }
    }
}

/// The return path's thread and everything it needs.
pub(super) struct ReturnThread {
    pub sock: zmq::Socket,
    /// The class code, limits, counters and pins (the same as the SUB's thread's).
    pub checks: Checks,
    pub stop: Arc<AtomicBool>,
    pub work: Sender<Work>,
    /// What the worker sends to students.
    pub outgoing: Receiver<ToStudent>,
    /// Replay refusal, shared with the worker.
    pub fresh: Arc<Mutex<Freshness>>,
}

pub(super) fn run(t: ReturnThread) {
    let ReturnThread { sock, checks, stop, work, outgoing, fresh } = t;
    let Checks { cfg, key, stats, sink, pinning } = &checks;
    let mut routes = Routes::new();
    let mut seq = 0u64;
    let mut send = |routes: &mut Routes, student: Uuid, payload: LecturerPayload| -> bool {
        let Some(conn) = routes.by_student.get(&student).cloned() else { return false };
        seq += 1;
        let m = LecturerMessage { student, seq, ts: chrono::Utc::now().timestamp_millis(), payload };
        let frames = protocol::encode_lecturer(&m, key.as_deref());
        let mut parts: Vec<&[u8]> = vec![&conn];
        parts.extend(frames.iter().map(|f| f.as_slice()));
        match sock.send_multipart(parts, zmq::DONTWAIT) {
            Ok(()) => true,
            Err(e) => {
                // EHOSTUNREACH: the connection is gone. EAGAIN: its queue is full. Either way the
                // message stays queued in the journal and is sent again later.
                if e == zmq::Error::EHOSTUNREACH {
                    routes.forget(student);
                    let _ = work.send(Work::ReturnGone(student));
                }
                false
            }
        }
    };
    while !stop.load(Ordering::SeqCst) {
        if let Ok(n) = sock.poll(zmq::POLLIN, POLL.as_millis() as i64) {
            if n > 0 {
                while let Some(Received { conn, frames, count, from }) = recv(&sock) {
                    stats.messages.fetch_add(1, Ordering::Relaxed);
                    let msg = match protocol::parse_return_frames(&frames, count, key.as_deref(), &cfg.limits) {
                        Ok(m) => m,
                        Err(r) => {
                            stats.reject(&r, "a student (return path)");
                            continue;
                        }
                    };
                    let student = msg.common.student;
                    // Encrypted class: only the key this student is pinned to may open its return
                    // path, so lecturer messages never reach a stranger. Before the freshness
                    // check, so another key cannot move this student's sequence on.
                    if let ReturnPayload::Register { .. } = msg.payload {
                        let login = &msg.common.login;
                        if pinning.admit(student, login, from.client.as_ref(), from.conn, stats, sink).is_err() {
                            continue;
                        }
                    }
                    let c = &msg.common;
                    let checked = fresh.lock().map_err(|_| ()).and_then(|mut f| {
                        f.check(student, c.boot, Route::Return, c.seq, false).map_err(|r| {
                            stats.reject(&r, "a student (return path)");
                        })
                    });
                    if checked.is_err() {
                        continue; // a replay: above all, a replayed register must not take a route
                    }
                    if let ReturnPayload::Register { .. } = msg.payload {
                        if !routes.register(conn, student) {
                            continue; // a second id on one connection is ignored
                        }
                        // The worker answers with `welcome` once the student is in the store, so
                        // a command right after the welcome finds them.
                    } else if routes.by_conn.get(&conn) != Some(&student) {
                        // Not registered, or registered as someone else: never act for a student
                        // on a connection that did not register that student.
                        stats
                            .reject(&Refusal::new(Reason::Unregistered, "no register on this connection"), "a student");
                        continue;
                    }
                    if work.send(Work::Return(msg, from.conn)).is_err() {
                        return;
                    }
                }
            }
        }
        while let Ok(m) = outgoing.try_recv() {
            send(&mut routes, m.student, m.payload);
        }
    }
}

/// One return-path message.
struct Received {
    /// The ROUTER's routing id of the connection.
    conn: Vec<u8>,
    /// At most 4 frames, and how many came.
    frames: Vec<Frame>,
    count: usize,
    from: Origin,
}

/// One message without blocking.
fn recv(sock: &zmq::Socket) -> Option<Received> {
    let id = sock.recv_msg(zmq::DONTWAIT).ok()?;
    let conn = id.to_vec();
    if !id.get_more() {
        return Some(Received { conn, frames: Vec::new(), count: 0, from: Origin { client: None, conn: None } });
    }
    let (mut frames, count) = recv_rest(sock, None);
    let client = frames.first_mut().and_then(|f| client_key(&mut f.0));
    let number = frames.first_mut().and_then(|f| super::zap::connection(&mut f.0));
    Some(Received { conn, frames, count, from: Origin { client, conn: number } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(i: usize) -> Vec<u8> {
        (i as u64).to_be_bytes().to_vec()
    }

    #[test]
    fn routes_stay_bounded_and_forget_the_oldest_registration() {
        let mut r = Routes::new();
        let first = Uuid::new_v4();
        assert!(r.register(conn(0), first));
        for i in 1..=MAX_ROUTES * 3 {
            assert!(r.register(conn(i), Uuid::new_v4()));
            assert!(r.by_conn.len() <= MAX_ROUTES && r.by_student.len() <= MAX_ROUTES);
            assert!(r.order.len() <= 2 * MAX_ROUTES + 1);
        }
        assert!(!r.by_student.contains_key(&first), "the oldest registration is forgotten");
        assert_eq!(r.by_conn.len(), MAX_ROUTES);
    }

    #[test]
    fn one_student_per_connection_and_the_latest_connection_wins() {
        let mut r = Routes::new();
        let (anna, bob) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(r.register(conn(1), anna));
        assert!(!r.register(conn(1), bob), "a second id on one connection");
        assert!(r.register(conn(2), anna)); // anna reconnected
        assert_eq!(r.by_student[&anna], conn(2));
        assert!(!r.by_conn.contains_key(&conn(1)));
        r.forget(anna);
        assert!(r.by_student.is_empty() && r.by_conn.is_empty());
    }
}
