//! `say`, `announce`, `request` and `hand` against a running `pracownia serve` (protocol 1.1).

#![cfg(unix)]

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn serve(store: &Path) -> (Child, u16) {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--return-port", "0", "--free-disk-floor-mib", "0"])
        .arg("--store")
        .arg(store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port = common::listening_port(&mut child);
    (child, port)
}

fn ok_line(o: &Output) -> String {
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert_eq!(out.lines().count(), 1, "one line: {out:?}");
    out.trim().to_string()
}

fn err_of(o: &Output) -> String {
    assert!(!o.status.success(), "succeeded: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn say_announce_request_hand_through_the_running_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let st = store.to_str().unwrap();
    std::fs::create_dir_all(&store).unwrap();
    let none = run(&["say", "--store", st, "--to", "anna", "hej"]);
    assert!(err_of(&none).contains("no receiver is running for this store (start pracownia serve)"));

    let (child, port) = serve(&store);
    let sim = run(&[
        "simulate",
        "--connect",
        &format!("tcp://127.0.0.1:{port}"),
        "--students",
        "2",
        "--duration",
        "0.5",
        "--screenshot-every",
        "0",
        "--chat-every",
        "0",
        "--blend-every",
        "0",
    ]);
    assert!(sim.status.success(), "{}", String::from_utf8_lossy(&sim.stderr));
    let students: Vec<Value> = String::from_utf8_lossy(&run(&["students", "--store", st, "--json"]).stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(students.len(), 2);
    let login = students[0]["login"].as_str().unwrap().to_string();

    let said = ok_line(&run(&["say", "--store", st, "--to", &login.to_uppercase(), "Proszę zapisać plik."]));
    assert_eq!(said, format!("queued for {login} (offline: delivered when the add-on reconnects)"));
    assert_eq!(
        ok_line(&run(&["announce", "--store", st, "Przerwa"])),
        "queued for 2 students (0 online: delivering now)"
    );
    assert!(
        ok_line(&run(&["request", "--store", st, "--to", "all", "screenshot"])).starts_with("queued for 2 students")
    );
    assert!(
        ok_line(&run(&["request", "--store", st, "--to", &login, "blend"])).starts_with(&format!("queued for {login}"))
    );
    assert!(ok_line(&run(&["hand", "--store", st, "--to", &login, "--ack"])).starts_with("queued for"));
    assert!(ok_line(&run(&["hand", "--store", st, "--to", &login, "--lower"])).starts_with("queued for"));

    let who = run(&["say", "--store", st, "--to", "bob", "hej"]);
    assert_eq!(err_of(&who).trim(), "pracownia: no student \"bob\" in this store");
    assert!(err_of(&run(&["say", "--store", st, "--to", &login, ""])).contains("the message is empty"));
    assert!(!run(&["hand", "--store", st, "--to", &login]).status.success(), "--ack or --lower is required");

    let tl = String::from_utf8(run(&["timeline", "--store", st, "--student", &login]).stdout).unwrap();
    assert!(tl.lines().any(|l| l.contains(" reply ") && l.contains("Proszę zapisać plik.  [queued]")), "{tl}");
    assert!(tl.lines().any(|l| l.contains(" request ") && l.contains("asked for a blend  [queued]")), "{tl}");
    assert!(tl.lines().any(|l| l.contains(" hand_ack ") && l.contains("acknowledged the raised hand")), "{tl}");
    assert!(tl.lines().any(|l| l.contains(" broadcast ") && l.contains("Przerwa")), "{tl}");

    let err = common::stop(child);
    assert!(err.contains("return path (the lecturer's answers) on tcp://127.0.0.1:"), "{err}");
    assert!(!store.join(".pracownia/control.sock").exists());
    let after = run(&["announce", "--store", st, "hej"]);
    assert!(err_of(&after).contains("no receiver is running for this store (start pracownia serve)"));
}
