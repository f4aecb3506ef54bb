//! `sessions` and `attendance`: lab meetings and who was present, from a store's timeline.

use crate::query::reader;
use crate::rfc3339;
use clap::Args;
use pracownia_core::index::sessions::DEFAULT_GAP_MS;
use pracownia_core::text::{csv_field, Inert};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct Sessions {
    #[arg(long)]
    store: PathBuf,
    /// Minutes with nobody present that separate two sessions.
    #[arg(long, default_value_t = DEFAULT_GAP_MS / 60_000, value_parser = clap::value_parser!(i64).range(1..=7 * 24 * 60))]
    gap: i64,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct Attendance {
    #[arg(long)]
    store: PathBuf,
    /// The session's number (as `pracownia sessions` shows it); the latest when left out.
    #[arg(long)]
    session: Option<u32>,
    /// Minutes with nobody present that separate two sessions.
    #[arg(long, default_value_t = DEFAULT_GAP_MS / 60_000, value_parser = clap::value_parser!(i64).range(1..=7 * 24 * 60))]
    gap: i64,
    /// One JSON object per line.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// A CSV table (login, student, first, last, minutes present, joins) for a spreadsheet.
    #[arg(long)]
    csv: bool,
}

fn out_err(e: std::io::Error) -> String {
    format!("cannot write the output: {e}")
}

pub fn sessions(a: Sessions) -> Result<(), String> {
    let idx = reader(&a.store)?;
    let list = idx.sessions(a.gap * 60_000).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if list.is_empty() && !a.json {
        writeln!(out, "No sessions yet: no student has joined this class.").map_err(out_err)?;
    }
    for s in list {
        let line = if a.json {
            json!({"session": s.number, "start": rfc3339(s.start), "end": rfc3339(s.end), "students": s.students})
                .to_string()
        } else {
            format!(
                "{:>3}  {}  {}  {:>4} min  {} {}",
                s.number,
                rfc3339(s.start),
                rfc3339(s.end),
                (s.end - s.start) / 60_000,
                s.students,
                if s.students == 1 { "student" } else { "students" }
            )
        };
        writeln!(out, "{line}").map_err(out_err)?;
    }
    Ok(())
}

pub fn attendance(a: Attendance) -> Result<(), String> {
    let idx = reader(&a.store)?;
    let gap = a.gap * 60_000;
    let number = match a.session {
        Some(n) => n,
        None => match idx.sessions(gap).map_err(|e| e.to_string())?.last() {
            Some(s) => s.number,
            None => return Err("There are no sessions yet: no student has joined this class.".into()),
        },
    };
    let Some(rows) = idx.attendance(number, gap).map_err(|e| e.to_string())? else {
        return Err(format!("There is no session {number}; `pracownia sessions` lists them."));
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.csv {
        writeln!(out, "login,student,first,last,minutes_present,joins").map_err(out_err)?;
    }
    for r in rows {
        let line = if a.json {
            json!({"session": number, "student": r.student, "login": r.login, "first": rfc3339(r.first),
                   "last": rfc3339(r.last), "present_ms": r.present_ms, "joins": r.joins})
            .to_string()
        } else if a.csv {
            format!(
                "{},{},{},{},{},{}",
                csv_field(&r.login),
                r.student,
                rfc3339(r.first),
                rfc3339(r.last),
                r.present_ms / 60_000,
                r.joins
            )
        } else {
            format!(
                "{:<24} {}  {}  {:>4} min  {} {}",
                Inert(&r.login).to_string(),
                rfc3339(r.first),
                rfc3339(r.last),
                r.present_ms / 60_000,
                r.joins,
                if r.joins == 1 { "join" } else { "joins" }
            )
        };
        writeln!(out, "{line}").map_err(out_err)?;
    }
    Ok(())
}
