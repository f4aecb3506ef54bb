//! `pracownia students` flags a login that looks like another student's (issue 12, item 6), in
//! its text output and as `looks_like` in `--json`.

use pracownia_core::store::{Entry, Store};
use std::process::Command;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");

#[test]
fn students_shows_which_login_a_look_alike_imitates() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(tmp.path()).unwrap();
        for (i, login) in ["anna", "\u{430}nna"].into_iter().enumerate() {
            let s = store.student(Uuid::new_v4(), login).unwrap();
            store.record(&s, 1_764_000_000_000 + i as i64, Entry::Join).unwrap();
        }
    }
    let run = |json: bool| {
        let mut c = Command::new(BIN);
        c.args(["students", "--store"]).arg(tmp.path());
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(false);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(!lines[0].contains("looks like"), "{text}");
    assert!(lines[1].contains("\u{430}nna") && lines[1].ends_with("[looks like anna]"), "{text}");
    let json: Vec<serde_json::Value> = run(true).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(json[0].get("looks_like"), None);
    assert_eq!(json[1]["looks_like"], "anna");
}
