//! Who is who on shared seats (issue 13), end to end: real ZeroMQ sockets on 127.0.0.1, a real
//! store and SQLite index, and a reindex that must agree with what the receiver did live.

use super::return_tests::{is_reply, rig};
use super::tests::{header, Rig};
use crate::events::Event;
use crate::index::IndexReader;
use crate::model::{EntryBody, StudentSummary, TimelineKind};
use crate::protocol::{Kind, LecturerPayload};
use crate::store::{derived_id, journal, Store};
use crate::student::StudentSocket;
use serde_json::{json, Value};
use std::path::Path;
use uuid::Uuid;

/// One add-on configuration talking version 1: a wire id, a login, a seq.
struct Wire {
    sock: StudentSocket,
    id: Uuid,
    login: String,
    seq: u64,
}

impl Wire {
    fn new(r: &Rig, id: Uuid, login: &str) -> Wire {
        Wire { sock: r.student(None), id, login: login.into(), seq: 0 }
    }
    fn send(&mut self, r: &Rig, kind: Kind, extra: Value, body: &[u8]) {
        self.seq += 1;
        self.sock.send(kind, &header(self.id, &self.login, self.seq, extra), body, &r.stop).unwrap();
    }
    fn hello(&mut self, r: &Rig, host: &str, seat: Option<Uuid>) {
        let mut extra = json!({"host": host});
        if let Some(s) = seat {
            extra["seat"] = json!(s);
        }
        self.send(r, Kind::Hello, extra, b"");
    }
    /// Send a chat and wait until it is stored; the student id it was filed under.
    fn chat(&mut self, r: &Rig, text: &str) -> Uuid {
        let id = Uuid::new_v4();
        self.send(r, Kind::Chat, json!({"id": id}), text.as_bytes());
        r.expect("chat", |e| match e {
            Event::Chat { id: i, student, .. } if *i == id => Some(*student),
            _ => None,
        })
    }
    fn bye(&mut self, r: &Rig) {
        self.send(r, Kind::Bye, json!({}), b"");
        let login = self.login.clone();
        r.expect("leave", |e| matches!(e, Event::StudentLeft { login: l, .. } if *l == login).then_some(()));
    }
}

fn students(root: &Path) -> Vec<StudentSummary> {
    IndexReader::open(root).unwrap().students().unwrap()
}

fn chats_of(root: &Path, student: Uuid) -> Vec<String> {
    let tl = IndexReader::open(root).unwrap().timeline(Some(student), None, 1000).unwrap();
    tl.into_iter().filter(|e| e.kind() == TimelineKind::Chat).filter_map(|e| e.text().map(str::to_string)).collect()
}

/// Reopen the store, rebuild its index from the folders, and give the students back.
fn reindexed(root: &Path) -> Vec<StudentSummary> {
    let mut store = Store::open(root).unwrap();
    store.reindex().unwrap();
    drop(store);
    students(root)
}

#[test]
fn an_old_add_on_on_a_shared_seat_keeps_each_login_apart_and_says_so() {
    let mut r = rig();
    let seat12 = Uuid::new_v4();
    let mut anna = Wire::new(&r, seat12, "anna");
    anna.hello(&r, "lab-12", None);
    assert_eq!(anna.chat(&r, "anna's question"), seat12, "the first login keeps the wire id");
    anna.bye(&r);

    // Tuesday: bartek on the same Blender configuration (same wire id).
    let mut bartek = Wire::new(&r, seat12, "bartek");
    bartek.hello(&r, "lab-12", None);
    let changed = r.expect("login changed", |e| match e {
        Event::LoginChanged { student, login, previous, previous_login, wire, host, .. } => {
            Some((*student, login.clone(), *previous, previous_login.clone(), *wire, host.clone()))
        }
        _ => None,
    });
    let bartek_id = derived_id(seat12, "bartek");
    assert_eq!(changed, (bartek_id, "bartek".into(), seat12, "anna".into(), seat12, Some("lab-12".into())));
    assert_eq!(bartek.chat(&r, "bartek's question"), bartek_id);
    // Back to anna on that seat: her own history again, no new student.
    let mut anna2 = Wire::new(&r, seat12, "anna");
    assert_eq!(anna2.chat(&r, "anna again"), seat12);
    r.stop();

    let root = r.root();
    assert_eq!(chats_of(&root, seat12), vec!["anna's question", "anna again"], "nothing of bartek in anna's history");
    assert_eq!(chats_of(&root, bartek_id), vec!["bartek's question"]);
    let tl = IndexReader::open(&root).unwrap().timeline(Some(bartek_id), None, 100).unwrap();
    let lc = tl.iter().find(|e| e.kind() == TimelineKind::LoginChanged).expect("a login_changed entry");
    assert_eq!(lc.body, EntryBody::LoginChanged { text: Some("anna".into()), detail: Some("lab-12".into()) });
    // The journal says which wire id bartek's lines came by; anna's (her own id) say nothing.
    let all = students(&root);
    let folder = |id: Uuid| all.iter().find(|s| s.id == id).unwrap().folder.clone();
    let lines = journal::read_from(&root.join(folder(bartek_id)).join(journal::JOURNAL_FILE), 0).unwrap().lines;
    assert!(lines.iter().all(|(_, l)| l.wire == Some(seat12)), "{lines:?}");
    let lines = journal::read_from(&root.join(folder(seat12)).join(journal::JOURNAL_FILE), 0).unwrap().lines;
    assert!(lines.iter().all(|(_, l)| l.wire.is_none()));
    // A reindex (and a restart) agree: the derived id is found again from student.json.
    let again = reindexed(&root);
    let mut ids: Vec<Uuid> = again.iter().map(|s| s.id).collect();
    ids.sort();
    let mut want = vec![seat12, bartek_id];
    want.sort();
    assert_eq!(ids, want);
    let mut store = Store::open(&root).unwrap();
    let found = store.resolve(seat12, "Bartek", &|_| None).unwrap();
    assert_eq!((found.student.id, found.student.wire, found.login_changed), (bartek_id, seat12, None));
}

#[test]
fn the_same_login_from_another_seat_later_is_the_same_student_with_two_seats() {
    let mut r = rig();
    let (w12, w5, seat5) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut monday = Wire::new(&r, w12, "ola");
    monday.hello(&r, "lab-12", None);
    assert_eq!(monday.chat(&r, "monday"), w12);
    monday.bye(&r);
    let mut friday = Wire::new(&r, w5, "ola");
    friday.hello(&r, "lab-05", Some(seat5));
    assert_eq!(friday.chat(&r, "friday"), w12, "an alias of the student seen on Monday");
    r.stop();

    let root = r.root();
    let check = |all: &[StudentSummary]| {
        assert_eq!(all.len(), 1, "{all:?}");
        let s = &all[0];
        assert_eq!(s.id, w12);
        assert!(!s.login_shared);
        let mut seats: Vec<(Uuid, Option<String>, Option<Uuid>)> =
            s.seats.iter().map(|x| (x.wire, x.host.clone(), x.seat)).collect();
        seats.sort();
        let mut want = vec![(w12, Some("lab-12".to_string()), None), (w5, Some("lab-05".to_string()), Some(seat5))];
        want.sort();
        assert_eq!(seats, want);
    };
    check(&students(&root));
    assert_eq!(chats_of(&root, w12), vec!["monday", "friday"]);
    check(&reindexed(&root));
    assert_eq!(chats_of(&root, w12), vec!["monday", "friday"], "reindex keeps the alias's lines in place");
}

#[test]
fn the_same_login_from_two_seats_at_once_is_two_students_flagged() {
    let mut r = rig();
    let (w1, w2) = (Uuid::new_v4(), Uuid::new_v4());
    let mut a = Wire::new(&r, w1, "kuba");
    let mut b = Wire::new(&r, w2, "kuba");
    a.hello(&r, "lab-01", None);
    assert_eq!(a.chat(&r, "one"), w1);
    b.hello(&r, "lab-02", None);
    let shared = r.expect("login shared", |e| match e {
        Event::LoginShared { students, .. } => Some(students.clone()),
        _ => None,
    });
    assert_eq!(shared.len(), 2);
    assert_eq!(b.chat(&r, "two"), w2, "kept apart while the first is online");
    r.stop();
    let all = students(&r.root());
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|s| s.login_shared));
    assert_eq!(chats_of(&r.root(), w1), vec!["one"]);
}

#[test]
fn the_return_path_addresses_a_derived_student_by_its_wire_id() {
    let mut r = rig();
    let seat = Uuid::new_v4();
    let mut anna = Wire::new(&r, seat, "anna");
    anna.chat(&r, "first");
    // Same wire id, another login (an old add-on on a shared seat), on the return path too.
    let mut d = r.dealer("marek", None);
    d.id = seat;
    d.register();
    let out = r.say("marek", "Cześć Marek");
    let derived = derived_id(seat, "marek");
    assert_eq!(out.queued[0].student, derived, "the store's id is the derived one");
    assert_eq!(out.online, 1);
    // Dealer::recv asserts every message it gets is addressed to its own (wire) id.
    match d.until("reply", is_reply) {
        LecturerPayload::Reply { text, .. } => assert_eq!(text, "Cześć Marek"),
        _ => unreachable!(),
    }
    r.stop();
    let tl = IndexReader::open(&r.root()).unwrap().timeline(Some(seat), None, 100).unwrap();
    assert!(tl.iter().all(|e| e.kind() != TimelineKind::Reply), "anna got marek's reply");
}

#[test]
fn a_seat_that_changes_hands_without_a_bye_ends_the_earlier_login_s_presence() {
    let mut r = rig();
    let seat = Uuid::new_v4();
    let mut anna = Wire::new(&r, seat, "anna");
    anna.hello(&r, "lab-7", None);
    r.expect("join", |e| matches!(e, Event::StudentJoined { login, .. } if login == "anna").then_some(()));
    // Blender restarted with another login before anna's presence timed out.
    let mut piotr = Wire::new(&r, seat, "piotr");
    piotr.hello(&r, "lab-7", None);
    let left = r.expect("anna left", |e| match e {
        Event::StudentLeft { student, login, .. } if login == "anna" => Some(*student),
        _ => None,
    });
    assert_eq!(left, seat);
    r.expect("piotr joined", |e| {
        matches!(e, Event::StudentJoined { student, .. } if *student == derived_id(seat, "piotr")).then_some(())
    });
    assert_eq!(r.rx().stats().online, 1, "only piotr is online");
    r.stop();
}

#[test]
fn two_seats_of_one_student_online_at_once_are_flagged() {
    let mut r = rig();
    let (w1, w2) = (Uuid::new_v4(), Uuid::new_v4());
    let mut monday = Wire::new(&r, w1, "ola");
    monday.hello(&r, "lab-01", None);
    monday.bye(&r);
    let mut tuesday = Wire::new(&r, w2, "ola");
    tuesday.hello(&r, "lab-02", None);
    tuesday.bye(&r);
    // Both seats lead to the same student now; both online at once is flagged.
    let mut a = Wire::new(&r, w1, "ola");
    let mut b = Wire::new(&r, w2, "ola");
    a.hello(&r, "lab-01", None);
    r.expect("join", |e| matches!(e, Event::StudentJoined { student, .. } if *student == w1).then_some(()));
    b.hello(&r, "lab-02", None);
    let flagged = r.expect("login shared", |e| match e {
        Event::LoginShared { students, .. } => Some(students.clone()),
        _ => None,
    });
    assert_eq!(flagged, vec![w1]);
    r.stop();
}
