//! The command line, as clap derives it (the same flags `bench/run.sh` passes).

use clap::{Parser, ValueEnum};
use std::num::NonZeroUsize;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "pracownia-bench",
    about = "Pracownia's benchmarks: ingest, memory, a big class, index, the student side, encryption; \
             writes a Markdown report"
)]
pub struct Args {
    /// A small run in about a minute, not for the record.
    #[arg(long)]
    pub quick: bool,
    /// The big class's scale [default: quick with --quick, else scaled].
    #[arg(long, value_enum)]
    pub class: Option<ClassScale>,
    /// The `pracownia` binary to run as `pracownia serve` (memory and class sections).
    #[arg(long, default_value = "target/release/pracownia")]
    pub serve_bin: PathBuf,
    /// Scratch folder for stores and files.
    #[arg(long, default_value_os_t = std::env::temp_dir().join("pracownia-bench"))]
    pub work: PathBuf,
    /// The Markdown report to write.
    #[arg(long, default_value = "bench/RESULTS.md")]
    pub out: PathBuf,
    /// The sections to run, comma-separated [default: all] (the report's numbers 1–6 work too).
    #[arg(long, alias = "items", value_enum, value_delimiter = ',', default_values_t = Section::ALL, hide_default_value = true)]
    pub sections: Vec<Section>,
    /// The student side's measurements, written by bench/student.py.
    #[arg(long)]
    pub student_json: Option<PathBuf>,
    /// Hand-written notes appended to the report.
    #[arg(long)]
    pub notes: Option<PathBuf>,
    /// Repetitions per measurement [default: 2 with --quick, else 3].
    #[arg(long)]
    pub reps: Option<NonZeroUsize>,
    /// Replace only the sections run (and their summary rows) in the existing --out.
    #[arg(long)]
    pub update: bool,
}

impl Args {
    pub fn class(&self) -> ClassScale {
        self.class.unwrap_or(if self.quick { ClassScale::Quick } else { ClassScale::Scaled })
    }

    pub fn reps(&self) -> usize {
        self.reps.map_or(if self.quick { 2 } else { 3 }, NonZeroUsize::get)
    }
}

/// What one part of the report measures. Each keeps the number its heading has in the report
/// (`## 1. Ingest vs the physical limit`), which `--update` and the notes refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// Ingest vs the physical limit (raw ZeroMQ, SHA-256, the disk).
    #[value(alias = "1")]
    Ingest,
    /// Peak memory while one big .blend arrives.
    #[value(alias = "2")]
    Memory,
    /// A big class against `pracownia serve`: loss, latency, the receiver's CPU.
    #[value(alias = "3")]
    Class,
    /// Thumbnails and index queries.
    #[value(alias = "4")]
    Index,
    /// The student side (bench/student.py's figures).
    #[value(alias = "5")]
    Student,
    /// What encrypting the class (CURVE) costs the ingest.
    #[value(alias = "6")]
    Encryption,
}

impl Section {
    /// In the order they run and appear in the report.
    pub const ALL: [Section; 6] =
        [Section::Ingest, Section::Memory, Section::Class, Section::Index, Section::Student, Section::Encryption];

    /// The section's number in the report's headings and summary rows.
    pub fn number(self) -> u32 {
        Section::ALL.iter().position(|&s| s == self).expect("every section is in ALL") as u32 + 1
    }

    /// The name `--sections` takes.
    pub fn name(self) -> String {
        self.to_possible_value().expect("no section is skipped").get_name().to_owned()
    }

    pub fn needs_serve(self) -> bool {
        matches!(self, Section::Memory | Section::Class)
    }
}

/// How big the class section's class is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassScale {
    /// The class at full scale: 100 students for 5 minutes.
    Full,
    /// The class and rates for 60 s.
    Scaled,
    /// A small class, smoke-sized.
    Quick,
}

impl ClassScale {
    pub fn name(self) -> String {
        self.to_possible_value().expect("no scale is skipped").get_name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("pracownia-bench").chain(args.iter().copied()))
    }

    #[test]
    fn run_sh_flags_parse() {
        let a = parse(&[
            "--quick",
            "--class",
            "full",
            "--serve-bin",
            "t/pracownia",
            "--work",
            "/tmp/w",
            "--out",
            "/tmp/w/R.md",
            "--student-json",
            "/tmp/w/s.json",
            "--notes",
            "bench/NOTES.md",
        ])
        .unwrap();
        assert!(a.quick && !a.update);
        assert_eq!(a.class(), ClassScale::Full);
        assert_eq!(a.sections, Section::ALL);
        assert_eq!(a.reps(), 2);
        assert_eq!(a.out, PathBuf::from("/tmp/w/R.md"));
    }

    #[test]
    fn sections_by_name_or_old_number() {
        let a = parse(&["--sections", "encryption,ingest"]).unwrap();
        assert_eq!(a.sections, [Section::Encryption, Section::Ingest]);
        let old = parse(&["--items", "6", "--update"]).unwrap();
        assert_eq!(old.sections, [Section::Encryption]);
        assert_eq!(old.class(), ClassScale::Scaled);
        assert_eq!(Section::Encryption.number(), 6);
        assert_eq!(Section::Encryption.name(), "encryption");
    }

    #[test]
    fn bad_arguments_are_errors_not_panics() {
        for bad in [&["--items", "7"][..], &["--class", "huge"], &["--reps", "0"], &["--reps", "x"], &["--bogus"]] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
