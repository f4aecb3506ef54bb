//! The `pracownia` binary as a user runs it: real processes, real sockets, a real store.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");

struct Serve {
    child: Child,
    port: u16,
    first_line: String,
}

fn serve(store: &Path, extra: &[&str]) -> Serve {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--free-disk-floor-mib", "0", "--store"])
        .arg(store)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    out.read_line(&mut first_line).unwrap();
    let port = first_line.trim().rsplit(':').next().unwrap().parse().unwrap_or_else(|_| panic!("{first_line:?}"));
    // Keep the rest of stdout to check that nothing else is printed there.
    child.stdout = Some(out.into_inner());
    Serve { child, port, first_line }
}

impl Serve {
    /// SIGTERM, then the exit status, stdout remainder and stderr.
    fn terminate(mut self) -> (std::process::ExitStatus, String, String) {
        let ok = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "serve did not exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        };
        let (mut out, mut err) = (String::new(), String::new());
        self.child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status, out, err)
    }
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn lines_json(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn serve_simulate_timeline_students_reindex() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = serve(&store, &[]);
    assert_eq!(s.first_line, format!("listening on tcp://127.0.0.1:{}\n", s.port));
    let sim = run(&[
        "simulate",
        "--connect",
        &format!("tcp://127.0.0.1:{}", s.port),
        "--students",
        "2",
        "--duration",
        "2.5",
        "--screenshot-every",
        "1",
        "--screenshot-size",
        "320x180",
        "--chat-every",
        "1",
        "--blend-every",
        "2",
        "--blend-size",
        "300000",
        "--chunk-size",
        "65536",
        "--json",
    ]);
    assert!(sim.status.success(), "{}", String::from_utf8_lossy(&sim.stderr));
    let report: Value = serde_json::from_slice(&sim.stdout).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let (status, rest, err) = s.terminate();
    assert!(status.success(), "exit {status:?}: {err}");
    assert_eq!(rest, "", "stdout has exactly one line");
    assert!(!err.contains("panicked"), "{err}");

    let tl = run(&["timeline", "--store", store.to_str().unwrap(), "--json"]);
    assert!(tl.status.success());
    let events = lines_json(&tl.stdout);
    let count = |k: &str| events.iter().filter(|e| e["kind"] == k).count() as u64;
    assert_eq!(count("chat"), report["chats"].as_u64().unwrap());
    assert_eq!(count("screenshot"), report["screenshots"].as_u64().unwrap());
    assert_eq!(count("blend"), report["blends"].as_u64().unwrap());
    assert_eq!(count("join"), 2);
    assert_eq!(count("leave"), 2);
    for e in &events {
        assert!(chrono_like(e["ts"].as_str().unwrap()), "{e}");
        assert!(e["student"].is_string() && e["login"].is_string());
        if e["kind"] == "blend" || e["kind"] == "screenshot" {
            let p = store.join(e["path"].as_str().unwrap());
            let bytes = std::fs::read(&p).unwrap();
            assert_eq!(bytes.len() as u64, e["size"].as_u64().unwrap());
            assert_eq!(e["sha256"].as_str().unwrap().len(), 64);
        }
        if e["kind"] == "chat" {
            assert!(e["text"].as_str().unwrap().starts_with("Wiadomość"));
        }
    }

    let one = run(&["timeline", "--store", store.to_str().unwrap(), "--student", "ANNA", "--json"]);
    assert!(lines_json(&one.stdout).iter().all(|e| e["login"] == "anna"));

    let st = run(&["students", "--store", store.to_str().unwrap(), "--json"]);
    let students = lines_json(&st.stdout);
    assert_eq!(students.len(), 2);
    assert!(students.iter().all(|s| s["latest_screenshot"].is_string()));

    // The folder is the truth: without the index, reindex rebuilds the same timeline.
    std::fs::remove_file(store.join(".pracownia/index.sqlite")).unwrap();
    let _ = std::fs::remove_file(store.join(".pracownia/index.sqlite-wal"));
    let _ = std::fs::remove_file(store.join(".pracownia/index.sqlite-shm"));
    let re = run(&["reindex", "--store", store.to_str().unwrap()]);
    assert!(re.status.success(), "{}", String::from_utf8_lossy(&re.stderr));
    let again = lines_json(&run(&["timeline", "--store", store.to_str().unwrap(), "--json"]).stdout);
    // Same events in the same time order (events within one millisecond may come in any order).
    let strip = |v: &Vec<Value>| {
        let mut v: Vec<Value> = v
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.as_object_mut().unwrap().remove("id");
                e
            })
            .collect();
        v.sort_by_key(|e| (e["ts"].as_str().unwrap().to_owned(), e.to_string()));
        v
    };
    let ts = |v: &Vec<Value>| v.iter().map(|e| e["ts"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert!(ts(&events).is_sorted(), "live timeline is in time order");
    assert!(ts(&again).is_sorted(), "reindexed timeline is in time order");
    assert_eq!(strip(&again), strip(&events));
}

fn chrono_like(s: &str) -> bool {
    // 2026-11-25T09:02:14.291Z
    s.len() == 24 && s.as_bytes()[10] == b'T' && s.ends_with('Z')
}

#[test]
fn user_errors_are_one_sentence_and_a_failure_exit() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = serve(&store, &[]);
    let busy = run(&[
        "serve",
        "--bind",
        "127.0.0.1",
        "--port",
        &s.port.to_string(),
        "--store",
        dir.path().join("b").to_str().unwrap(),
    ]);
    assert!(!busy.status.success());
    let msg = String::from_utf8_lossy(&busy.stderr);
    assert!(msg.contains("already in use") && !msg.contains("panicked"), "{msg}");
    assert!(busy.stdout.is_empty());
    let same_store = run(&["serve", "--bind", "127.0.0.1", "--port", "0", "--store", store.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&same_store.stderr).contains("already in use by another"), "{:?}", same_store);
    let (status, _, _) = s.terminate();
    assert!(status.success());

    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let bad_store = run(&["serve", "--port", "0", "--store", file.join("store").to_str().unwrap()]);
    assert!(!bad_store.status.success());
    let msg = String::from_utf8_lossy(&bad_store.stderr);
    assert_eq!(msg.trim().lines().count(), 1, "{msg}");
    assert!(msg.contains("store"), "{msg}");

    let none = run(&["timeline", "--store", dir.path().join("nope").to_str().unwrap()]);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("There is no store folder"));

    let who = run(&["timeline", "--store", store.to_str().unwrap(), "--student", "nobody"]);
    assert!(String::from_utf8_lossy(&who.stderr).contains("No student"), "{who:?}");

    let bad_arg = run(&["simulate", "--connect", "127.0.0.1:1", "--students", "1"]);
    assert!(String::from_utf8_lossy(&bad_arg.stderr).contains("is not an address like"));
    let bad_size = run(&["simulate", "--connect", "tcp://127.0.0.1:1", "--screenshot-size", "big"]);
    assert!(!bad_size.status.success());
    assert!(String::from_utf8_lossy(&bad_size.stderr).contains("WIDTHxHEIGHT"));
}

/// Kill the receiver with SIGKILL in the middle of transfers, start it again on the same store:
/// no half-written file is visible, every indexed file exists with its digest, every visible file
/// is indexed, and staging is empty.
#[test]
fn a_kill_at_any_moment_leaves_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let mut caught_mid_transfer = 0;
    for round in 0..3 {
        let s = serve(&store, &[]);
        let port = s.port;
        let mut sim = Command::new(BIN)
            .args([
                "simulate",
                "--connect",
                &format!("tcp://127.0.0.1:{port}"),
                "--students",
                "3",
                "--duration",
                "30",
                "--screenshot-every",
                "0.3",
                "--screenshot-size",
                "640x360",
                "--chat-every",
                "0.2",
                "--blend-every",
                "0.5",
                "--blend-size",
                "3000000",
                "--chunk-size",
                "65536",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(800 + 300 * round));
        let mut child = s.child;
        child.kill().unwrap(); // SIGKILL, in the middle of transfers
        child.wait().unwrap();
        sim.kill().unwrap();
        sim.wait().unwrap();
        caught_mid_transfer += std::fs::read_dir(store.join(".pracownia/staging")).unwrap().count();
        // Restart: opening the store repairs the index from the folder.
        let s = serve(&store, &[]);
        let (status, _, err) = s.terminate();
        assert!(status.success(), "{err}");
        assert_consistent(&store);
    }
    assert!(caught_mid_transfer > 0, "the kills should have hit transfers in flight");
}

fn assert_consistent(store: &Path) {
    let tl = run(&["timeline", "--store", store.to_str().unwrap(), "--json"]);
    assert!(tl.status.success());
    let mut indexed = std::collections::BTreeSet::new();
    for e in lines_json(&tl.stdout) {
        if let Some(p) = e["path"].as_str() {
            let bytes = std::fs::read(store.join(p)).unwrap_or_else(|err| panic!("indexed {p} is missing: {err}"));
            assert_eq!(bytes.len() as u64, e["size"].as_u64().unwrap(), "{p}");
            let sum = Command::new("sha256sum").arg(store.join(p)).output().unwrap();
            assert!(String::from_utf8_lossy(&sum.stdout).starts_with(e["sha256"].as_str().unwrap()), "{p}");
            indexed.insert(p.to_owned());
        }
    }
    for student in std::fs::read_dir(store).unwrap() {
        let student = student.unwrap().path();
        if student.file_name().unwrap() == ".pracownia" {
            continue;
        }
        for sub in ["screenshots", "blends"] {
            let Ok(files) = std::fs::read_dir(student.join(sub)) else { continue };
            for f in files {
                let f = f.unwrap().path();
                if f.is_file() {
                    let rel = f.strip_prefix(store).unwrap().to_str().unwrap().replace('\\', "/");
                    assert!(indexed.contains(&rel), "visible but not indexed: {rel}");
                }
            }
        }
    }
    let staging: Vec<_> = std::fs::read_dir(store.join(".pracownia/staging")).unwrap().collect();
    assert!(staging.is_empty(), "staging was emptied on restart");
}
