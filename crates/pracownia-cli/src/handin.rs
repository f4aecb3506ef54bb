//! `collect`, `export` and `erase`: the work students hand in, and erasing a student's data.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::{Local, NaiveDateTime, TimeZone};
use pracownia_core::handin::{self, CollectOptions, Progress, RowStatus, Target};
use pracownia_core::store::{ErasePlan, Retention, Store};
use uuid::Uuid;

use crate::query::reader;

#[derive(clap::Args)]
pub struct Collect {
    #[arg(long)]
    store: PathBuf,
    /// A new or empty folder, or with --zip a new .zip file.
    #[arg(long)]
    out: PathBuf,
    /// The moment to collect at: RFC 3339 (2026-12-01T10:30:00+01:00) or local "2026-12-01 10:30".
    /// Default: now.
    #[arg(long)]
    at: Option<String>,
    /// Write one zip file instead of a folder.
    #[arg(long)]
    zip: bool,
}

#[derive(clap::Args)]
pub struct Export {
    #[arg(long)]
    store: PathBuf,
    /// A student id, or a login (case-insensitive) only one student uses.
    #[arg(long)]
    student: String,
    /// A new .zip file.
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
pub struct Erase {
    #[arg(long)]
    store: PathBuf,
    /// A student id, or a login (case-insensitive) only one student uses.
    #[arg(long, conflicts_with = "all", required_unless_present = "all")]
    student: Option<String>,
    /// Every student of the store.
    #[arg(long)]
    all: bool,
    /// Really delete; without it, only say what would be deleted.
    #[arg(long)]
    yes: bool,
}

#[derive(clap::Args)]
pub struct Thin {
    #[arg(long)]
    store: PathBuf,
    /// Screenshots older than this many days are thinned out...
    #[arg(long)]
    screenshots_after_days: Option<u32>,
    /// ...to one per this many minutes.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    one_screenshot_per_min: u32,
    /// .blend versions older than this many days are thinned to the last of each session.
    #[arg(long)]
    blends_after_days: Option<u32>,
    /// Really delete; without it, only say what would be deleted.
    #[arg(long)]
    yes: bool,
}

pub fn thin(a: Thin) -> Result<(), String> {
    if a.screenshots_after_days.is_none() && a.blends_after_days.is_none() {
        return Err("say what to thin: --screenshots-after-days N and/or --blends-after-days N".into());
    }
    let policy = Retention {
        screenshot_days: a.screenshots_after_days,
        screenshot_every_min: a.one_screenshot_per_min,
        blend_days: a.blends_after_days,
    };
    let mut store = Store::open(&a.store).map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().timestamp_millis();
    let r = if a.yes { store.thin(&policy, now) } else { store.thin_plan(&policy, now) }.map_err(|e| e.to_string())?;
    let verb = if a.yes { "deleted" } else { "would delete" };
    println!("{verb} {} screenshots and {} .blend versions ({})", r.screenshots, r.blends, human_bytes(r.bytes));
    if !a.yes && !r.paths.is_empty() {
        return Err("nothing was deleted; run again with --yes to thin the store".into());
    }
    Ok(())
}

pub fn collect(a: Collect) -> Result<(), String> {
    reader(&a.store)?;
    let at = a.at.as_deref().map(parse_moment).transpose()?;
    let target = if a.zip { Target::Zip(a.out) } else { Target::Folder(a.out) };
    let r =
        handin::collect(&a.store, &target, &CollectOptions { at }, &mut show_progress()).map_err(|e| e.to_string())?;
    end_progress();
    let (got, none, damaged) = (r.count(RowStatus::Collected), r.count(RowStatus::NoFile), r.count(RowStatus::Damaged));
    println!(
        "collected the work of {got} of {} students into {} (at {}; manifest.csv and manifest.json list everyone)",
        r.rows.len(),
        r.output.display(),
        crate::rfc3339(r.at)
    );
    for row in r.rows.iter().filter(|r| r.status != RowStatus::Collected) {
        let why = if row.status == RowStatus::NoFile { "no .blend yet" } else { "every version failed its check" };
        println!("  {}  {}: {why}", row.student_id, shown_login(&row.login));
    }
    if damaged > 0 || none > 0 {
        println!("{none} without a file, {damaged} with only damaged files");
    }
    Ok(())
}

pub fn export(a: Export) -> Result<(), String> {
    let id = one_student(&a.store, &a.student)?;
    let r = handin::export(&a.store, id, &Target::Zip(a.out), &mut show_progress()).map_err(|e| e.to_string())?;
    end_progress();
    println!(
        "exported {} .blend versions, {} screenshots and {} chat messages into {}",
        r.blends,
        r.screenshots,
        r.chats,
        r.output.display()
    );
    if r.damaged > 0 {
        println!("{} files failed their digest check and were left out", r.damaged);
    }
    Ok(())
}

pub fn erase(a: Erase) -> Result<(), String> {
    let id = match &a.student {
        Some(s) => Some(one_student(&a.store, s)?),
        None => None,
    };
    // Opening the store takes its lock: a running receiver or app keeps it, and is named.
    let mut store = Store::open(&a.store).map_err(|e| e.to_string())?;
    let plans = match id {
        Some(id) => vec![store.erase_plan(id).map_err(|e| e.to_string())?],
        None => store.erase_plan_all().map_err(|e| e.to_string())?,
    };
    if !a.yes {
        for p in &plans {
            println!("would erase {}", describe(p));
        }
        return Err(format!("nothing was deleted; run again with --yes to erase {}", count_students(plans.len())));
    }
    for p in plans {
        store.erase_student(p.id).map_err(|e| e.to_string())?;
        println!("erased {}", describe(&p));
    }
    Ok(())
}

fn describe(p: &ErasePlan) -> String {
    format!("{} {} ({} files, {})", p.id, shown_login(&p.login), p.files, human_bytes(p.bytes))
}

fn count_students(n: usize) -> String {
    if n == 1 {
        "1 student".to_string()
    } else {
        format!("{n} students")
    }
}

/// A login for a terminal: control and invisible characters escaped (logins are chosen by students).
fn shown_login(login: &str) -> String {
    pracownia_core::text::Inert(login).to_string()
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

pub(crate) fn one_student(store: &Path, query: &str) -> Result<Uuid, String> {
    let ids = reader(store)?.find_student(query).map_err(|e| e.to_string())?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(format!("No student with the id or login {query:?} in {}.", store.display())),
        many => {
            let list: Vec<String> = many.iter().map(Uuid::to_string).collect();
            Err(format!("{} students use the login {query:?}; give one id: {}", many.len(), list.join(", ")))
        }
    }
}

fn parse_moment(s: &str) -> Result<i64, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            if let Some(t) = Local.from_local_datetime(&t).earliest() {
                return Ok(t.timestamp_millis());
            }
        }
    }
    Err(format!("{s:?} is not a moment; write it as 2026-12-01T10:30:00+01:00 or \"2026-12-01 10:30\""))
}

/// Progress on a terminal only (a pipe gets the summary alone).
fn show_progress() -> impl FnMut(&Progress) {
    let tty = std::io::stderr().is_terminal();
    move |p: &Progress| {
        if tty && p.files_total > 0 {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\rcopying {} of {} files ({} of {})   ",
                p.files_done,
                p.files_total,
                human_bytes(p.bytes_done),
                human_bytes(p.bytes_total)
            );
            let _ = err.flush();
        }
    }
}

fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}
