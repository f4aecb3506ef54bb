//! Every input the fuzz targets (`fuzz/`, docs/SECURITY.md "Fuzzing") ever crashed or hung on,
//! kept in `tests/fuzz_regressions/{message,image}/` and run through the same function as the
//! target, so a fixed bug stays fixed under a plain `cargo test`. Also checks that the seed
//! corpus in `fuzz/corpus/` still reaches what it was written for (a file stored, refusals).

use pracownia_core::receiver::fuzzing::{run_image_input, run_message_input};
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

fn here(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn message_regressions_run_clean() {
    let scratch = tempfile::tempdir().unwrap();
    for f in files(&here("tests/fuzz_regressions/message")) {
        eprintln!("{}", f.display());
        run_message_input(&std::fs::read(&f).unwrap(), scratch.path());
    }
}

#[test]
fn image_regressions_run_clean() {
    let scratch = tempfile::tempdir().unwrap();
    for f in files(&here("tests/fuzz_regressions/image")) {
        eprintln!("{}", f.display());
        run_image_input(&std::fs::read(&f).unwrap(), scratch.path());
    }
}

#[test]
fn the_seed_corpus_reaches_what_it_was_written_for() {
    let scratch = tempfile::tempdir().unwrap();
    let corpus = here("../../fuzz/corpus");
    let run =
        |name: &str| run_message_input(&std::fs::read(corpus.join("message").join(name)).unwrap(), scratch.path());
    let rejected = |s: &pracownia_core::events::Stats, code: &str| s.rejected.get(code).copied().unwrap_or(0);

    for name in ["session_plain", "session_class_code"] {
        let s = run(name);
        assert_eq!((s.messages, s.chats), (7, 1), "{name}: {s:?}");
        assert!(s.rejected.is_empty(), "{name}: {s:?}");
    }
    let s = run("png_in_chunks");
    assert_eq!(s.files, 1, "{s:?}");
    let s = run("jpeg_one_chunk");
    assert_eq!(s.files, 1, "{s:?}");
    let s = run("blend_and_not_a_blend");
    assert_eq!((s.files, rejected(&s, "bad_file")), (1, 1), "{s:?}");
    let s = run("incomplete_conflict_corrupt");
    assert_eq!((rejected(&s, "conflict"), rejected(&s, "corrupt")), (1, 1), "{s:?}");
    let s = run("identity");
    assert_eq!(s.chats, 1, "{s:?}");
    let s = run("refusals");
    for code in ["frame_count", "unknown_kind", "bad_json", "bad_login", "deceptive_login", "replay", "bad_chunk"] {
        assert_eq!(rejected(&s, code), 1, "{code}: {s:?}");
    }
    let s = run("refusals_class_code");
    assert_eq!(rejected(&s, "bad_mac"), 1, "{s:?}");

    for f in files(&corpus.join("image")) {
        let accepted = run_image_input(&std::fs::read(&f).unwrap(), scratch.path()).is_some();
        assert_eq!(accepted, !f.ends_with("blend"), "{}", f.display());
    }
}
