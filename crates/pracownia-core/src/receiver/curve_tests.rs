//! An encrypted class (CURVE) end to end on 127.0.0.1: real sockets, the ZAP handler, the pins
//! in the store, both directions.

use super::tests::{header, rig_with, Rig};
use super::*;
use crate::events::Event;
use crate::keys::{ClientKeys, ServerKeys};
use crate::protocol::{encode, encode_return, parse_lecturer_frames, Kind, LecturerPayload, ReturnKind};
use crate::student::{SendError, StudentSocket, SNDHWM};
use serde_json::json;
use std::time::Instant;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

fn encrypted(keys: &ServerKeys) -> Rig {
    let keys = keys.clone();
    rig_with(move |c| c.server_key = Some(keys))
}

fn reopen(dir: tempfile::TempDir, keys: &ServerKeys) -> Rig {
    let mut cfg = Config::new(dir.path().join("store"));
    cfg.bind = "127.0.0.1".into();
    cfg.port = 0;
    cfg.limits.free_disk_floor = 0;
    cfg.server_key = Some(keys.clone());
    let rx = Receiver::start(cfg).unwrap();
    Rig { dir, rx: Some(rx), ctx: zmq::Context::new(), stop: AtomicBool::new(false), wait: WAIT }
}

impl Rig {
    fn curve_student(&self, keys: &ClientKeys, within: Duration) -> Result<StudentSocket, SendError> {
        StudentSocket::connect_with(&self.ctx, self.rx().endpoint(), None, within, &self.stop, SNDHWM, Some(keys))
    }
    fn chat(&self, s: &mut StudentSocket, student: Uuid, seq: u64, text: &str) -> Uuid {
        let id = Uuid::new_v4();
        s.send(Kind::Chat, &header(student, "anna", seq, json!({"id": id})), text.as_bytes(), &self.stop).unwrap();
        id
    }
    fn wait_for_count(&self, code: &str, n: u64) {
        let deadline = Instant::now() + WAIT;
        while self.rx().stats().rejected.get(code).copied().unwrap_or(0) < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(self.rx().stats().rejected.get(code).copied().unwrap_or(0), n, "{code}");
    }
    fn curve_dealer(&self, keys: &ClientKeys) -> zmq::Socket {
        let d = self.ctx.socket(zmq::DEALER).unwrap();
        d.set_linger(0).unwrap();
        keys.apply(&d).unwrap();
        d.connect(self.rx().return_endpoint()).unwrap();
        d
    }
}

/// Lecturer messages that reach `d` within `within`.
fn lecturer_messages(d: &zmq::Socket, within: Duration) -> Vec<LecturerPayload> {
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if d.poll(zmq::POLLIN, left.as_millis().max(1) as i64).unwrap() == 0 {
            break;
        }
        let frames = d.recv_multipart(0).unwrap();
        out.push(parse_lecturer_frames(&frames, None, &Default::default()).unwrap().payload);
    }
    out
}

#[test]
fn an_encrypted_class_pins_the_first_key_and_refuses_and_flags_another() {
    let server = ServerKeys::generate().unwrap();
    let mut r = encrypted(&server);
    let anna_keys = ClientKeys::generate(server.public).unwrap();
    let anna = Uuid::new_v4();
    let mut s = r.curve_student(&anna_keys, WAIT).unwrap();
    s.send(Kind::Hello, &header(anna, "anna", 1, json!({})), b"", &r.stop).unwrap();
    let first = r.chat(&mut s, anna, 2, "encrypted hello");
    r.expect("chat", |e| matches!(e, Event::Chat { id, .. } if *id == first).then_some(()));
    assert_eq!(r.rx().pinned_key(anna), Some(anna_keys.public), "pinned to the first key");

    // Someone else's key claiming anna: refused, counted and flagged naming anna.
    let eve_keys = ClientKeys::generate(server.public).unwrap();
    let mut eve = r.curve_student(&eve_keys, WAIT).unwrap();
    let forged = r.chat(&mut eve, anna, 3, "I am anna");
    r.expect("key_mismatch flag", |e| match e {
        Event::Rejected { reason, student: Some(x), .. } if reason == "key_mismatch" && *x == anna => Some(()),
        Event::Chat { id, .. } if *id == forged => panic!("the forged chat was accepted"),
        _ => None,
    });
    r.wait_for_count("key_mismatch", 1);
    // anna herself still gets through; eve's own id is fine (pins are per student id).
    let again = r.chat(&mut s, anna, 4, "still me");
    r.expect("chat", |e| matches!(e, Event::Chat { id, .. } if *id == again).then_some(()));
    let eve_id = Uuid::new_v4();
    let own = r.chat(&mut eve, eve_id, 1, "me, myself");
    r.expect("chat", |e| matches!(e, Event::Chat { id, .. } if *id == own).then_some(()));
    assert_eq!(r.rx().stats().chats, 3);

    // Pins survive a restart and a reindex.
    r.rx.take().unwrap().stop();
    let dir = r.dir;
    {
        let mut store = crate::store::Store::open(dir.path().join("store")).unwrap();
        store.reindex().unwrap();
    }
    let r = reopen(dir, &server);
    assert_eq!(r.rx().pinned_key(anna), Some(anna_keys.public));
    let mut eve = r.curve_student(&eve_keys, WAIT).unwrap();
    r.chat(&mut eve, anna, 5, "I am anna, after the restart");
    r.wait_for_count("key_mismatch", 1);

    // The lecturer resets the pin (anna reinstalled): the next key is pinned.
    assert!(r.rx().reset_pin(anna).unwrap());
    let after = r.chat(&mut eve, anna, 6, "new install");
    r.expect("chat", |e| matches!(e, Event::Chat { id, .. } if *id == after).then_some(()));
    assert_eq!(r.rx().pinned_key(anna), Some(eve_keys.public));
}

#[test]
fn plaintext_clients_and_a_wrong_server_key_get_nothing_through() {
    let server = ServerKeys::generate().unwrap();
    let r = encrypted(&server);
    let short = Duration::from_millis(1500);
    // The plaintext handshake fails, so no subscription ever comes back.
    match StudentSocket::connect(&r.ctx, r.rx().endpoint(), None, short, &r.stop) {
        Err(SendError::NoLecturer(..)) => {}
        other => panic!("a plaintext student connected: {:?}", other.map(|_| ())),
    }
    let wrong = ClientKeys::generate(ServerKeys::generate().unwrap().public).unwrap();
    assert!(matches!(r.curve_student(&wrong, short), Err(SendError::NoLecturer(..))), "a wrong server key connected");

    // A plaintext sender that does not wait for a subscription, and a plain DEALER: nothing lands.
    let xpub = r.ctx.socket(zmq::XPUB).unwrap();
    xpub.set_linger(0).unwrap();
    xpub.connect(r.rx().endpoint()).unwrap();
    let dealer = r.ctx.socket(zmq::DEALER).unwrap();
    dealer.set_linger(0).unwrap();
    dealer.connect(r.rx().return_endpoint()).unwrap();
    let id = Uuid::new_v4();
    for seq in 1..=20 {
        let h = header(id, "plain", seq, json!({"id": Uuid::new_v4()}));
        let _ = xpub.send_multipart(encode(Kind::Chat, &h, b"hello?", None), zmq::DONTWAIT);
        let _ = dealer.send_multipart(encode_return(ReturnKind::Register, &h, None), zmq::DONTWAIT);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(lecturer_messages(&dealer, Duration::from_millis(500)).is_empty(), "a plain DEALER got an answer");
    let st = r.rx().stats();
    assert_eq!((st.messages, st.chats), (0, 0), "a plaintext message reached the receiver");
    // The class itself works for a student with the right key.
    let ok = ClientKeys::generate(server.public).unwrap();
    let mut s = r.curve_student(&ok, WAIT).unwrap();
    let c = r.chat(&mut s, id, 1, "now encrypted");
    r.expect("chat", |e| matches!(e, Event::Chat { id, .. } if *id == c).then_some(()));
}

#[test]
fn only_the_pinned_key_opens_a_students_return_path() {
    let server = ServerKeys::generate().unwrap();
    let r = encrypted(&server);
    let (anna_keys, eve_keys) =
        (ClientKeys::generate(server.public).unwrap(), ClientKeys::generate(server.public).unwrap());
    let anna = Uuid::new_v4();
    let mut s = r.curve_student(&anna_keys, WAIT).unwrap();
    s.send(Kind::Hello, &header(anna, "anna", 1, json!({})), b"", &r.stop).unwrap();
    r.expect("join", |e| matches!(e, Event::StudentJoined { student, .. } if *student == anna).then_some(()));

    let eve = r.curve_dealer(&eve_keys);
    eve.send_multipart(encode_return(ReturnKind::Register, &header(anna, "anna", 2, json!({})), None), 0).unwrap();
    r.wait_for_count("key_mismatch", 1);
    let real = r.curve_dealer(&anna_keys);
    real.send_multipart(encode_return(ReturnKind::Register, &header(anna, "anna", 3, json!({})), None), 0).unwrap();
    assert!(lecturer_messages(&real, WAIT).iter().any(|p| matches!(p, LecturerPayload::Welcome)));
    let out = r.rx().command(LecturerCommand::Say { to: anna.to_string(), text: "tylko dla Ciebie".into() }).unwrap();
    assert_eq!(out.online, 1);
    let got = lecturer_messages(&real, Duration::from_secs(2));
    assert!(got.iter().any(|p| matches!(p, LecturerPayload::Reply { text, .. } if text == "tylko dla Ciebie")));
    assert!(lecturer_messages(&eve, Duration::from_millis(500)).is_empty(), "the stranger got something");
}

#[test]
fn an_encrypted_connection_making_up_ids_is_refused_past_its_budget_and_keeps_its_user_id() {
    let server = ServerKeys::generate().unwrap();
    let r = encrypted(&server);
    let per_conn = crate::limits::Limits::default().new_ids_per_connection.burst as usize;
    let keys = ClientKeys::generate(server.public).unwrap();
    let mut s = r.curve_student(&keys, WAIT).unwrap();
    let ids: Vec<Uuid> = (0..per_conn + 3).map(|_| Uuid::new_v4()).collect();
    for id in &ids {
        r.chat(&mut s, *id, 1, "made up");
    }
    // Refused when pinning (the socket thread), before the worker ever sees them.
    r.wait_for_count("too_many_ids", 3);
    let pinned: Vec<bool> = ids.iter().map(|id| r.rx().pinned_key(*id) == Some(keys.public)).collect();
    assert_eq!(pinned.iter().filter(|p| **p).count(), per_conn, "pinned to the connection's User-Id: {pinned:?}");
    // Another connection's student gets in at once.
    let anna_keys = ClientKeys::generate(server.public).unwrap();
    let mut anna = r.curve_student(&anna_keys, WAIT).unwrap();
    let (who, start) = (Uuid::new_v4(), Instant::now());
    let q = r.chat(&mut anna, who, 1, "a real question");
    r.expect("anna's chat", |e| matches!(e, Event::Chat { id, .. } if *id == q).then_some(()));
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
    assert_eq!(r.rx().pinned_key(who), Some(anna_keys.public));
}
