//! Turning a student folder (journal lines, files on disk) into index rows.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use rusqlite::Connection;

use super::error::Result;
use super::fsutil;
use super::journal::{self, JournalLine, JOURNAL_FILE};
use crate::index::write::{self, NewEvent, StudentRow};
use crate::model::{AnswerStatus, Delivery, FileKind, TimelineKind};
use uuid::Uuid;

/// Index the journal lines of a student past its stored offset.
pub(crate) fn index_journal(conn: &Connection, row: &StudentRow, dir: &Path) -> Result<usize> {
    let mut from = row.journal_offset;
    if journal::len(&dir.join(JOURNAL_FILE)) < from {
        // The journal shrank (replaced by hand): index it from the start.
        write::delete_journal_events(conn, row.id)?;
        from = 0;
    }
    let (events, changes, end, _) = collect_journal(row, dir, from)?;
    let mut n = 0;
    for e in &events {
        n += write::insert_event(conn, e)? as usize;
    }
    // State lines about messages indexed earlier (an ack arriving after the message was indexed).
    for c in changes {
        match c.change {
            Change::Advance(to) => write::advance_message(conn, row.id, c.id, to)?,
            Change::Answer(a, text) => write::set_answer(conn, row.id, c.id, a, text.as_deref())?,
        };
    }
    if end != row.journal_offset {
        write::set_journal_offset(conn, row.id, end)?;
    }
    Ok(n)
}

/// A journal line that changes a lecturer message (`delivered`, `read`, `answer`).
pub(crate) struct StateChange {
    id: Uuid,
    change: Change,
}

enum Change {
    Advance(Delivery),
    Answer(AnswerStatus, Option<String>),
}

fn state_change(l: &JournalLine) -> Option<StateChange> {
    let change = match l.kind {
        TimelineKind::Delivered => Change::Advance(Delivery::Delivered),
        TimelineKind::Read => Change::Advance(Delivery::Read),
        TimelineKind::Answer => Change::Answer(l.answer?, l.text.clone()),
        _ => return None,
    };
    Some(StateChange { id: l.id?, change })
}

/// Events of the journal from `from` on, and the state lines that refer to messages from before
/// `from` (those in the same stretch are applied to their event here, so a reindex needs no
/// updates).
pub(crate) fn collect_journal(
    row: &StudentRow,
    dir: &Path,
    from: u64,
) -> Result<(Vec<NewEvent>, Vec<StateChange>, u64, usize)> {
    let r = journal::read_from(&dir.join(JOURNAL_FILE), from)?;
    let mut events: Vec<NewEvent> = Vec::new();
    let mut changes = Vec::new();
    let mut messages: HashMap<Uuid, usize> = HashMap::new();
    for (off, l) in &r.lines {
        if l.kind.is_state_line() {
            let Some(c) = state_change(l) else { continue };
            match messages.get(&c.id).map(|&i| &mut events[i]) {
                Some(e) => match c.change {
                    Change::Advance(to) => e.msg_state = e.msg_state.max(Some(to)),
                    Change::Answer(a, text) if e.kind == TimelineKind::Request => {
                        e.answer = Some(a);
                        e.detail = text;
                    }
                    Change::Answer(..) => {}
                },
                None => changes.push(c),
            }
            continue;
        }
        if let Some(e) = line_to_event(row, dir, l, *off) {
            if l.kind.is_lecturer_message() {
                if let Some(id) = l.id {
                    messages.insert(id, events.len());
                }
            }
            events.push(e);
        }
    }
    Ok((events, changes, r.end, r.bad_lines))
}

fn file_kind_of(kind: TimelineKind) -> Option<FileKind> {
    match kind {
        TimelineKind::Screenshot => Some(FileKind::Screenshot),
        TimelineKind::Blend => Some(FileKind::Blend),
        _ => None,
    }
}

/// Is `rel` (relative to a student folder) a well-formed file or thumb path?
fn valid_rel(kind: FileKind, rel: &str, thumb: bool) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    let name = match (thumb, parts.as_slice()) {
        (false, [d, n]) if *d == kind.dir_name() => n,
        (true, [d, "thumbs", n]) if *d == kind.dir_name() => n,
        _ => return false,
    };
    !name.is_empty() && !name.starts_with('.') && !name.contains(['\\', '\0', ':'])
}

fn line_to_event(row: &StudentRow, dir: &Path, l: &JournalLine, off: u64) -> Option<NewEvent> {
    let login = if l.login.is_empty() { &row.login } else { &l.login };
    let mut e = NewEvent::new(row.id, l.ts, l.kind, login);
    e.journal_offset = Some(off);
    if l.kind == TimelineKind::Chat {
        e.chat_id = l.id;
    }
    if l.kind.is_lecturer_message() {
        e.chat_id = Some(l.id?);
        e.msg_state = Some(Delivery::Queued);
    }
    e.text = l.text.clone();
    e.sent_ts = l.sent_ts;
    e.raised = l.raised;
    e.reason = l.reason.clone();
    e.detail = l.detail.clone();
    e.size = l.size;
    e.sha256 = l.sha256.clone();
    e.name = l.name.clone();
    e.transfer = l.transfer;
    e.file_kind = l.file_kind;
    e.received = l.received;
    if let Some(fk) = file_kind_of(l.kind) {
        let file = l.file.as_deref()?;
        if !valid_rel(fk, file, false) || !dir.join(file).is_file() {
            return None; // gone from disk (or never a proper path): not indexed
        }
        e.path = Some(format!("{}/{file}", row.folder));
        e.thumb = l
            .thumb
            .as_deref()
            .filter(|t| valid_rel(fk, t, true) && dir.join(t).is_file())
            .map(|t| format!("{}/{t}", row.folder));
    }
    Some(e)
}

/// Files of both kinds in a student folder: (kind, path relative to it).
pub(crate) fn list_files(dir: &Path) -> Vec<(FileKind, String)> {
    let mut out = Vec::new();
    for kind in [FileKind::Screenshot, FileKind::Blend] {
        let Ok(rd) = fs::read_dir(dir.join(kind.dir_name())) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            if !e.file_type().map(|t| t.is_file()).unwrap_or(false) {
                continue; // thumbs/ and other folders are never indexed
            }
            let Ok(name) = e.file_name().into_string() else {
                continue;
            };
            let ext = Path::new(&name).extension().and_then(|x| x.to_str()).unwrap_or("").to_ascii_lowercase();
            if !name.starts_with('.') && kind.extensions().contains(&ext.as_str()) {
                out.push((kind, format!("{}/{name}", kind.dir_name())));
            }
        }
    }
    out
}

/// Index events for files on disk that are not in `known` (store-relative paths).
pub(crate) fn collect_new_files(
    row: &StudentRow,
    dir: &Path,
    files: &[(FileKind, String)],
    known: &HashSet<String>,
) -> Vec<NewEvent> {
    let mut out = Vec::new();
    for (kind, rel) in files {
        let path = format!("{}/{rel}", row.folder);
        if known.contains(&path) {
            continue;
        }
        let abs = dir.join(rel);
        let (sha, size) = match fsutil::sha256_file(&abs) {
            Ok(v) => v,
            Err(e) => {
                log::warn!("{e}");
                continue;
            }
        };
        let stem = Path::new(rel).file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let name = Path::new(rel).file_name().and_then(|s| s.to_str()).unwrap_or("");
        let ts = fsutil::parse_stamp(stem).unwrap_or_else(|| {
            let mtime = fs::metadata(&abs).and_then(|m| m.modified()).ok();
            mtime
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64)
                .unwrap_or_else(fsutil::now_ms)
        });
        let thumb_rel = format!("{}/thumbs/{stem}.jpg", kind.dir_name());
        let mut e = NewEvent::new(row.id, ts, (*kind).into(), &row.login);
        e.thumb = dir.join(&thumb_rel).is_file().then(|| format!("{}/{thumb_rel}", row.folder));
        e.path = Some(path);
        e.size = Some(size);
        e.sha256 = Some(sha);
        e.name = Some(name.to_string());
        out.push(e);
    }
    out.sort_by(|a, b| (a.ts, &a.path).cmp(&(b.ts, &b.path)));
    out
}

/// Drop index rows of files gone from disk; index files new on disk.
pub(crate) fn prune_and_scan(conn: &Connection, row: &StudentRow, dir: &Path) -> Result<usize> {
    let files = list_files(dir);
    let on_disk: HashSet<String> = files.iter().map(|(_, r)| format!("{}/{r}", row.folder)).collect();
    let prefix_len = row.folder.len() + 1;
    let mut known = HashSet::new();
    for (id, path, thumb) in write::file_events(conn, row.id)? {
        if !on_disk.contains(&path) {
            write::delete_event(conn, id)?;
            continue;
        }
        if let Some(t) = thumb {
            if !t.get(prefix_len..).is_some_and(|t| dir.join(t).is_file()) {
                write::clear_thumb(conn, id)?;
            }
        }
        known.insert(path);
    }
    let mut n = 0;
    for e in collect_new_files(row, dir, &files, &known) {
        n += write::insert_event(conn, &e)? as usize;
    }
    Ok(n)
}
