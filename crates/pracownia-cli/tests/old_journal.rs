//! A journal written before the timeline entry was a tagged enum reads as it did: every kind,
//! with the legacy variants the reader has always accepted (no `login`, no `wire`, a chat without
//! `sent_ts` or an id, a file gone from disk or with a path outside its folder, state lines for
//! messages never sent, unknown fields, damaged and torn lines). `fixtures/old-journal/timeline.*`
//! are what `reindex` then `timeline` (`--json` and plain) printed with the version before the
//! change, byte for byte.

use std::fs;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_pracownia");
const FOLDER: &str = "anna-3f2b8c1e";

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/old-journal").join(name);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(args: &[&str]) -> String {
    let o = Command::new(BIN).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// The store the fixture's lines describe: its student folder, and the files its lines name (one
/// thumbnail and one .blend left out, as if removed by hand), plus a screenshot without a line.
fn old_store(root: &Path) {
    let dir = root.join(FOLDER);
    fs::create_dir_all(dir.join("screenshots/thumbs")).unwrap();
    fs::create_dir_all(dir.join("blends")).unwrap();
    fs::write(dir.join("student.json"), fixture("student.json")).unwrap();
    fs::write(dir.join("journal.jsonl"), fixture("journal.jsonl")).unwrap();
    for (rel, data) in [
        ("screenshots/2026-11-25T08-00-00.006Z.png", "PNG0"),
        ("screenshots/thumbs/2026-11-25T08-00-00.006Z.jpg", "JPG0"),
        ("screenshots/2026-11-25T08-00-00.007Z.png", "PNG1"),
        ("blends/2026-11-25T08-00-00.008Z.blend", "BLENDER"),
        ("screenshots/2026-11-25T08-00-00.040Z.png", "PNG2"),
    ] {
        fs::write(dir.join(rel), data).unwrap();
    }
}

#[test]
fn old_lines_of_every_kind_read_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path();
    old_store(store);
    let s = store.to_str().unwrap();
    let report = run(&["reindex", "--store", s]);
    // The reply without an id was skipped silently before; it now fails to parse as a line of its
    // kind and is counted with the damaged ones (it gives no entry either way).
    assert_eq!(
        report.trim(),
        "reindexed 1 students, 25 events (1 files found without a journal line, 3 damaged lines skipped)"
    );
    assert_eq!(run(&["timeline", "--store", s, "--json"]), fixture("timeline.jsonl"));
    assert_eq!(run(&["timeline", "--store", s]), fixture("timeline.txt"));
}
