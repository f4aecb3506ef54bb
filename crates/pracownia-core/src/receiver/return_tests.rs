//! The return path (protocol 1.1) end to end: a real ROUTER, DEALER test students on 127.0.0.1,
//! the store and the index.

use super::tests::{header, Rig};
use super::*;
use crate::events::Event;
use crate::index::IndexReader;
use crate::model::{AnswerStatus, Delivery, EntryBody, FileKind, HandState, TimelineKind};
use crate::protocol::{encode_return, parse_lecturer_frames, Kind, LecturerMessage, LecturerPayload, ReturnKind};
use crate::student::StudentSocket;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(10);

fn rig_with(f: impl FnOnce(&mut Config)) -> Rig {
    let mut r = super::tests::rig_with(|cfg| {
        cfg.resend_every = Duration::from_millis(400);
        f(cfg)
    });
    r.wait = WAIT;
    r
}

pub(super) fn rig() -> Rig {
    rig_with(|_| {})
}

impl Rig {
    /// A student known to the store through version 1 only (never registered).
    fn v1_student(&self, login: &str) -> Uuid {
        let id = Uuid::new_v4();
        let ep = self.rx().endpoint().to_string();
        let mut s = StudentSocket::connect(&self.ctx, &ep, None, WAIT, &self.stop).unwrap();
        let h = json!({"student": id, "login": login, "seq": 1, "ts": 1});
        s.send(Kind::Hello, &h, b"", &self.stop).unwrap();
        self.expect("join", |e| matches!(e, Event::StudentJoined { student, .. } if *student == id).then_some(()));
        id
    }
    pub(super) fn dealer(&self, login: &str, code: Option<&str>) -> Dealer {
        let sock = self.ctx.socket(zmq::DEALER).unwrap();
        sock.set_linger(0).unwrap();
        sock.connect(self.rx().return_endpoint()).unwrap();
        Dealer {
            sock,
            id: Uuid::new_v4(),
            login: login.into(),
            seq: 0,
            code: code.map(|c| c.as_bytes().to_vec()),
            boot: None,
        }
    }
    pub(super) fn say(&self, to: &str, text: &str) -> CommandOutcome {
        self.rx().command(LecturerCommand::Say { to: to.into(), text: text.into() }).unwrap()
    }
}

pub(super) struct Dealer {
    sock: zmq::Socket,
    pub(super) id: Uuid,
    pub(super) login: String,
    seq: u64,
    code: Option<Vec<u8>>,
    /// The sender process's `boot` (none: an add-on from before replay refusal).
    boot: Option<Uuid>,
}

impl Dealer {
    fn frames(&mut self, kind: ReturnKind, extra: Value) -> Vec<Vec<u8>> {
        self.seq += 1;
        let mut h = header(self.id, &self.login, self.seq, extra);
        if let Some(b) = self.boot {
            h["boot"] = json!(b);
        }
        encode_return(kind, &h, self.code.as_deref())
    }
    fn send(&mut self, kind: ReturnKind, extra: Value) {
        let frames = self.frames(kind, extra);
        self.sock.send_multipart(frames, 0).unwrap();
    }
    /// Register and wait for the welcome.
    pub(super) fn register(&mut self) {
        self.send(ReturnKind::Register, json!({"addon": "test"}));
        self.until("welcome", |p| matches!(p, LecturerPayload::Welcome));
    }
    fn recv(&self, within: Duration) -> Option<LecturerMessage> {
        if self.sock.poll(zmq::POLLIN, within.as_millis() as i64).unwrap() == 0 {
            return None;
        }
        let frames = self.sock.recv_multipart(0).unwrap();
        // With a class code, an unsigned message is refused here (the add-on ignores it).
        let m = parse_lecturer_frames(&frames, self.code.as_deref(), &Default::default()).unwrap();
        assert_eq!(m.student, self.id, "a lecturer message for another student");
        Some(m)
    }
    pub(super) fn until(&self, what: &str, f: impl Fn(&LecturerPayload) -> bool) -> LecturerPayload {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(m) = self.recv(Duration::from_millis(100)) {
                if f(&m.payload) {
                    return m.payload;
                }
            }
        }
        panic!("{} got no {what} within {WAIT:?}", self.login);
    }
    fn all_for(&self, d: Duration) -> Vec<LecturerPayload> {
        let deadline = Instant::now() + d;
        let mut out = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.recv(left) {
                Some(m) => out.push(m.payload),
                None => break,
            }
        }
        out
    }
}

pub(super) fn is_reply(p: &LecturerPayload) -> bool {
    matches!(p, LecturerPayload::Reply { .. })
}

#[test]
fn a_reply_goes_only_to_the_connection_that_registered_its_student() {
    let r = rig();
    let mut anna = r.dealer("anna", None);
    let mut bob = r.dealer("bob", None);
    anna.register();
    bob.register();
    let silent = r.dealer("nobody", None);
    let mut bad = r.dealer("a/b", None); // a register with a bad login is refused
    bad.send(ReturnKind::Register, json!({}));
    let mut sneaky = r.dealer("eve", None); // acks without registering: refused
    sneaky.send(ReturnKind::Ack, json!({"ids": [Uuid::new_v4()]}));

    let out = r.say("BOB", "Proszę zapisać plik.");
    assert_eq!((out.queued.len(), out.online), (1, 1));
    assert_eq!(out.queued[0].student, bob.id);
    match bob.until("reply", is_reply) {
        LecturerPayload::Reply { id, text } => assert_eq!((id, text.as_str()), (out.id, "Proszę zapisać plik.")),
        _ => unreachable!(),
    }
    assert!(anna.all_for(Duration::from_millis(600)).iter().all(|p| !is_reply(p)), "anna got bob's reply");
    assert!(silent.all_for(Duration::from_millis(200)).is_empty());
    assert!(bad.all_for(Duration::from_millis(200)).is_empty());
    assert!(sneaky.all_for(Duration::from_millis(200)).is_empty());
    let st = r.rx().stats();
    assert_eq!(st.rejected.get("bad_login"), Some(&1));
    assert_eq!(st.rejected.get("unregistered"), Some(&1));
    // A connection registers one student: a second id on it is ignored.
    let other = anna.id;
    anna.id = Uuid::new_v4();
    anna.send(ReturnKind::Register, json!({}));
    anna.id = other;
    assert!(anna.all_for(Duration::from_millis(300)).is_empty(), "no welcome for a second id");
}

#[test]
fn unknown_and_ambiguous_students_and_bad_text_are_refused_in_sentences() {
    let r = rig();
    let mut a = r.dealer("Ola", None);
    let mut b = r.dealer("ola", None);
    a.register();
    b.register();
    let e = r.rx().command(LecturerCommand::Say { to: "bob".into(), text: "x".into() }).unwrap_err();
    assert_eq!(e.to_string(), "no student \"bob\" in this store");
    let e = r.rx().command(LecturerCommand::Say { to: "OLA".into(), text: "x".into() }).unwrap_err();
    assert!(matches!(e, CommandError::AmbiguousLogin { .. }));
    let msg = e.to_string();
    assert!(msg.contains(&a.id.to_string()) && msg.contains(&b.id.to_string()), "{msg}");
    let e = r.rx().command(LecturerCommand::Say { to: a.id.to_string(), text: "  ".into() }).unwrap_err();
    assert_eq!(e, CommandError::EmptyText);
    let e = r.rx().command(LecturerCommand::Announce { text: "x".repeat(4097) }).unwrap_err();
    assert!(matches!(e, CommandError::TextTooLong { bytes: 4097, .. }));
    // By id it is unambiguous.
    assert_eq!(r.say(&a.id.to_string().to_uppercase(), "hej").queued[0].student, a.id);
}

#[test]
fn a_broadcast_reaches_every_registered_student_with_one_id() {
    let r = rig();
    let mut ds: Vec<Dealer> = ["a1", "a2", "a3"].iter().map(|l| r.dealer(l, None)).collect();
    ds.iter_mut().for_each(Dealer::register);
    let out = r.rx().command(LecturerCommand::Announce { text: "Przerwa do 10:15.".into() }).unwrap();
    assert_eq!((out.queued.len(), out.online), (3, 3));
    for d in &ds {
        match d.until("broadcast", |p| matches!(p, LecturerPayload::Broadcast { .. })) {
            LecturerPayload::Broadcast { id, text } => assert_eq!((id, text.as_str()), (out.id, "Przerwa do 10:15.")),
            _ => unreachable!(),
        }
    }
    let out = r.rx().command(LecturerCommand::Request { to: Addressee::All, what: FileKind::Blend }).unwrap();
    assert_eq!(out.online, 3);
    for d in &ds {
        d.until("request", |p| matches!(p, LecturerPayload::Request { what: FileKind::Blend, .. }));
    }
}

#[test]
fn an_offline_student_gets_queued_messages_on_register_until_acknowledged() {
    let r = rig();
    let id = r.v1_student("cora");
    let first = r.say("cora", "pierwsza");
    assert_eq!((first.queued.len(), first.online), (1, 0));
    let hand = r.rx().command(LecturerCommand::Hand { to: "cora".into(), state: HandState::Acknowledged }).unwrap();
    r.expect("queued", |e| matches!(e, Event::MessageQueued { id, online: false, .. } if *id == hand.id).then_some(()));

    let mut d = r.dealer("cora", None);
    d.id = id;
    d.register();
    r.expect("registered", |e| matches!(e, Event::ReturnRegistered { student, .. } if *student == id).then_some(()));
    // In the order written.
    let got: Vec<Uuid> = d.all_for(Duration::from_millis(300)).iter().filter_map(|p| p.id()).collect();
    assert_eq!(got, vec![first.id, hand.id]);
    // Unacknowledged: sent again (resend_every is 400 ms here).
    d.until("resent reply", |p| p.id() == Some(first.id));
    d.send(ReturnKind::Ack, json!({"ids": [first.id, hand.id]}));
    r.expect("delivered", |e| {
        matches!(e, Event::MessageDelivery { id, delivery: Delivery::Delivered, .. } if *id == first.id).then_some(())
    });
    d.all_for(Duration::from_millis(200)); // resends already under way when the ack came
    let later = d.all_for(Duration::from_millis(1200));
    assert!(later.iter().all(|p| p.id() != Some(first.id) && p.id() != Some(hand.id)), "resent after ack: {later:?}");
    d.send(ReturnKind::Read, json!({"ids": [first.id]}));
    r.expect("read", |e| {
        matches!(e, Event::MessageDelivery { id, delivery: Delivery::Read, kind: TimelineKind::Reply, .. } if *id == first.id)
            .then_some(())
    });
    // Reconnecting (a new connection replaces the old) brings nothing acknowledged back.
    let mut again = r.dealer("cora", None);
    again.id = id;
    again.register();
    assert!(again.all_for(Duration::from_millis(500)).iter().all(|p| p.id().is_none()));
}

#[test]
fn chats_get_receipts_when_stored_and_when_read() {
    let r = rig();
    let mut d = r.dealer("dora", None);
    d.register();
    let ep = r.rx().endpoint().to_string();
    let mut s = StudentSocket::connect(&r.ctx, &ep, None, WAIT, &r.stop).unwrap();
    let chat = Uuid::new_v4();
    s.send(Kind::Chat, &json!({"student": d.id, "login": "dora", "seq": 1, "ts": 1, "id": chat}), b"hej", &r.stop)
        .unwrap();
    match d.until("receipt", |p| matches!(p, LecturerPayload::Receipt { .. })) {
        LecturerPayload::Receipt { stored, read } => assert_eq!((stored, read), (vec![chat], vec![])),
        _ => unreachable!(),
    }
    r.rx().mark_chat_read(d.id, chrono::Utc::now().timestamp_millis() + 1000);
    match d.until("read receipt", |p| matches!(p, LecturerPayload::Receipt { read, .. } if !read.is_empty())) {
        LecturerPayload::Receipt { read, .. } => assert_eq!(read, vec![chat]),
        _ => unreachable!(),
    }
    // On register, one receipt covers the recent chats: stored and read.
    d.send(ReturnKind::Register, json!({}));
    d.until(
        "catch-up receipt",
        |p| matches!(p, LecturerPayload::Receipt { stored, read } if *stored == vec![chat] && *read == vec![chat]),
    );
}

#[test]
fn with_a_class_code_the_return_path_is_signed_both_ways() {
    let r = rig_with(|c| c.class_code = Some("Kod-ąę".into()));
    let mut unsigned = r.dealer("ela", None);
    unsigned.send(ReturnKind::Register, json!({}));
    assert!(unsigned.all_for(Duration::from_millis(500)).is_empty(), "an unsigned register was answered");
    let deadline = Instant::now() + WAIT;
    while !r.rx().stats().rejected.contains_key("bad_mac") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(r.rx().stats().rejected.get("bad_mac"), Some(&1));
    let mut signed = r.dealer("ela", Some("Kod-ąę"));
    signed.register(); // Dealer::recv parses with the code: the welcome was signed
    let out = r.say("ela", "podpisane");
    signed.until("signed reply", |p| p.id() == Some(out.id));
}

#[test]
fn lecturer_messages_are_on_the_timeline_and_survive_reindex() {
    let mut r = rig();
    let mut d = r.dealer("fela", None);
    d.register();
    let req = r
        .rx()
        .command(LecturerCommand::Request { to: Addressee::One("fela".into()), what: FileKind::Screenshot })
        .unwrap();
    let lower = r.rx().command(LecturerCommand::Hand { to: "fela".into(), state: HandState::Lowered }).unwrap();
    let reply = r.say("fela", "dobrze");
    d.until("reply", |p| p.id() == Some(reply.id));
    d.send(ReturnKind::Ack, json!({"ids": [req.id, reply.id]}));
    d.send(ReturnKind::Read, json!({"ids": [reply.id]}));
    d.send(ReturnKind::Answer, json!({"id": req.id, "status": "failed", "text": "Brak okna 3D"}));
    r.expect("answer", |e| {
        matches!(e, Event::RequestAnswered { id, status: AnswerStatus::Failed, .. } if *id == req.id).then_some(())
    });
    let timeline = |root: &Path| {
        let idx = IndexReader::open(root).unwrap();
        let mut t = idx.timeline(Some(d.id), None, 100).unwrap();
        t.iter_mut().for_each(|e| e.id = 0);
        t
    };
    let before = timeline(&r.root());
    let bodies: Vec<_> = before.iter().map(|e| e.body.clone()).collect();
    assert_eq!(
        bodies[0],
        EntryBody::Request {
            message: bodies[0].lecturer_message_id().unwrap(),
            delivery: Delivery::Delivered,
            text: None,
            file_kind: Some(FileKind::Screenshot),
            answer: Some(AnswerStatus::Failed),
            detail: Some("Brak okna 3D".into()),
        }
    );
    assert_eq!(bodies[1].kind(), TimelineKind::HandLowered);
    assert_eq!(bodies[1].lecturer_message_id(), Some(lower.id));
    assert_eq!(
        bodies[2],
        EntryBody::Reply(crate::model::LecturerMessage {
            message: reply.id,
            delivery: Delivery::Read,
            text: Some("dobrze".into())
        })
    );
    r.rx.take().unwrap().stop();
    let mut store = crate::store::Store::open(r.root()).unwrap();
    store.reindex().unwrap();
    drop(store);
    assert_eq!(timeline(&r.root()), before);
    let _ = &mut r;
}

#[cfg(unix)]
#[test]
fn the_control_endpoint_is_private_and_answers_in_sentences() {
    use std::os::unix::fs::PermissionsExt;
    let mut r = rig();
    let path = control::control_path(&r.root().canonicalize().unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "control socket mode {mode:o}");
    let root = r.root();
    let ask = |v: Value| control::request(&root, &v, WAIT).unwrap();
    let no = ask(json!({"cmd": "say", "to": "bob", "text": "hej"}));
    assert_eq!(no["ok"], false);
    assert_eq!(no["error"], "no student \"bob\" in this store");
    assert_eq!(no["detail"]["code"], "unknown_student");
    let mut d = r.dealer("gosia", None);
    d.register();
    let yes = ask(json!({"cmd": "request", "to": {"one": "gosia"}, "what": "blend"}));
    assert_eq!(yes["ok"], true, "{yes}");
    assert_eq!(yes["outcome"]["online"], 1);
    let yes = ask(json!({"cmd": "hand", "to": "gosia", "state": "acknowledged"}));
    assert_eq!(yes["outcome"]["queued"][0]["login"], "gosia");
    assert_eq!(ask(json!({"cmd": "dance"}))["ok"], false);
    r.rx.take().unwrap().stop();
    assert!(!path.exists(), "the control socket is removed on stop");
    assert!(matches!(control::request(&root, &json!({}), WAIT), Err(control::ControlError::NotRunning)));
}

#[test]
fn the_return_port_defaults_to_the_port_plus_one() {
    let mut c = Config::new("x");
    c.port = 6000;
    assert_eq!(c.effective_return_port(), 6001);
    c.return_port = Some(7000);
    assert_eq!(c.effective_return_port(), 7000);
    c.port = 0;
    c.return_port = None;
    assert_eq!(c.effective_return_port(), 0);
}

#[test]
fn a_replayed_register_from_another_connection_takes_no_route() {
    let r = rig_with(|c| c.class_code = Some("KOT".into()));
    let mut anna = r.dealer("anna", Some("KOT"));
    anna.boot = Some(Uuid::new_v4());
    let captured = anna.frames(ReturnKind::Register, json!({}));
    anna.sock.send_multipart(captured.clone(), 0).unwrap();
    anna.until("welcome", |p| matches!(p, LecturerPayload::Welcome));
    // Someone who captured anna's register (MAC and all) sends it from their own connection:
    // were it taken, the latest registration would win and anna's replies would go to them.
    let eve = r.dealer("eve", Some("KOT"));
    eve.sock.send_multipart(captured, 0).unwrap();
    let deadline = Instant::now() + WAIT;
    while !r.rx().stats().rejected.contains_key("replay") {
        assert!(Instant::now() < deadline, "the replayed register was not refused");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = r.say("anna", "Tylko dla Ciebie");
    assert_eq!(out.online, 1);
    anna.until("reply", is_reply);
    assert!(eve.all_for(Duration::from_millis(600)).is_empty(), "a replayed register got anna's reply");
    // anna's own later messages (higher seq, same process) still go through.
    anna.send(ReturnKind::Register, json!({}));
    anna.until("welcome", |p| matches!(p, LecturerPayload::Welcome));
    assert_eq!(r.rx().stats().rejected.get("replay"), Some(&1));
}

#[test]
fn a_register_of_a_new_id_spends_the_same_budget_of_new_ids() {
    // One new id for the whole receiver: a version-1 student takes it.
    let r = rig_with(|c| c.limits.new_students = crate::limits::Rate { per_second: 0.0, burst: 1.0 });
    let known = r.v1_student("anna");
    let mut stranger = r.dealer("eve", None);
    stranger.send(ReturnKind::Register, json!({"addon": "test"}));
    assert!(stranger.all_for(Duration::from_millis(800)).is_empty(), "no welcome over the budget");
    assert_eq!(r.rx().stats().rejected.get("rate_limited"), Some(&1));
    let listed = IndexReader::open(&r.root()).unwrap().students().unwrap();
    let ids: Vec<Uuid> = listed.into_iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![known], "no student for the refused register");
    // A known student's register costs nothing.
    let mut anna = r.dealer("anna", None);
    anna.id = known;
    anna.register();
}
