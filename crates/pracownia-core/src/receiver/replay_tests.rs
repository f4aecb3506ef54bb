//! Replay refusal end to end (fresh.rs): real sockets, a class code, a real store and index.

use super::tests::{header, rig_with, Rig};
use super::*;
use crate::events::Event;
use crate::index::IndexReader;
use crate::model::TimelineKind;
use crate::protocol::{encode, Kind};
use crate::student::StudentSocket;
use serde_json::json;
use uuid::Uuid;

const CODE: &str = "KOT-LAS-42";

/// The frames of one sender process (one `boot`), signed with the class code.
struct Process {
    id: Uuid,
    boot: Uuid,
    seq: u64,
}

impl Process {
    fn frames(&mut self, kind: Kind, extra: serde_json::Value) -> Vec<Vec<u8>> {
        self.seq += 1;
        let mut h = header(self.id, "ola", self.seq, extra);
        h["boot"] = json!(self.boot);
        encode(kind, &h, b"", Some(CODE.as_bytes()))
    }
}

fn socket(r: &Rig) -> StudentSocket {
    let ep = r.rx().endpoint().replace("0.0.0.0", "127.0.0.1");
    StudentSocket::connect(&r.ctx, &ep, Some(CODE), Duration::from_secs(20), &r.stop).unwrap()
}

fn timeline(r: &Rig, id: Uuid) -> Vec<TimelineKind> {
    let idx = IndexReader::open(&r.root()).unwrap();
    idx.timeline(Some(id), None, 100).unwrap().into_iter().map(|e| e.kind()).collect()
}

/// Wait until the receiver has counted `n` replays (stats are updated before events go out).
fn replays(r: &Rig, n: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while r.rx().stats().rejected.get("replay").copied().unwrap_or(0) < n {
        assert!(std::time::Instant::now() < deadline, "replays counted: {:?}", r.rx().stats().rejected);
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn replayed_frames_with_a_valid_mac_are_refused_and_a_restart_is_not_a_replay() {
    let mut r = rig_with(|c| c.class_code = Some(CODE.into()));
    let id = Uuid::new_v4();
    let mut first = Process { id, boot: Uuid::new_v4(), seq: 0 };
    let captured = vec![
        first.frames(Kind::Hello, json!({})),
        first.frames(Kind::Hand, json!({"raised": true})),
        first.frames(Kind::Hand, json!({"raised": false})),
        first.frames(Kind::Bye, json!({})),
    ];
    let mut s = socket(&r);
    for f in &captured {
        s.send_frames(f, &r.stop).unwrap();
    }
    r.expect("leave", |e| matches!(e, Event::StudentLeft { student, .. } if *student == id).then_some(()));
    let before = timeline(&r, id);
    assert_eq!(before, vec![TimelineKind::Join, TimelineKind::Hand, TimelineKind::Hand, TimelineKind::Leave]);

    // Someone who captured the frames (MAC and all) sends them again, from another connection.
    let mut eve = socket(&r);
    for f in &captured {
        eve.send_frames(f, &r.stop).unwrap();
    }
    replays(&r, 4);
    assert_eq!(timeline(&r, id), before, "a replay changed the timeline");

    // Blender restarted: a new process starts its own sequence from the beginning.
    let mut second = Process { id, boot: Uuid::new_v4(), seq: 0 };
    s.send_frames(&second.frames(Kind::Hello, json!({})), &r.stop).unwrap();
    r.expect("join", |e| matches!(e, Event::StudentJoined { student, .. } if *student == id).then_some(()));
    let heartbeat = second.frames(Kind::Heartbeat, json!({}));
    s.send_frames(&heartbeat, &r.stop).unwrap();

    // The receiver restarts: what it had seen is still refused.
    let cfg = {
        let mut c = Config::new(r.root());
        c.bind = "127.0.0.1".into();
        c.port = 0;
        c.limits.free_disk_floor = 0;
        c.class_code = Some(CODE.into());
        c
    };
    replays(&r, 4);
    std::thread::sleep(Duration::from_millis(300)); // the heartbeat is handled before the stop
    r.rx.take().unwrap().stop();
    r.rx = Some(Receiver::start(cfg).unwrap());
    let mut eve = socket(&r);
    eve.send_frames(&captured[1], &r.stop).unwrap(); // an ended process's hand
    eve.send_frames(&heartbeat, &r.stop).unwrap(); // a live process's old seq
    replays(&r, 2);
    let mut s = socket(&r);
    s.send_frames(&second.frames(Kind::Hand, json!({"raised": true})), &r.stop).unwrap();
    r.expect("hand", |e| matches!(e, Event::Hand { student, raised: true, .. } if *student == id).then_some(()));
    assert_eq!(r.rx().stats().rejected.get("replay"), Some(&2));
}

#[test]
fn senders_without_boot_are_not_checked_for_replays() {
    let r = rig_with(|c| c.class_code = Some(CODE.into()));
    let id = Uuid::new_v4();
    let hand = encode(Kind::Hand, &header(id, "ola", 1, json!({"raised": true})), b"", Some(CODE.as_bytes()));
    let mut s = socket(&r);
    for _ in 0..2 {
        s.send_frames(&hand, &r.stop).unwrap();
        r.expect("hand", |e| matches!(e, Event::Hand { student, .. } if *student == id).then_some(()));
    }
    assert_eq!(r.rx().stats().rejected.get("replay"), None);
}
