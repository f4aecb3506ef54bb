//! Turning a student folder (journal lines, files on disk) into index rows.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use rusqlite::Connection;

use super::error::Result;
use super::fsutil;
use super::journal::{self, JournalEntry, JournalFile, JournalLine, JournalMessage, JOURNAL_FILE};
use crate::index::write::{self, NewEvent, StudentRow};
use crate::model::{AnswerStatus, Delivery, EntryBody, FileEntry, FileKind, LecturerMessage};
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
    let (id, change) = match &l.entry {
        JournalEntry::Delivered { id } => (*id, Change::Advance(Delivery::Delivered)),
        JournalEntry::Read { id } => (*id, Change::Advance(Delivery::Read)),
        JournalEntry::Answer { id, answer, text } => (*id, Change::Answer(*answer, text.clone())),
        _ => return None,
    };
    Some(StateChange { id, change })
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
        if let Some(c) = state_change(l) {
            match messages.get(&c.id).map(|&i| &mut events[i].body) {
                Some(body) => match (c.change, body) {
                    (Change::Advance(to), body) => {
                        if let Some((_, d)) = body.delivery_mut() {
                            *d = (*d).max(to);
                        }
                    }
                    (Change::Answer(a, text), EntryBody::Request { answer, detail, .. }) => {
                        *answer = Some(a);
                        *detail = text;
                    }
                    (Change::Answer(..), _) => {}
                },
                None => changes.push(c),
            }
            continue;
        }
        if let Some(e) = line_to_event(row, dir, l, *off) {
            if let Some(id) = e.body.lecturer_message_id() {
                messages.insert(id, events.len());
            }
            events.push(e);
        }
    }
    Ok((events, changes, r.end, r.bad_lines))
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

/// A file line's entry, when its file is (still) where it says.
fn file_entry(row: &StudentRow, dir: &Path, kind: FileKind, f: &JournalFile) -> Option<FileEntry> {
    if !valid_rel(kind, &f.file, false) || !dir.join(&f.file).is_file() {
        return None; // gone from disk (or never a proper path): not indexed
    }
    Some(FileEntry {
        path: format!("{}/{}", row.folder, f.file),
        thumb: f
            .thumb
            .as_deref()
            .filter(|t| valid_rel(kind, t, true) && dir.join(t).is_file())
            .map(|t| format!("{}/{t}", row.folder)),
        size: f.size,
        sha256: f.sha256.clone(),
        name: f.name.clone(),
        transfer: f.transfer,
    })
}

fn line_to_event(row: &StudentRow, dir: &Path, l: &JournalLine, off: u64) -> Option<NewEvent> {
    let login = if l.login.is_empty() { &row.login } else { &l.login };
    let message =
        |m: &JournalMessage| LecturerMessage { message: m.id, delivery: Delivery::Queued, text: m.text.clone() };
    let mut sent_ts = None;
    let body = match l.entry.clone() {
        JournalEntry::Join => EntryBody::Join,
        JournalEntry::Leave { reason } => EntryBody::Leave { reason },
        JournalEntry::Chat { id, text, sent_ts: sent } => {
            sent_ts = sent;
            EntryBody::Chat { text, message: id }
        }
        JournalEntry::Hand { raised } => EntryBody::Hand { raised },
        JournalEntry::Screenshot(f) => EntryBody::Screenshot(file_entry(row, dir, FileKind::Screenshot, &f)?),
        JournalEntry::Blend(f) => EntryBody::Blend(file_entry(row, dir, FileKind::Blend, &f)?),
        JournalEntry::Incomplete { transfer, file_kind, name, received, size } => {
            EntryBody::Incomplete { transfer, file_kind, name, received, size }
        }
        JournalEntry::Rejected { reason, detail, transfer } => EntryBody::Rejected { reason, detail, transfer },
        JournalEntry::Reply(m) => EntryBody::Reply(message(&m)),
        JournalEntry::Broadcast(m) => EntryBody::Broadcast(message(&m)),
        JournalEntry::HandAck(m) => EntryBody::HandAck(message(&m)),
        JournalEntry::HandLowered(m) => EntryBody::HandLowered(message(&m)),
        JournalEntry::Request(m) => EntryBody::Request {
            message: m.id,
            delivery: Delivery::Queued,
            text: m.text,
            file_kind: m.file_kind,
            answer: None,
            detail: None,
        },
        JournalEntry::LoginChanged { text, detail } => EntryBody::LoginChanged { text, detail },
        JournalEntry::Delivered { .. } | JournalEntry::Read { .. } | JournalEntry::Answer { .. } => return None,
    };
    let mut e = NewEvent::new(row.id, l.ts, login, body);
    e.sent_ts = sent_ts;
    e.journal_offset = Some(off);
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
        let file = FileEntry {
            thumb: dir.join(&thumb_rel).is_file().then(|| format!("{}/{thumb_rel}", row.folder)),
            path,
            size: Some(size),
            sha256: Some(sha),
            name: Some(name.to_string()),
            transfer: None,
        };
        let body = match kind {
            FileKind::Screenshot => EntryBody::Screenshot(file),
            FileKind::Blend => EntryBody::Blend(file),
        };
        out.push(NewEvent::new(row.id, ts, &row.login, body));
    }
    // Oldest first, and by path within one time (each is a file, so each has one).
    out.sort_by(|a, b| (a.ts, file_path(a)).cmp(&(b.ts, file_path(b))));
    out
}

fn file_path(e: &NewEvent) -> &str {
    e.body.file().map_or("", |f| f.path.as_str())
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
