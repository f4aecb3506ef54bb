//! Text from students is inert wherever `pracownia` shows it: `serve`'s log, `timeline` text and
//! `--json`. A hostile student sends terminal escapes, a bare CR forging a log line, bidi and
//! line-separator characters; none of them may reach the output raw.

#![cfg(unix)]

mod common;

use pracownia_core::protocol::{encode, Kind};
use pracownia_core::student::StudentSocket;
use serde_json::{json, Value};
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");
const CHAT: &str = "hi\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07\r[INFO] anna: forged\u{2028}x\u{202e}y\u{9b}z";

fn header(id: Uuid, login: &str, seq: u64, extra: Value) -> Value {
    let mut h = json!({"student": id, "login": login, "seq": seq, "ts": 1_764_000_000_000i64});
    h.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    h
}

/// No byte a terminal acts on: ESC, BEL, CR, C1 controls, bidi and line separators.
fn assert_no_active(out: &str, what: &str) {
    for c in out.chars() {
        assert!(
            (!c.is_control() || c == '\n') && !pracownia_core::text::is_hidden(c),
            "{what} holds U+{:04X}: {out:?}",
            c as u32
        );
    }
}

#[test]
fn serve_log_and_timeline_show_student_text_inert() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--return-port", "0", "--free-disk-floor-mib", "0"])
        .arg("--store")
        .arg(&store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port = common::listening_port(&mut child);

    let ctx = zmq::Context::new();
    let stop = AtomicBool::new(false);
    let ep = format!("tcp://127.0.0.1:{port}");
    let mut s = StudentSocket::connect(&ctx, &ep, None, Duration::from_secs(20), &stop).unwrap();
    let anna = Uuid::new_v4();
    s.send(Kind::Hello, &header(anna, "anna", 1, json!({"host": "lab-07"})), b"", &stop).unwrap();
    s.send(Kind::Chat, &header(anna, "anna", 2, json!({"id": Uuid::new_v4()})), CHAT.as_bytes(), &stop).unwrap();
    // Refused, and each refusal logged with its detail: an escape in hello's host, a login with a
    // zero-width space, an unknown kind made of escapes (no class code needed for this one).
    let evil = Uuid::new_v4();
    s.send(Kind::Hello, &header(evil, "eve", 1, json!({"host": "pc\x1b]0;pwned\x07"})), b"", &stop).unwrap();
    s.send(Kind::Hello, &header(evil, "an\u{200b}na", 2, json!({})), b"", &stop).unwrap();
    let h = serde_json::to_vec(&header(evil, "eve", 3, json!({}))).unwrap();
    let kind = vec![b"pracownia/1/\x1b[2J\x1b]0;t\x07".to_vec(), h, vec![]];
    s.send_frames(&kind, &stop).unwrap();
    s.send_frames(&encode(Kind::Bye, &header(anna, "anna", 3, json!({})), b"", None), &stop).unwrap();

    // Wait until the index has the chat, then stop the receiver and read its log.
    let deadline = Instant::now() + Duration::from_secs(20);
    let timeline = |json: bool| {
        let mut cmd = Command::new(BIN);
        cmd.args(["timeline", "--store", store.to_str().unwrap()]);
        if json {
            cmd.arg("--json");
        }
        cmd.output().unwrap()
    };
    while !String::from_utf8_lossy(&timeline(true).stdout).contains("\"leave\"") {
        assert!(Instant::now() < deadline, "the chat never reached the index");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(child.wait().unwrap().success(), "{err}");

    assert_no_active(&err, "serve's log");
    assert!(err.contains("hi\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"), "the chat, written out: {err}");
    assert!(err.contains("\\u{d}[INFO] anna: forged\\u{2028}x\\u{202e}y\\u{9b}z"), "{err}");
    assert!(err.contains("bad_field") && err.contains("\"host\" contains a control character"), "{err}");
    assert!(err.contains("deceptive_login") && err.contains("U+200B"), "{err}");
    assert!(err.contains("unknown_kind: \\u{1b}[2J\\u{1b}]0;t\\u{7}"), "{err}");

    // timeline's text output is inert even into a pipe (this one).
    let text = timeline(false);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert_no_active(&text, "timeline");
    assert!(text.contains("hi\\u{1b}]0;pwned\\u{7}"), "{text}");
    // Its JSON escapes what JSON leaves raw (U+2028 splits lines for JavaScript and Python readers)
    // and still means the very same text.
    let js = String::from_utf8(timeline(true).stdout).unwrap();
    assert_no_active(&js, "timeline --json");
    let chats: Vec<Value> = js
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "chat")
        .collect();
    assert_eq!(chats.len(), 1, "{js}");
    assert_eq!(chats[0]["text"], CHAT);
    assert!(js.contains("\\u2028") && js.contains("\\u202e") && js.contains("\\u009b"), "{js}");
}
