//! `merge` and `split` as a lecturer runs them, on a store filled by a real `serve` over real
//! sockets: nothing is lost, `reindex` keeps the result.

mod common;

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn send(sock: &zmq::Socket, kind: &str, header: Value, body: &[u8]) {
    let topic = format!("pracownia/1/{kind}");
    sock.send_multipart([topic.as_bytes(), header.to_string().as_bytes(), body], 0).unwrap();
}

/// Two students' chats through a real `serve`: (wire id, login, chat text) each.
fn store_with(store: &Path, who: &[(&str, &str, &str)]) {
    let mut serve = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--free-disk-floor-mib", "0", "--store"])
        .arg(store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port = common::listening_port(&mut serve);
    let ctx = zmq::Context::new();
    for (seq, (id, login, chat)) in who.iter().enumerate() {
        let sock = ctx.socket(zmq::PUB).unwrap();
        sock.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
        std::thread::sleep(Duration::from_millis(300)); // the subscription reaches us
        let h = |extra: Value| {
            let mut h = json!({"student": id, "login": login, "seq": seq * 10 + 1, "ts": 1});
            h.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            h
        };
        send(&sock, "hello", h(json!({"host": format!("lab-{seq}")})), b"");
        send(&sock, "chat", h(json!({"id": uuid::Uuid::new_v4()})), chat.as_bytes());
        send(&sock, "bye", h(json!({})), b"");
        std::thread::sleep(Duration::from_millis(300));
    }
    let log = common::stop(serve);
    assert!(log.contains("joined"), "{log}");
}

fn chats(store: &str, student: &str) -> Vec<String> {
    let o = run(&["timeline", "--store", store, "--student", student, "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    json_lines(&o)
        .into_iter()
        .filter(|e| e["kind"] == "chat")
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn merge_then_split_back_as_a_lecturer_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let (a, b) = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222");
    // The same person typed two logins on two computers (same login would already be one).
    store_with(&store, &[(a, "ola", "first"), (b, "ola.n", "second")]);
    assert_eq!(json_lines(&run(&["students", "--store", s, "--json"])).len(), 2);

    let m = run(&["merge", "--store", s, "--into", "ola", "--from", b]);
    assert!(m.status.success(), "{}", text(&m));
    assert!(text(&m).contains(&format!("merged ola.n ({b}) into {a}")), "{}", text(&m));
    let students = json_lines(&run(&["students", "--store", s, "--json"]));
    assert_eq!(students.len(), 1, "{students:?}");
    let seats: Vec<&str> =
        students[0]["seats"].as_array().unwrap().iter().map(|x| x["wire"].as_str().unwrap()).collect();
    assert!(seats.contains(&a) && seats.contains(&b), "{seats:?}");
    let mut got = chats(s, a);
    got.sort();
    assert_eq!(got, vec!["first", "second"]);
    let plain = text(&run(&["students", "--store", s]));
    assert!(plain.contains(&format!("seat {b}")), "{plain}");

    // reindex keeps the merge.
    assert!(run(&["reindex", "--store", s]).status.success());
    assert_eq!(json_lines(&run(&["students", "--store", s, "--json"])).len(), 1);

    // Split b's seat off again: b's chat goes with it, under b's id.
    let sp = run(&["split", "--store", s, "--student", a, "--seat", b]);
    assert!(sp.status.success(), "{}", text(&sp));
    assert_eq!(chats(s, a), vec!["first"]);
    assert_eq!(chats(s, b), vec!["second"]);
    assert!(run(&["reindex", "--store", s]).status.success());
    assert_eq!(chats(s, b), vec!["second"]);

    // Refusals are sentences.
    let bad = run(&["split", "--store", s, "--student", a, "--seat", "33333333-3333-4333-8333-333333333333"]);
    assert!(!bad.status.success() && text(&bad).contains("has no seat"), "{}", text(&bad));
    let same = run(&["merge", "--store", s, "--into", a, "--from", a]);
    assert!(!same.status.success() && text(&same).contains("themselves"), "{}", text(&same));
}

#[test]
fn the_timeline_says_when_a_seat_changed_hands() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let seat = "44444444-4444-4444-8444-444444444444";
    // An older add-on: one id for the whole Blender configuration, two logins one after the other.
    store_with(&store, &[(seat, "ola", "mine"), (seat, "piotr", "not ola's")]);
    assert_eq!(chats(s, seat), vec!["mine"], "piotr's chat is not in ola's history");
    assert_eq!(chats(s, "piotr"), vec!["not ola's"]);
    let plain = text(&run(&["timeline", "--store", s, "--student", "piotr"]));
    assert!(plain.contains("login_changed") && plain.contains("seat lab-1: ola -> piotr (kept apart)"), "{plain}");
}
