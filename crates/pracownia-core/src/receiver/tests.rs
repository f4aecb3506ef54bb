//! The receiver end to end over real ZeroMQ sockets, a real store and a real SQLite index.

use super::*;
use crate::events::Event;
use crate::index::IndexReader;
use crate::model::{EntryBody, FileKind, TimelineKind};
use crate::protocol::{encode, Kind};
use crate::student::StudentSocket;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Instant;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);

/// A valid PNG with some content, for the receiver to check and thumbnail.
fn screenshot_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).expect("encoding a PNG in memory cannot fail");
    out.into_inner()
}

/// A receiver on loopback with its store in a temporary folder; return_tests.rs uses it too.
pub(super) struct Rig {
    pub(super) dir: tempfile::TempDir,
    pub(super) rx: Option<Receiver>,
    pub(super) ctx: zmq::Context,
    pub(super) stop: AtomicBool,
    /// How long `expect` waits for an event.
    pub(super) wait: Duration,
}

/// Loopback, any free port, no free-disk floor.
fn test_config(store: PathBuf) -> Config {
    let mut cfg = Config::new(store);
    cfg.bind = "127.0.0.1".into();
    cfg.port = 0;
    cfg.limits.free_disk_floor = 0;
    cfg
}

pub(super) fn rig_with(f: impl FnOnce(&mut Config)) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = test_config(dir.path().join("store"));
    f(&mut cfg);
    let rx = Receiver::start(cfg).unwrap();
    Rig { dir, rx: Some(rx), ctx: zmq::Context::new(), stop: AtomicBool::new(false), wait: WAIT }
}

fn rig() -> Rig {
    rig_with(|_| {})
}

impl Rig {
    pub(super) fn rx(&self) -> &Receiver {
        self.rx.as_ref().unwrap()
    }
    pub(super) fn student(&self, code: Option<&str>) -> StudentSocket {
        let ep = self.rx().endpoint().replace("0.0.0.0", "127.0.0.1");
        StudentSocket::connect(&self.ctx, &ep, code, WAIT, &self.stop).unwrap()
    }
    pub(super) fn root(&self) -> PathBuf {
        self.dir.path().join("store")
    }
    /// Wait for the first event matching `f`, failing after `self.wait`.
    pub(super) fn expect<T>(&self, what: &str, mut f: impl FnMut(&Event) -> Option<T>) -> T {
        let deadline = Instant::now() + self.wait;
        while Instant::now() < deadline {
            if let Ok(e) = self.rx().events().recv_timeout(Duration::from_millis(50)) {
                if let Some(t) = f(&e) {
                    return t;
                }
            }
        }
        panic!("no {what} event within {:?}", self.wait);
    }
    pub(super) fn stop(&mut self) {
        self.rx.take().unwrap().stop();
    }
}

struct Who {
    id: Uuid,
    login: String,
    seq: u64,
}

impl Who {
    fn new(login: &str) -> Self {
        Who { id: Uuid::new_v4(), login: login.into(), seq: 0 }
    }
    fn h(&mut self, extra: Value) -> Value {
        self.seq += 1;
        header(self.id, &self.login, self.seq, extra)
    }
    fn chunk(&mut self, t: Uuid, kind: &str, data: &[u8], off: usize, cs: usize) -> Value {
        self.h(json!({"transfer": t, "kind": kind, "name": "scena.blend", "size": data.len(), "sha256": hex::encode(Sha256::digest(data)),
            "offset": off, "index": off / cs, "count": data.len().div_ceil(cs)}))
    }
}

/// A student's header: the common fields, then `extra`'s.
pub(super) fn header(id: Uuid, login: &str, seq: u64, extra: Value) -> Value {
    let mut h = json!({"student": id, "login": login, "seq": seq, "ts": 1_764_000_000_000i64});
    h.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    h
}

fn blend(n: usize) -> Vec<u8> {
    let mut v = b"BLENDER-v405".to_vec();
    v.extend((0..n - 12).map(|i| (i * 7 % 256) as u8));
    v
}

#[test]
fn chat_and_hand_arrive_as_events_and_in_the_timeline() {
    let mut r = rig();
    let mut s = r.student(None);
    let mut who = Who::new("anna");
    s.send(Kind::Hello, &who.h(json!({"blender": "4.5.0"})), b"", &r.stop).unwrap();
    let chat_id = Uuid::new_v4();
    let h = who.h(json!({"id": chat_id}));
    s.send(Kind::Chat, &h, "Zażółć gęślą jaźń".as_bytes(), &r.stop).unwrap();
    // A resent chat (same id) is kept once.
    s.send(Kind::Chat, &h, "Zażółć gęślą jaźń".as_bytes(), &r.stop).unwrap();
    s.send(Kind::Hand, &who.h(json!({"raised": true})), b"", &r.stop).unwrap();
    r.expect("join", |e| matches!(e, Event::StudentJoined { blender: Some(b), .. } if b == "4.5.0").then_some(()));
    let text = r.expect("chat", |e| match e {
        Event::Chat { text, id, .. } if *id == chat_id => Some(text.clone()),
        _ => None,
    });
    assert_eq!(text, "Zażółć gęślą jaźń");
    r.expect("hand", |e| matches!(e, Event::Hand { raised: true, .. }).then_some(()));
    s.send(Kind::Bye, &who.h(json!({})), b"", &r.stop).unwrap();
    r.expect("leave", |e| matches!(e, Event::StudentLeft { .. }).then_some(()));
    let idx = IndexReader::open(&r.root()).unwrap();
    assert_eq!(idx.students().unwrap()[0].unread, 1);
    r.rx().mark_chat_read(who.id, i64::MAX / 2);
    let deadline = Instant::now() + WAIT;
    while idx.students().unwrap()[0].unread != 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(idx.students().unwrap()[0].unread, 0, "marked read through the running receiver");
    r.stop();
    let kinds: Vec<TimelineKind> =
        idx.timeline(Some(who.id), None, 100).unwrap().into_iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, vec![TimelineKind::Join, TimelineKind::Chat, TimelineKind::Hand, TimelineKind::Leave]);
}

#[test]
fn a_blend_in_shuffled_duplicated_chunks_is_stored_byte_identical() {
    let mut r = rig();
    let mut s = r.student(None);
    let mut who = Who::new("bartek");
    let data = blend(3 * 65536 + 1234);
    let cs = 65536;
    let t = Uuid::new_v4();
    let mut offsets: Vec<usize> = (0..data.len()).step_by(cs).collect();
    offsets.reverse();
    offsets.push(offsets[1]);
    for off in offsets {
        let len = cs.min(data.len() - off);
        let h = who.chunk(t, "blend", &data, off, cs);
        s.send(Kind::Chunk, &h, &data[off..off + len], &r.stop).unwrap();
    }
    let (path, size) = r.expect("file", |e| match e {
        Event::FileStored { path, size, kind: FileKind::Blend, .. } => Some((path.clone(), *size)),
        _ => None,
    });
    assert_eq!(size, data.len() as u64);
    assert!(path.ends_with(".blend") && path.contains("/blends/"), "{path}");
    assert_eq!(std::fs::read(r.root().join(&path)).unwrap(), data);
    r.stop();
    // Nothing is left in staging.
    assert_eq!(std::fs::read_dir(r.root().join(".pracownia/staging")).unwrap().count(), 0);
}

#[test]
fn a_screenshot_gets_a_thumbnail_and_garbage_is_refused() {
    let mut r = rig();
    let mut s = r.student(None);
    let mut who = Who::new("celina");
    let png = screenshot_png(640, 360);
    let t = Uuid::new_v4();
    let h = who.chunk(t, "screenshot", &png, 0, 1 << 20);
    s.send(Kind::Chunk, &h, &png, &r.stop).unwrap();
    let (path, thumb) = r.expect("screenshot", |e| match e {
        Event::FileStored { path, thumb, kind: FileKind::Screenshot, .. } => Some((path.clone(), thumb.clone())),
        _ => None,
    });
    assert!(path.ends_with(".png"));
    assert!(r.root().join(thumb.unwrap()).is_file());
    let junk = b"#!/bin/sh\nrm -rf /\n".to_vec();
    let h = who.chunk(Uuid::new_v4(), "screenshot", &junk, 0, 1 << 20);
    s.send(Kind::Chunk, &h, &junk, &r.stop).unwrap();
    let reason = r.expect("rejection", |e| match e {
        Event::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, "bad_file");
    r.stop();
    let shots =
        std::fs::read_dir(r.root().join(format!("celina-{}", &who.id.simple().to_string()[..8])).join("screenshots"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().is_file())
            .count();
    assert_eq!(shots, 1, "only the valid screenshot is visible");
}

#[test]
fn corrupt_conflicting_and_oversized_transfers_are_refused() {
    let mut r = rig_with(|c| c.limits.max_screenshot = 1000);
    let mut s = r.student(None);
    let mut who = Who::new("dawid");
    let data = blend(5000);
    // Wrong digest.
    let mut h = who.chunk(Uuid::new_v4(), "blend", &data, 0, 8192);
    h["sha256"] = json!("ab".repeat(32));
    s.send(Kind::Chunk, &h, &data, &r.stop).unwrap();
    // Conflict: same transfer, another size.
    let t = Uuid::new_v4();
    let h1 = who.chunk(t, "blend", &data, 0, 100);
    s.send(Kind::Chunk, &h1, &data[..100], &r.stop).unwrap();
    let mut h2 = who.chunk(t, "blend", &data, 100, 100);
    h2["size"] = json!(9999);
    s.send(Kind::Chunk, &h2, &data[100..200], &r.stop).unwrap();
    // Too large for a screenshot.
    let h3 = who.chunk(Uuid::new_v4(), "screenshot", &data, 0, 100);
    s.send(Kind::Chunk, &h3, &data[..100], &r.stop).unwrap();
    let mut reasons = Vec::new();
    while reasons.len() < 3 {
        reasons.push(r.expect("rejection", |e| match e {
            Event::Rejected { reason, .. } => Some(reason.clone()),
            _ => None,
        }));
    }
    reasons.sort();
    assert_eq!(reasons, vec!["conflict", "corrupt", "too_large"]);
    let st = r.rx().stats();
    assert_eq!(st.rejected.get("corrupt"), Some(&1));
    r.stop();
    let idx = IndexReader::open(&r.root()).unwrap();
    let tl = idx.timeline(Some(who.id), None, 100).unwrap();
    assert_eq!(tl.iter().filter(|e| e.kind() == TimelineKind::Rejected).count(), 3);
    assert!(tl.iter().all(|e| e.kind() != TimelineKind::Blend));
}

#[test]
fn an_idle_transfer_times_out_as_incomplete() {
    let mut r = rig_with(|c| c.transfer_timeout = Duration::from_millis(400));
    let mut s = r.student(None);
    let mut who = Who::new("ewa");
    let data = blend(10_000);
    let h = who.chunk(Uuid::new_v4(), "blend", &data, 0, 4000);
    s.send(Kind::Chunk, &h, &data[..4000], &r.stop).unwrap();
    let (received, size) = r.expect("incomplete", |e| match e {
        Event::Incomplete { received, size, .. } => Some((*received, *size)),
        _ => None,
    });
    assert_eq!((received, size), (4000, 10_000));
    r.stop();
    let tl = IndexReader::open(&r.root()).unwrap().timeline(Some(who.id), None, 10).unwrap();
    assert!(tl.iter().any(|e| matches!(e.body, EntryBody::Incomplete { received: Some(4000), .. })));
}

#[test]
fn too_many_transfers_and_disk_floor() {
    let mut r = rig_with(|c| c.limits.max_open_transfers_per_student = 1);
    let mut s = r.student(None);
    let mut who = Who::new("filip");
    let data = blend(10_000);
    for _ in 0..2 {
        let h = who.chunk(Uuid::new_v4(), "blend", &data, 0, 100);
        s.send(Kind::Chunk, &h, &data[..100], &r.stop).unwrap();
    }
    let reason = r.expect("rejection", |e| match e {
        Event::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, "too_many_transfers");
    r.stop();

    let mut r = rig_with(|c| c.limits.free_disk_floor = u64::MAX / 2);
    let mut s = r.student(None);
    let h = who.chunk(Uuid::new_v4(), "blend", &data, 0, 1 << 20);
    s.send(Kind::Chunk, &h, &data, &r.stop).unwrap();
    let reason = r.expect("rejection", |e| match e {
        Event::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason, "disk_full");
    r.stop();
}

#[test]
fn the_hostile_corpus_is_refused_by_reason_and_the_receiver_keeps_serving() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/invalid.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    let mut r = rig_with(|c| c.class_code = None);
    let mut s = r.student(None);
    let mut want = std::collections::BTreeMap::<String, u64>::new();
    let mut sent = 0;
    for c in cases {
        if c["class_code"].is_string() {
            continue; // those need a receiver with a class code
        }
        let frames: Vec<Vec<u8>> =
            c["frames_hex"].as_array().unwrap().iter().map(|f| hex::decode(f.as_str().unwrap()).unwrap()).collect();
        if !frames[0].starts_with(b"pracownia/1/") && !frames.is_empty() {
            // A SUB socket filters other topics before they reach us: nothing to count.
            continue;
        }
        s.send_frames(&frames, &r.stop).unwrap();
        *want.entry(c["reason"].as_str().unwrap().to_owned()).or_default() += 1;
        sent += 1;
    }
    assert!(sent > 50);
    let mut who = Who::new("gosia");
    let id = Uuid::new_v4();
    s.send(Kind::Chat, &who.h(json!({"id": id})), b"still there?", &r.stop).unwrap();
    r.expect("chat after the hostile corpus", |e| matches!(e, Event::Chat { id: i, .. } if *i == id).then_some(()));
    assert_eq!(r.rx().stats().rejected, want);
    r.stop();
    // Nothing was written outside the store's own folders.
    let names: Vec<String> =
        std::fs::read_dir(r.dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, vec!["store"]);
}

#[test]
fn with_a_class_code_only_maced_messages_get_through() {
    let mut r = rig_with(|c| c.class_code = Some("Kod-ąę".into()));
    let mut good = r.student(Some("Kod-ąę"));
    let mut bad = r.student(Some("wrong"));
    let mut plain = r.student(None);
    let mut who = Who::new("henryk");
    for s in [&mut bad, &mut plain] {
        s.send(Kind::Chat, &who.h(json!({"id": Uuid::new_v4()})), b"let me in", &r.stop).unwrap();
    }
    let id = Uuid::new_v4();
    good.send(Kind::Chat, &who.h(json!({"id": id})), b"hello", &r.stop).unwrap();
    r.expect("chat", |e| matches!(e, Event::Chat { id: i, .. } if *i == id).then_some(()));
    let deadline = Instant::now() + WAIT;
    while r.rx().stats().rejected.get("bad_mac") != Some(&2) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(r.rx().stats().rejected.get("bad_mac"), Some(&2));
    assert_eq!(r.rx().stats().chats, 1);
    r.stop();
}

#[test]
fn senders_with_a_wrong_class_code_are_named_until_they_get_through() {
    let mut r = rig_with(|c| c.class_code = Some("kod-7".into()));
    let mut wrong = r.student(Some("kod-8"));
    let mut missing = r.student(None);
    let (mut anna, mut bartek) = (Who::new("anna"), Who::new("bartek"));
    wrong.send(Kind::Hello, &anna.h(json!({"host": "lab-07"})), b"", &r.stop).unwrap();
    wrong.send(Kind::Heartbeat, &anna.h(json!({})), b"", &r.stop).unwrap();
    missing.send(Kind::Chat, &bartek.h(json!({"id": Uuid::new_v4()})), b"hello?", &r.stop).unwrap();
    // The header is untrusted: a login with terminal escapes is named, but inert.
    let mut evil = Who::new("x\u{1b}]0;owned\u{7}");
    wrong.send(Kind::Heartbeat, &evil.h(json!({})), b"", &r.stop).unwrap();
    let named = r.expect("stats naming three wrong-code senders", |e| match e {
        Event::Stats { stats } if stats.wrong_code.len() == 3 => Some(stats.clone()),
        _ => None,
    });
    assert_eq!(named.rejected.get("bad_mac"), Some(&4));
    let anna_seen = named.wrong_code.iter().find(|s| s.login == "anna").expect("anna named");
    assert_eq!((anna_seen.count, anna_seen.host.as_deref()), (2, Some("lab-07")));
    assert!(named.wrong_code.iter().any(|s| s.login == "bartek" && s.count == 1 && s.host.is_none()));
    assert!(named.wrong_code.iter().any(|s| s.login == "x\\u{1b}]0;owned\\u{7}"), "{:?}", named.wrong_code);
    // Anna fixes the code: once a message of hers gets through she is no longer listed.
    let mut fixed = r.student(Some("kod-7"));
    fixed.send(Kind::Hello, &anna.h(json!({})), b"", &r.stop).unwrap();
    let after = r.expect("stats without anna", |e| match e {
        Event::Stats { stats } if stats.wrong_code.len() == 2 => Some(stats.clone()),
        _ => None,
    });
    assert!(after.wrong_code.iter().all(|s| s.login != "anna"));
    assert_eq!(r.rx().stats().wrong_code, after.wrong_code);
    r.stop();
}

#[test]
fn a_login_used_by_two_ids_is_flagged_and_kept_apart() {
    let mut r = rig();
    let mut s = r.student(None);
    let (mut a, mut b) = (Who::new("iga"), Who::new("iga"));
    s.send(Kind::Hello, &a.h(json!({})), b"", &r.stop).unwrap();
    s.send(Kind::Hello, &b.h(json!({})), b"", &r.stop).unwrap();
    let ids = r.expect("login shared", |e| match e {
        Event::LoginShared { students, login, .. } if login == "iga" => Some(students.clone()),
        _ => None,
    });
    assert_eq!(ids.len(), 2);
    r.stop();
    let students = IndexReader::open(&r.root()).unwrap().students().unwrap();
    assert_eq!(students.len(), 2);
    assert!(students.iter().all(|s| s.login_shared));
    assert_ne!(students[0].folder, students[1].folder);
}

#[test]
fn a_busy_port_is_a_plain_sentence() {
    let r = rig();
    let mut cfg = Config::new(r.dir.path().join("other"));
    cfg.bind = "127.0.0.1".into();
    cfg.port = r.rx().port();
    let err = Receiver::start(cfg).err().expect("the port is taken");
    assert!(err.to_string().contains("already in use"), "{err}");
}

#[test]
fn encode_round_trips_through_the_receiver_for_every_kind() {
    // Sanity: everything `encode` makes for a valid header is accepted (no refusals).
    let mut r = rig();
    let mut s = r.student(None);
    let mut who = Who::new("jan");
    let frames = encode(Kind::Heartbeat, &who.h(json!({"file": "a.blend"})), b"", None);
    s.send_frames(&frames, &r.stop).unwrap();
    s.send(Kind::Bye, &who.h(json!({})), b"", &r.stop).unwrap();
    r.expect("leave", |e| matches!(e, Event::StudentLeft { .. }).then_some(()));
    assert!(r.rx().stats().rejected.is_empty());
    r.stop();
}

#[test]
fn a_file_deleted_by_hand_leaves_the_index_while_serving() {
    let mut r = rig();
    let mut s = r.student(None);
    let mut who = Who::new("kasia");
    let data = blend(20_000);
    let h = who.chunk(Uuid::new_v4(), "blend", &data, 0, 1 << 20);
    s.send(Kind::Chunk, &h, &data, &r.stop).unwrap();
    let path = r.expect("file", |e| match e {
        Event::FileStored { path, .. } => Some(path.clone()),
        _ => None,
    });
    let idx = IndexReader::open(&r.root()).unwrap();
    let blends = |idx: &IndexReader| {
        idx.timeline(Some(who.id), None, 100).unwrap().into_iter().filter(|e| e.kind() == TimelineKind::Blend).count()
    };
    assert_eq!(blends(&idx), 1);
    std::fs::remove_file(r.root().join(&path)).unwrap();
    let deadline = Instant::now() + WAIT;
    while blends(&idx) == 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(blends(&idx), 0, "the watcher brought the index in step");
    r.stop();
}

#[test]
fn an_idle_student_heard_from_again_is_active() {
    let mut r = rig_with(|c| c.idle_after = Duration::from_millis(300));
    let mut s = r.student(None);
    let mut who = Who::new("leon");
    s.send(Kind::Hello, &who.h(json!({})), b"", &r.stop).unwrap();
    r.expect("idle", |e| matches!(e, Event::StudentIdle { .. }).then_some(()));
    s.send(Kind::Heartbeat, &who.h(json!({})), b"", &r.stop).unwrap();
    r.expect("active", |e| matches!(e, Event::StudentActive { student, .. } if *student == who.id).then_some(()));
    r.stop();
}

/// A hand message has no id and is resent after the lecturer comes back: only changes of the hand
/// reach the timeline, across a receiver restart too; a leave lowers it. Every message still
/// gives a `hand` event (a restarted app learns the state from it).
#[test]
fn a_resent_hand_is_recorded_once_and_a_leave_lowers_it() {
    let mut r = rig();
    let mut who = Who::new("anna");
    let hand = |r: &Rig, s: &mut StudentSocket, who: &mut Who, raised: bool| {
        s.send(Kind::Hand, &who.h(json!({"raised": raised})), b"", &r.stop).unwrap();
        r.expect("hand", |e| matches!(e, Event::Hand { raised: got, .. } if *got == raised).then_some(()));
    };
    let mut s = r.student(None);
    s.send(Kind::Hello, &who.h(json!({})), b"", &r.stop).unwrap();
    hand(&r, &mut s, &mut who, true);
    hand(&r, &mut s, &mut who, true); // resent
    hand(&r, &mut s, &mut who, false);
    hand(&r, &mut s, &mut who, true);
    r.stop();

    // The lecturer's receiver restarts; the add-on resends the raised hand.
    r.rx = Some(Receiver::start(test_config(r.root())).unwrap());
    let mut s = r.student(None);
    s.send(Kind::Hello, &who.h(json!({})), b"", &r.stop).unwrap();
    hand(&r, &mut s, &mut who, true); // resent: still up, not recorded again
    s.send(Kind::Bye, &who.h(json!({})), b"", &r.stop).unwrap();
    r.expect("leave", |e| matches!(e, Event::StudentLeft { .. }).then_some(()));
    let mut s = r.student(None);
    s.send(Kind::Hello, &who.h(json!({})), b"", &r.stop).unwrap();
    hand(&r, &mut s, &mut who, true); // raised again after a disconnect: recorded
    r.stop();

    let idx = IndexReader::open(&r.root()).unwrap();
    let hands: Vec<Option<bool>> = idx
        .timeline(Some(who.id), None, 100)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.body {
            EntryBody::Hand { raised } => Some(raised),
            _ => None,
        })
        .collect();
    assert_eq!(hands, vec![Some(true), Some(false), Some(true), Some(true)]);
}

/// A heartbeat's optional `paused` gives a `sharing` event on each change only; heartbeats
/// without it (older add-ons) change nothing; a leave forgets it.
#[test]
fn paused_sharing_in_heartbeats_is_reported_on_change() {
    let mut r = rig();
    let mut s = r.student(None);
    let mut who = Who::new("hania");
    let beat = |r: &Rig, s: &mut StudentSocket, who: &mut Who, extra: Value| {
        s.send(Kind::Heartbeat, &who.h(extra), b"", &r.stop).unwrap();
    };
    s.send(Kind::Hello, &who.h(json!({})), b"", &r.stop).unwrap();
    beat(&r, &mut s, &mut who, json!({"paused": false})); // sharing: as assumed, nothing to say
    beat(&r, &mut s, &mut who, json!({}));
    beat(&r, &mut s, &mut who, json!({"paused": true, "file": "scena.blend"}));
    beat(&r, &mut s, &mut who, json!({"paused": true}));
    beat(&r, &mut s, &mut who, json!({})); // an older add-on's heartbeat: still paused
    beat(&r, &mut s, &mut who, json!({"paused": false}));
    beat(&r, &mut s, &mut who, json!({"paused": true}));
    s.send(Kind::Bye, &who.h(json!({})), b"", &r.stop).unwrap();
    s.send(Kind::Hello, &who.h(json!({})), b"", &r.stop).unwrap();
    beat(&r, &mut s, &mut who, json!({"paused": false})); // back: sharing is the start, no event
    beat(&r, &mut s, &mut who, json!({"paused": true}));
    s.send(Kind::Bye, &who.h(json!({})), b"", &r.stop).unwrap();
    let mut seen = Vec::new();
    let mut leaves = 0;
    while leaves < 2 {
        r.expect("event", |e| {
            match e {
                Event::Sharing { student, login, paused, .. } => {
                    assert_eq!((*student, login.as_str()), (who.id, "hania"));
                    seen.push(Some(*paused));
                }
                Event::StudentLeft { .. } => {
                    leaves += 1;
                    seen.push(None);
                }
                _ => {}
            }
            Some(())
        });
    }
    assert_eq!(seen, [Some(true), Some(false), Some(true), None, Some(true), None]);
    r.stop();
}

/// libzmq is built with libsodium (crates/zmq-sys), so the class can run over CURVE.
#[test]
fn libzmq_has_curve() {
    assert_eq!(zmq::has("curve"), Some(true));
}
