//! Open files (issue 12): `pracownia serve` raises its own soft open-file limit, and running out of
//! descriptors anyway is reported as that, never as a damaged student.json.

#![cfg(target_os = "linux")]

mod common;

use pracownia_core::protocol::Kind;
use pracownia_core::student::StudentSocket;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");

/// `pracownia serve` started by bash after `ulimit_args` (e.g. `-Sn 200`).
fn serve_limited(store: &Path, ulimit_args: &str) -> (Child, u16) {
    let script = format!(
        "ulimit {ulimit_args} && exec \"$0\" serve --bind 127.0.0.1 --port 0 --return-port 0 --free-disk-floor-mib 0 --store \"$1\""
    );
    let mut child = Command::new("bash")
        .args(["-c", &script, BIN])
        .arg(store)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port = common::listening_port(&mut child);
    (child, port)
}

/// (soft, hard) "Max open files" of a process.
fn nofile(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    (f[3].to_string(), f[4].to_string())
}

#[test]
fn serve_raises_its_soft_open_file_limit_to_the_hard_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (child, _) = serve_limited(&dir.path().join("store"), "-Sn 200");
    let (soft, hard) = nofile(child.id());
    common::stop(child);
    assert_ne!(soft, "200", "the soft limit was left as the shell set it");
    assert_eq!(soft, hard);
}

fn header(id: Uuid, seq: u64, extra: Value) -> Value {
    let mut h = json!({"student": id, "login": format!("s{}", &id.simple().to_string()[..6]), "seq": seq, "ts": 1});
    h.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    h
}

#[test]
fn running_out_of_descriptors_is_not_reported_as_a_damaged_student_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    // Hard and soft both: the receiver cannot raise a limit the hard one caps.
    let (child, port) = serve_limited(&store, "-n 64");
    let used = std::fs::read_dir(format!("/proc/{}/fd", child.id())).unwrap().count();
    assert!(used < 60, "{used} descriptors open at start; the test needs a few spare");
    let ctx = zmq::Context::new();
    let halt = AtomicBool::new(false);
    // A connection brings at most 3 new ids (`Limits::new_ids_per_connection`): 7 connections
    // for the made-up students and one for the last, all connected while descriptors are left.
    let endpoint = format!("tcp://127.0.0.1:{port}");
    let mut socks: Vec<StudentSocket> = (0..8)
        .map(|_| StudentSocket::connect(&ctx, &endpoint, None, Duration::from_secs(20), &halt).unwrap())
        .collect();
    let data = b"BLENDER-v405 and some bytes".to_vec();
    let sha = hex::encode(Sha256::digest(&data));
    // Each made-up student keeps 4 staging files open; 21 of them need 84 descriptors.
    for i in 0..21 {
        let s = &mut socks[i / 3];
        let id = Uuid::new_v4();
        s.send(Kind::Hello, &header(id, 1, json!({})), b"", &halt).unwrap();
        for seq in 2..6 {
            let h = header(
                id,
                seq,
                json!({"transfer": Uuid::new_v4(), "kind": "blend", "name": "a.blend", "size": data.len(),
                    "sha256": sha, "offset": 0, "index": 0, "count": 2}),
            );
            s.send(Kind::Chunk, &h, &data[..10], &halt).unwrap();
        }
    }
    socks[7].send(Kind::Hello, &header(Uuid::new_v4(), 1, json!({})), b"", &halt).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let err = common::stop(child);
    assert!(err.contains("run out of open files") || err.contains("Too many open files"), "{err}");
    assert!(!err.contains("damaged"), "{err}");
}
