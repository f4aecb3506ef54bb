//! `pracownia-bench`: runs Pracownia's benchmarks and writes a Markdown report.
//!
//! pracownia-bench --serve-bin target/release/pracownia --work /tmp/pracownia-bench \
//!     --out bench/RESULTS.md [--quick] [--class full|scaled|quick]
//!     [--sections ingest,memory,class,index,student,encryption] [--student-json FILE]
//!     [--notes bench/NOTES.md] [--update]
//!
//! `--update`: write only the sections run into an existing `--out` (replacing each section and
//! its summary rows), e.g. `--sections encryption --update` for the encryption cost alone.

mod cli;
mod report;
mod sections;

use clap::Parser;
use cli::{Args, Section};
use report::Report;
use sections::{log, Ctx};
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// What stops a run before or after the benchmarks; each says which file and why.
#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error("--update needs an existing report at {}: {source}", path.display())]
    NoReport { path: PathBuf, source: io::Error },
    #[error("cannot read the notes {}: {source}", path.display())]
    Notes { path: PathBuf, source: io::Error },
    #[error(
        "no `pracownia` binary at {} (the memory and class sections run it as `pracownia serve`): \
         build it with `cargo build --release -p pracownia-cli` or pass --serve-bin",
        .0.display()
    )]
    NoServeBin(PathBuf),
    #[error("cannot create the scratch folder {}: {source}", path.display())]
    Work { path: PathBuf, source: io::Error },
    #[error("cannot write the report {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pracownia-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(a: &Args) -> Result<(), BenchError> {
    // Everything that can be wrong with the arguments is found before minutes of benchmarks.
    let old = if a.update {
        Some(std::fs::read_to_string(&a.out).map_err(|source| BenchError::NoReport { path: a.out.clone(), source })?)
    } else {
        None
    };
    let notes = match (&a.notes, a.update) {
        (Some(path), false) => {
            Some(std::fs::read_to_string(path).map_err(|source| BenchError::Notes { path: path.clone(), source })?)
        }
        _ => None,
    };
    if a.sections.iter().any(|s| s.needs_serve()) && !a.serve_bin.is_file() {
        return Err(BenchError::NoServeBin(a.serve_bin.clone()));
    }
    std::fs::create_dir_all(&a.work).map_err(|source| BenchError::Work { path: a.work.clone(), source })?;

    let started = Instant::now();
    let load_start = report::loadavg();
    let ctx = Ctx { args: a, reps: a.reps(), class: a.class() };
    let mut out = Report::default();
    for section in Section::ALL.into_iter().filter(|s| a.sections.contains(s)) {
        let md = sections::run(section, &ctx, &mut out.summary);
        out.sections.push((section, md));
    }
    let load_end = report::loadavg();

    let md = match &old {
        Some(old) => {
            let when = format!(
                "on {} UTC at commit {}; load average (1, 5, 15 min) at start / end {load_start} / {load_end}",
                chrono::Utc::now().format("%Y-%m-%d %H:%M"),
                report::sh("git rev-parse --short HEAD 2>/dev/null")
            );
            report::splice(old, &out, &when)
        }
        None => {
            if let Some(dir) = a.out.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            report::full(a, &out, (&load_start, &load_end), started.elapsed().as_secs_f64(), notes.as_deref())
        }
    };
    std::fs::write(&a.out, md).map_err(|source| BenchError::Write { path: a.out.clone(), source })?;
    log(&format!("{} {}", if old.is_some() { "updated" } else { "wrote" }, a.out.display()));
    Ok(())
}
