//! `collect`, `export` and `erase` as a lecturer runs them, on a store filled by real `serve` and
//! `simulate` processes over real sockets.

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
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

/// A store with `students` simulated students who each sent a few .blend versions.
fn class_store(store: &Path, students: usize) {
    let mut serve = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--free-disk-floor-mib", "0", "--store"])
        .arg(store)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let port = common::listening_port(&mut serve);
    let sim = run(&[
        "simulate",
        "--connect",
        &format!("tcp://127.0.0.1:{port}"),
        "--students",
        &students.to_string(),
        "--duration",
        "2.5",
        "--screenshot-every",
        "1",
        "--screenshot-size",
        "320x180",
        "--chat-every",
        "1",
        "--blend-every",
        "1",
        "--blend-size",
        "200000",
        "--chunk-size",
        "65536",
    ]);
    assert!(sim.status.success(), "{}", text(&sim));
    std::thread::sleep(Duration::from_millis(500));
    assert!(Command::new("kill").args(["-TERM", &serve.id().to_string()]).status().unwrap().success());
    assert!(serve.wait().unwrap().success());
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

#[test]
fn collect_export_and_erase_as_a_lecturer_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    class_store(&store, 3);
    let students = json_lines(&run(&["students", "--store", s, "--json"]));
    assert_eq!(students.len(), 3);

    // Collect into a folder: each student's newest .blend, byte for byte, and a manifest.
    let out = dir.path().join("work");
    let c = run(&["collect", "--store", s, "--out", out.to_str().unwrap()]);
    assert!(c.status.success(), "{}", text(&c));
    assert!(text(&c).contains("collected the work of 3 of 3 students"), "{}", text(&c));
    let events = json_lines(&run(&["timeline", "--store", s, "--json"]));
    for st in &students {
        let login = st["login"].as_str().unwrap();
        let newest = events.iter().rfind(|e| e["kind"] == "blend" && e["student"] == st["id"]).unwrap();
        assert_eq!(sha256(&out.join(format!("{login}.blend"))), newest["sha256"].as_str().unwrap(), "{login}");
    }
    let csv = fs::read_to_string(out.join("manifest.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");

    // The same as one zip; a second run refuses to overwrite it.
    let zip_path = dir.path().join("work.zip");
    let z = zip_path.to_str().unwrap();
    assert!(run(&["collect", "--store", s, "--out", z, "--zip"]).status.success());
    let names: BTreeSet<String> =
        zip::ZipArchive::new(fs::File::open(&zip_path).unwrap()).unwrap().file_names().map(String::from).collect();
    assert_eq!(names.len(), 5, "{names:?}");
    let again = run(&["collect", "--store", s, "--out", z, "--zip"]);
    assert!(!again.status.success() && text(&again).contains("already exists"), "{}", text(&again));
    let early = run(&["collect", "--store", s, "--out", dir.path().join("x").to_str().unwrap(), "--at", "yesterday"]);
    assert!(!early.status.success() && text(&early).contains("is not a moment"), "{}", text(&early));

    // Export one student by login.
    let login = students[0]["login"].as_str().unwrap();
    let ex = dir.path().join("one.zip");
    let e = run(&["export", "--store", s, "--student", login, "--out", ex.to_str().unwrap()]);
    assert!(e.status.success(), "{}", text(&e));
    let mut archive = zip::ZipArchive::new(fs::File::open(&ex).unwrap()).unwrap();
    assert!(archive.by_name("transcript.md").is_ok() && archive.by_name("manifest.json").is_ok());
    assert!(archive.file_names().any(|n| n.starts_with("blend/")));

    // Erase: a dry run deletes nothing and says so; --yes deletes; reindex agrees.
    let folder = store.join(students[0]["folder"].as_str().unwrap());
    let dry = run(&["erase", "--store", s, "--student", login]);
    assert!(!dry.status.success(), "{}", text(&dry));
    assert!(text(&dry).contains("would erase") && text(&dry).contains("nothing was deleted"), "{}", text(&dry));
    assert!(folder.is_dir());
    let gone = run(&["erase", "--store", s, "--student", login, "--yes"]);
    assert!(gone.status.success(), "{}", text(&gone));
    assert!(!folder.exists());
    let r = run(&["reindex", "--store", s]);
    assert!(text(&r).contains("reindexed 2 students"), "{}", text(&r));
    let tl = run(&["timeline", "--store", s, "--student", login]);
    assert!(!tl.status.success(), "the erased student is unknown: {}", text(&tl));

    // Thinning with nothing old enough deletes nothing; without a policy it says what is missing.
    let none = run(&["thin", "--store", s]);
    assert!(!none.status.success() && text(&none).contains("say what to thin"), "{}", text(&none));
    let thin = run(&["thin", "--store", s, "--screenshots-after-days", "1", "--blends-after-days", "1", "--yes"]);
    assert!(thin.status.success(), "{}", text(&thin));
    assert!(text(&thin).contains("deleted 0 screenshots and 0 .blend versions"), "{}", text(&thin));
}

/// A SIGKILL at any moment of `erase --all` or of a thinning pass leaves a store whose index
/// agrees with its folders and files.
#[test]
fn a_kill_during_erase_or_thin_leaves_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template");
    class_store(&template, 4);
    let erase: &[&str] = &["erase", "--all", "--yes"];
    // Everything older than now: one screenshot per minute and one .blend per session remain.
    let thin: &[&str] = &["thin", "--screenshots-after-days", "0", "--blends-after-days", "0", "--yes"];
    // Uninterrupted, the pass has something to delete (so the kills below can hit it midway).
    let whole = dir.path().join("whole");
    assert!(Command::new("cp").arg("-a").arg(&template).arg(&whole).status().unwrap().success());
    let out = run(&[&thin[..1], &["--store", whole.to_str().unwrap()], &thin[1..]].concat());
    assert!(out.status.success() && !text(&out).contains("deleted 0 screenshots and 0"), "{}", text(&out));
    assert_consistent(&whole, "whole thin");
    for (round, delay_ms) in [0u64, 5, 15, 30, 60, 120].into_iter().enumerate() {
        for (what, args) in [("erase", erase), ("thin", thin)] {
            let store = dir.path().join(format!("{what}{round}"));
            assert!(Command::new("cp").arg("-a").arg(&template).arg(&store).status().unwrap().success());
            let s = store.to_str().unwrap();
            let mut child = Command::new(BIN)
                .args(&args[..1])
                .args(["--store", s])
                .args(&args[1..])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            let _ = child.kill();
            child.wait().unwrap();
            // The next opening of the store (here `reindex`) finishes or forgets what was cut short.
            assert!(run(&["reindex", "--store", s]).status.success());
            assert!(!store.join(".pracownia/erasing").exists(), "{what} round {round}");
            assert_consistent(&store, &format!("{what} round {round}"));
        }
    }
}

/// Every indexed file exists with its digest, every file on disk is indexed, every student folder
/// has its row and no row lacks its folder.
fn assert_consistent(store: &Path, what: &str) {
    let s = store.to_str().unwrap();
    let folders: BTreeSet<String> = fs::read_dir(store)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let students = json_lines(&run(&["students", "--store", s, "--json"]));
    let indexed: BTreeSet<String> = students.iter().map(|v| v["folder"].as_str().unwrap().to_string()).collect();
    assert_eq!(indexed, folders, "{what}");
    let mut files = BTreeSet::new();
    for e in json_lines(&run(&["timeline", "--store", s, "--json"])) {
        if let Some(p) = e["path"].as_str() {
            assert_eq!(sha256(&store.join(p)), e["sha256"].as_str().unwrap(), "{what}: {p}");
            files.insert(p.to_string());
        }
    }
    for f in &folders {
        for sub in ["screenshots", "blends"] {
            let Ok(rd) = fs::read_dir(store.join(f).join(sub)) else { continue };
            for e in rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()) {
                let rel = e.strip_prefix(store).unwrap().to_str().unwrap().to_string();
                assert!(files.contains(&rel), "{what}: {rel} on disk but not indexed");
            }
        }
    }
}

#[test]
fn sessions_and_attendance_of_a_class_that_met_once() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("class");
    let none = run(&["attendance", "--store", tmp.path().to_str().unwrap()]);
    assert!(!none.status.success());
    class_store(&store, 3);
    let st = store.to_str().unwrap();
    let s = run(&["sessions", "--store", st, "--json"]);
    assert!(s.status.success(), "{}", text(&s));
    let list = json_lines(&s);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((list[0]["session"].as_u64(), list[0]["students"].as_u64()), (Some(1), Some(3)));
    let a = run(&["attendance", "--store", st, "--csv"]);
    assert!(a.status.success(), "{}", text(&a));
    let csv = String::from_utf8_lossy(&a.stdout).to_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "login,student,first,last,minutes_present,joins");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1..].iter().all(|l| l.ends_with(",1")), "each joined once: {csv}");
    let j = json_lines(&run(&["attendance", "--store", st, "--session", "1", "--json"]));
    assert!(j.iter().all(|r| r["first"].as_str() <= r["last"].as_str() && r["present_ms"].as_i64() > Some(0)));
    let missing = run(&["attendance", "--store", st, "--session", "2"]);
    assert!(!missing.status.success());
    assert!(text(&missing).contains("There is no session 2"), "{}", text(&missing));
}
