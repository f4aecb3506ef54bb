//! The report's sections, each named by what it measures; each returns its Markdown (without
//! the heading) and adds its rows to the summary.

mod class;
mod encryption;
mod index;
mod ingest;
mod memory;
mod student;

use crate::cli::{Args, ClassScale, Section};
use crate::report::SummaryRow;

/// What every section needs to know about the run.
pub struct Ctx<'a> {
    pub args: &'a Args,
    pub reps: usize,
    pub class: ClassScale,
}

impl Ctx<'_> {
    pub fn quick(&self) -> bool {
        self.args.quick
    }
}

pub fn run(section: Section, ctx: &Ctx, summary: &mut Vec<SummaryRow>) -> String {
    let mut md = String::new();
    match section {
        Section::Ingest => ingest::run(ctx, &mut md, summary),
        Section::Memory => memory::run(ctx, &mut md, summary),
        Section::Class => class::run(ctx, &mut md, summary),
        Section::Index => index::run(ctx, &mut md, summary),
        Section::Student => student::run(ctx, &mut md, summary),
        Section::Encryption => encryption::run(ctx, &mut md, summary),
    }
    md
}

/// Progress on stderr, with the time.
pub fn log(msg: &str) {
    eprintln!("[bench {}] {msg}", chrono::Utc::now().format("%H:%M:%S"));
}
