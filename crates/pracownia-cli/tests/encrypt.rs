//! An encrypted class through the binary: `serve --encrypt` prints the key and the join string,
//! `simulate --server-key` sends over CURVE with a key pair per seat, `pin list` / `pin reset`.

mod common;

use pracownia_core::protocol::join::parse_join;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");

/// serve --encrypt; its port, server key and join string, from its first three stdout lines.
fn serve_encrypted(store: &Path, key_file: &Path) -> (Child, u16, String, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--free-disk-floor-mib", "0", "--class-code", "KOT"])
        .args(["--encrypt", "--key-file"])
        .arg(key_file)
        .arg("--store")
        .arg(store)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = || {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        l.trim().to_owned()
    };
    let (listening, key, join) = (line(), line(), line());
    let port = listening.rsplit(':').next().unwrap().parse().unwrap_or_else(|_| panic!("{listening:?}"));
    let key = key.strip_prefix("server key: ").unwrap_or_else(|| panic!("{key:?}")).to_owned();
    let join = join.strip_prefix("join: ").unwrap_or_else(|| panic!("{join:?}")).to_owned();
    child.stdout = Some(out.into_inner());
    (child, port, key, join)
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn simulate(port: u16, extra: &[&str]) -> std::process::Output {
    let connect = format!("tcp://127.0.0.1:{port}");
    let mut args = vec!["simulate", "--connect", &connect, "--students", "2", "--duration", "2", "--class-code", "KOT"];
    args.extend(["--screenshot-every", "1", "--screenshot-size", "160x90", "--chat-every", "0.5"]);
    args.extend(["--blend-every", "1", "--blend-size", "200000", "--chunk-size", "65536", "--json"]);
    args.extend(extra);
    run(&args)
}

#[test]
fn an_encrypted_class_end_to_end_with_pins_kept_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let key_file = dir.path().join("keys").join("lecturer.json");
    let (child, port, key, join) = serve_encrypted(&store, &key_file);
    let parsed = parse_join(&join).unwrap();
    assert_eq!((parsed.host.as_str(), parsed.port, parsed.class_code.as_str()), ("127.0.0.1", port, "KOT"));
    assert_eq!(parsed.server_key.map(|k| pracownia_core::keys::encode_key(&k)).as_deref(), Some(key.as_str()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the lecturer's key file is owner-only");
    }

    let sim = simulate(port, &["--server-key", &key]);
    assert!(sim.status.success(), "{}", String::from_utf8_lossy(&sim.stderr));
    let report: Value = serde_json::from_slice(&sim.stdout).unwrap();
    assert!(report["chats"].as_u64().unwrap() >= 2 && report["blends"].as_u64().unwrap() >= 2, "{report}");

    // A pin cannot be reset under a running receiver (it holds the pins).
    let busy = run(&["pin", "reset", "--store", store.to_str().unwrap(), "--student", "anna"]);
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("already in use"), "{busy:?}");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let err = common::stop(child);
    assert!(!err.contains("panicked") && !err.contains("key_mismatch"), "{err}");

    // Everything sent over CURVE was stored.
    let tl = run(&["timeline", "--store", store.to_str().unwrap(), "--json"]);
    let events: Vec<Value> =
        String::from_utf8_lossy(&tl.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let count = |k: &str| events.iter().filter(|e| e["kind"] == k).count() as u64;
    assert_eq!(count("chat"), report["chats"].as_u64().unwrap());
    assert_eq!(count("blend"), report["blends"].as_u64().unwrap());
    assert_eq!(count("screenshot"), report["screenshots"].as_u64().unwrap());
    assert_eq!(count("join"), 2);

    // Each seat is pinned to its own key.
    let list = run(&["pin", "list", "--store", store.to_str().unwrap()]);
    let pins = String::from_utf8_lossy(&list.stdout).into_owned();
    let keys: Vec<&str> = pins.lines().map(|l| l.split(' ').nth(1).unwrap()).collect();
    assert_eq!(keys.len(), 2, "{pins}");
    assert_ne!(keys[0], keys[1]);

    // Restarted, the lecturer's key is the same, and the seats (same keys) get through again.
    let (child, port, key_again, _) = serve_encrypted(&store, &key_file);
    assert_eq!(key_again, key);
    let sim = simulate(port, &["--server-key", &key]);
    assert!(sim.status.success(), "{}", String::from_utf8_lossy(&sim.stderr));
    std::thread::sleep(std::time::Duration::from_millis(300));
    let err = common::stop(child);
    assert!(!err.contains("key_mismatch"), "{err}");

    let reset = run(&["pin", "reset", "--store", store.to_str().unwrap(), "--student", "ANNA"]);
    assert!(reset.status.success(), "{reset:?}");
    let list = run(&["pin", "list", "--store", store.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 1);
    let again = run(&["pin", "reset", "--store", store.to_str().unwrap(), "--student", "anna"]);
    assert!(!again.status.success(), "nothing left to reset");
    let mut msg = String::new();
    again.stderr.as_slice().read_to_string(&mut msg).unwrap();
    assert!(msg.contains("no pinned key"), "{msg}");
}

#[test]
fn simulate_refuses_a_malformed_server_key() {
    let out = run(&["simulate", "--connect", "tcp://127.0.0.1:1", "--server-key", "short"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("43 characters"));
}

#[test]
fn a_server_key_beginning_with_a_dash_is_a_value_not_an_option() {
    // One key in 64 begins with '-' (base64url); it once failed this file's end-to-end test.
    let out = run(&["simulate", "--connect", "tcp://127.0.0.1:1", "--server-key", "-short"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("43 characters") && !err.contains("unexpected argument"), "{err}");
}
