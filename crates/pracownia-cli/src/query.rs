//! `timeline`, `students` and `reindex`: reading a store (while a receiver may be writing it).

use crate::rfc3339;
use pracownia_core::index::IndexReader;
use pracownia_core::model::{EntryBody, TimelineEntry};
use pracownia_core::store::{Store, StoreError};
use pracownia_core::text::{json_inert, Inert};
use serde_json::{json, Value};
use std::path::Path;
use uuid::Uuid;

const PAGE: usize = 1000;

pub(crate) fn reader(store: &Path) -> Result<IndexReader, String> {
    if !store.is_dir() {
        return Err(format!("There is no store folder at {}.", store.display()));
    }
    match IndexReader::open(store) {
        Err(StoreError::NoIndex { .. }) => {
            // A folder copied from elsewhere: build its index once.
            drop(Store::open(store).map_err(|e| e.to_string())?);
            IndexReader::open(store).map_err(|e| e.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    }
}

pub fn timeline(store: &Path, student: Option<&str>, as_json: bool) -> Result<(), String> {
    let idx = reader(store)?;
    let students: Vec<Option<Uuid>> = match student {
        None => vec![None],
        Some(s) => {
            let found = idx.find_student(s).map_err(|e| e.to_string())?;
            if found.is_empty() {
                return Err(format!("No student with the id or login {s:?} in {}.", store.display()));
            }
            found.into_iter().map(Some).collect()
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for who in students {
        let mut after = None;
        loop {
            let page = idx.timeline(who, after, PAGE).map_err(|e| e.to_string())?;
            for e in &page {
                write_line(&mut out, &render(e, as_json))?;
            }
            match page.last() {
                Some(last) if page.len() == PAGE => after = Some(last.id),
                _ => break,
            }
        }
    }
    Ok(())
}

fn write_line(out: &mut impl std::io::Write, line: &str) -> Result<(), String> {
    writeln!(out, "{line}").map_err(|e| format!("cannot write the output: {e}"))
}

fn render(e: &TimelineEntry, as_json: bool) -> String {
    if as_json {
        let mut v = serde_json::to_value(e).expect("entries serialise");
        v["ts"] = json!(rfc3339(e.ts));
        return json_inert(&v.to_string());
    }
    // Always inert, also into a pipe: the text is often piped on to `less -R` or a terminal.
    let what = lecturer_line(&e.body).unwrap_or_else(|| plain_line(e));
    format!("{}  {:<16} {:<10} {}", rfc3339(e.ts), Inert(&e.login).to_string(), e.kind().as_str(), Inert(&what))
}

/// The lecturer's message, then its delivery state and, for a request, the add-on's answer.
fn lecturer_line(body: &EntryBody) -> Option<String> {
    let (what, delivery, answer) = match body {
        EntryBody::Request { file_kind, delivery, answer, detail, .. } => {
            let what = format!("asked for a {}", file_kind.map(|k| k.as_str()).unwrap_or("file"));
            (what, delivery, answer.map(|a| (a, detail)))
        }
        EntryBody::HandAck(m) => ("acknowledged the raised hand".to_string(), &m.delivery, None),
        EntryBody::HandLowered(m) => ("lowered the hand".to_string(), &m.delivery, None),
        EntryBody::Reply(m) | EntryBody::Broadcast(m) => (m.text.clone().unwrap_or_default(), &m.delivery, None),
        _ => return None,
    };
    let mut state = vec![delivery.as_str().to_string()];
    if let Some((a, detail)) = answer {
        state.push(match detail {
            Some(t) => format!("answer: {} ({t})", a.as_str()),
            None => format!("answer: {}", a.as_str()),
        });
    }
    Some(format!("{what}  [{}]", state.join("; ")))
}

fn plain_line(e: &TimelineEntry) -> String {
    let some = |v: &Option<String>| v.clone().into_iter();
    match &e.body {
        EntryBody::LoginChanged { text, detail } => {
            let host = detail.as_deref().unwrap_or("?");
            format!("seat {host}: {} -> {} (kept apart)", text.as_deref().unwrap_or("?"), e.login)
        }
        EntryBody::Chat { text: Some(t), .. } => t.clone(),
        EntryBody::Screenshot(f) | EntryBody::Blend(f) => format!("{} ({} bytes)", f.path, f.size.unwrap_or(0)),
        EntryBody::Leave { reason } => some(reason).collect(),
        EntryBody::Rejected { reason, detail, .. } => some(reason).chain(some(detail)).collect::<Vec<_>>().join(": "),
        EntryBody::Hand { raised: Some(r) } => if *r { "raised" } else { "lowered" }.to_string(),
        _ => String::new(),
    }
}

pub fn students(store: &Path, as_json: bool) -> Result<(), String> {
    let idx = reader(store)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for s in idx.students().map_err(|e| e.to_string())? {
        let line = if as_json {
            let mut v: Value = serde_json::to_value(&s).expect("summaries serialise");
            v["first_seen"] = json!(rfc3339(s.first_seen));
            v["last_seen"] = json!(rfc3339(s.last_seen));
            json_inert(&v.to_string())
        } else {
            format!(
                "{}  {:<16} first {}  last {}  {} chats ({} unread), {} screenshots, {} blends  {}{}{}",
                s.id,
                Inert(&s.login).to_string(),
                rfc3339(s.first_seen),
                rfc3339(s.last_seen),
                s.chats,
                s.unread,
                s.screenshots,
                s.blends,
                Inert(s.latest_screenshot.as_deref().unwrap_or("-")),
                if s.login_shared { "  [login shared with another student]" } else { "" },
                match &s.looks_like {
                    Some(other) => format!("  [looks like {}]", Inert(other)),
                    None => String::new(),
                }
            )
        };
        write_line(&mut out, &line)?;
        if !as_json {
            // The ways in: what `split --seat` takes.
            for seat in &s.seats {
                let line = format!(
                    "    seat {}  {:<16} host {}  last {}",
                    seat.wire,
                    Inert(&seat.login).to_string(),
                    Inert(seat.host.as_deref().unwrap_or("-")),
                    rfc3339(seat.last_seen)
                );
                write_line(&mut out, &line)?;
            }
        }
    }
    Ok(())
}

pub fn reindex(store: &Path) -> Result<(), String> {
    if !store.is_dir() {
        return Err(format!("There is no store folder at {}.", store.display()));
    }
    let mut s = Store::open(store).map_err(|e| e.to_string())?;
    let r = s.reindex().map_err(|e| e.to_string())?;
    println!(
        "reindexed {} students, {} events ({} files found without a journal line, {} damaged lines skipped)",
        r.students, r.events, r.files_found, r.damaged_lines
    );
    for p in r.problems {
        eprintln!("warning: {p}");
    }
    Ok(())
}
