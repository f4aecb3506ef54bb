//! Issue 12, item 1: no peer, whatever bytes it sends, makes the receiver hold more than its
//! inbound budget (our libzmq patch, `receiver::inbound`). A raw ZMTP peer sends frames that all
//! carry MORE and never a last one; libzmq alone kept every one of them (+512 MiB in 2 s).
//!
//! Its own test binary: the budget belongs to the process, and the other tests start receivers
//! (which set it) in parallel.

mod support {
    pub mod curve_peer;
}

use pracownia_core::keys::ServerKeys;
use pracownia_core::limits::Limits;
use pracownia_core::protocol::Kind;
use pracownia_core::receiver::{inbound, Config, Receiver};
use pracownia_core::student::StudentSocket;
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

const MIB: usize = 1 << 20;

/// The tests share the process's budget: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A ZMTP 3.0 peer with the NULL mechanism that says it is a PUB, over a plain TCP socket
/// (a ZeroMQ library always finishes the messages it sends; this does not).
fn raw_peer(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0];
    greeting.extend(b"NULL".iter().copied().chain(std::iter::repeat_n(0, 16)));
    greeting.extend([0u8; 32]); // as-server 0, filler
    s.write_all(&greeting).unwrap();
    let mut theirs = [0u8; 64];
    s.read_exact(&mut theirs).unwrap();
    let mut body = vec![5];
    body.extend(b"READY");
    body.push(11);
    body.extend(b"Socket-Type");
    body.extend(3u32.to_be_bytes());
    body.extend(b"PUB");
    let mut ready = vec![0x04, body.len() as u8];
    ready.extend(body);
    s.write_all(&ready).unwrap();
    // The receiver's READY comes once its ZAP handler has accepted us; a frame sent before it
    // would be taken for a handshake command (a protocol error, not the budget, would drop us).
    let mut head = [0u8; 2];
    s.read_exact(&mut head).unwrap();
    assert_eq!(head[0], 0x04, "a short command");
    let mut theirs = vec![0u8; head[1] as usize];
    s.read_exact(&mut theirs).unwrap();
    assert!(theirs.starts_with(b"\x05READY"), "no READY: {theirs:?}");
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Sends `frame`-byte frames, every one with MORE, until `total` bytes or until the receiver
/// drops the connection. Returns the bytes the kernel took (what was sent before the drop, plus
/// what the socket buffers held when it came).
fn unfinished_message(s: &mut TcpStream, frame: usize, total: usize) -> usize {
    let body = vec![0x5a; frame];
    let mut sent = 0;
    while sent < total {
        let mut header = vec![0x01 | 0x02]; // MORE, 8-byte size
        header.extend((frame as u64).to_be_bytes());
        if s.write_all(&header).and_then(|_| s.write_all(&body)).is_err() {
            return sent;
        }
        sent += frame;
    }
    sent
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    t.elapsed()
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// One chat from a real (library) student; true once the receiver has counted it.
fn chat_arrives(r: &Receiver, port: u16, n: u64) -> Duration {
    let ctx = zmq::Context::new();
    let stop = AtomicBool::new(false);
    let ep = format!("tcp://127.0.0.1:{port}");
    let mut s = StudentSocket::connect(&ctx, &ep, None, Duration::from_secs(20), &stop).unwrap();
    let id = uuid::Uuid::new_v4();
    let header =
        json!({"student": id, "login": "anna", "seq": n, "ts": 1_764_000_000_000i64, "id": uuid::Uuid::new_v4()});
    let before = r.stats().chats;
    let t = Instant::now();
    s.send(Kind::Chat, &header, b"Czy to dobrze?", &stop).unwrap();
    wait_until("the real student's chat", Duration::from_secs(10), || r.stats().chats > before);
    t.elapsed()
}

#[test]
fn unfinished_messages_are_bounded_per_message_and_for_the_whole_process() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::new(dir.path().join("store"));
    cfg.bind = "127.0.0.1".into();
    cfg.port = 0;
    cfg.limits = Limits { max_frame: 4 * MIB as i64, max_inbound: 40 * MIB as i64, ..Limits::default() };
    let r = Receiver::start(cfg).unwrap();
    let port = r.port();
    chat_arrives(&r, port, 1);
    let idle = rss_mib();
    let held_idle = inbound::held();

    // One message may hold two frames' worth (8 MiB): the peer is dropped soon after, although
    // it meant to send 512 MiB. Without the patch the receiver took all of it.
    let mut peer = raw_peer(port);
    let took = unfinished_message(&mut peer, MIB, 512 * MIB);
    eprintln!("plain: dropped after {} MiB sent", took / MIB);
    assert!(took < 64 * MIB, "the receiver took {} MiB of one unfinished message", took / MIB);
    assert!(inbound::refused() >= 1);
    drop(peer);
    wait_until("the half message freed", Duration::from_secs(10), || inbound::held() <= held_idle);

    // Many peers, each under the per-message bound (6 of 8 MiB): together they pass the
    // process's 40 MiB, so some are dropped, and what is held never passes the budget by more
    // than one frame.
    let refused_before = inbound::refused();
    let mut peers: Vec<TcpStream> = (0..12).map(|_| raw_peer(port)).collect();
    let mut peak = 0;
    for p in &mut peers {
        unfinished_message(p, MIB, 6 * MIB);
        std::thread::sleep(Duration::from_millis(50));
        peak = peak.max(inbound::held());
    }
    std::thread::sleep(Duration::from_millis(300));
    peak = peak.max(inbound::held());
    let rss_peak = rss_mib();
    assert!(inbound::refused() > refused_before, "some peers were dropped");
    assert!(peak <= 41 * MIB as i64, "held {} MiB with a 40 MiB budget", peak / MIB as i64);
    assert!(rss_peak - idle < 40.0 + 64.0, "resident memory grew by {:.0} MiB under a 40 MiB budget", rss_peak - idle);

    // A real student is still served while the peers that fit hold their share.
    let served = chat_arrives(&r, port, 1);
    eprintln!(
        "budget 40 MiB: held at most {:.1} MiB, RSS +{:.0} MiB, a chat served in {served:?}",
        peak as f64 / MIB as f64,
        rss_peak - idle
    );

    // Everything is given back when they leave; the receiver keeps serving.
    drop(peers);
    wait_until("everything given back", Duration::from_secs(10), || inbound::held() <= held_idle);
    chat_arrives(&r, port, 2);
    r.stop();
}

#[test]
fn an_encrypted_peer_is_bounded_too() {
    // CURVE hides the MORE flag inside each frame's box: only the receiver, after decrypting,
    // knows a message is unfinished. Any key passes the handshake (ZAP accepts all; pins come
    // later), so a stranger with the class's public join string can try this.
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let keys = ServerKeys::generate().unwrap();
    let server = keys.public;
    let mut cfg = Config::new(dir.path().join("store"));
    cfg.bind = "127.0.0.1".into();
    cfg.port = 0;
    cfg.server_key = Some(keys);
    cfg.limits = Limits { max_frame: 4 * MIB as i64, max_inbound: 40 * MIB as i64, ..Limits::default() };
    let r = Receiver::start(cfg).unwrap();
    let held_idle = inbound::held();
    let refused = inbound::refused();

    let mut peer = support::curve_peer::CurvePeer::connect(r.port(), &server);
    let body = vec![0x5a; MIB];
    let mut took = 0;
    while took < 512 * MIB && peer.send(&body, true) {
        took += MIB;
    }
    assert!(took < 64 * MIB, "the receiver took {} MiB of one unfinished encrypted message", took / MIB);
    assert!(inbound::refused() > refused);
    drop(peer);
    wait_until("the half message freed", Duration::from_secs(10), || inbound::held() <= held_idle);
    eprintln!("encrypted: dropped after {} MiB sent", took / MIB);
    r.stop();
}
