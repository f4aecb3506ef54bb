//! The per-student append-only event log, `journal.jsonl`.
//!
//! One JSON object per line, appended with a single `write_all`. Readers
//! ignore a torn last line (no trailing newline); the next append first adds
//! the missing `\n` so new lines are never glued to the garbage, which then
//! reads as one bad line and is skipped.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{Result, StoreError};
use crate::model::{AnswerStatus, FileKind, TimelineKind};

/// File name of the journal inside a student folder.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// One journal line: the fields every line has, and by `kind` the rest.
///
/// The format is older than this type: every line written so far reads as it did (a missing
/// `login` or `wire`, a field left out of its kind, extra fields are all accepted; see the
/// `old_lines_of_every_kind` test). Only `ts`, `kind` and what a kind cannot be indexed without (a
/// file's `file`, a lecturer message's `id`, an answer's `answer`) are required.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalLine {
    pub ts: i64,
    #[serde(flatten)]
    pub entry: JournalEntry,
    /// Empty in lines that did not say it (the student's login then stands).
    #[serde(default)]
    pub login: String,
    /// The wire `student` id the message came by, when it is not the student's own id (an alias
    /// or a derived id; absent in journals written before identity, where it always was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<Uuid>,
}

/// What a journal line says, by `kind` (the same names as `model::TimelineKind`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JournalEntry {
    Join,
    Leave {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Chat {
        /// The sender's id for the chat (one chat per id is kept).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<Uuid>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// The sender's clock when it was sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sent_ts: Option<i64>,
    },
    Hand {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        raised: Option<bool>,
    },
    Screenshot(JournalFile),
    Blend(JournalFile),
    Incomplete {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transfer: Option<Uuid>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_kind: Option<FileKind>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<u64>,
    },
    Rejected {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transfer: Option<Uuid>,
    },
    Reply(JournalMessage),
    Broadcast(JournalMessage),
    Request(JournalMessage),
    HandAck(JournalMessage),
    HandLowered(JournalMessage),
    /// The student's add-on stored lecturer message `id`.
    Delivered {
        id: Uuid,
    },
    /// The student has seen lecturer message `id`.
    Read {
        id: Uuid,
    },
    /// What the add-on did with request `id` (its text, if any, in `text`).
    Answer {
        id: Uuid,
        answer: AnswerStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// `text`: the login the wire id was known under before; `detail`: the host.
    LoginChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

/// A stored file's line.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalFile {
    /// Relative to the student folder, forward slashes.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Uuid>,
}

/// A lecturer message's line, journaled before it is sent.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalMessage {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What a request asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_kind: Option<FileKind>,
}

impl JournalEntry {
    pub fn kind(&self) -> TimelineKind {
        match self {
            JournalEntry::Join => TimelineKind::Join,
            JournalEntry::Leave { .. } => TimelineKind::Leave,
            JournalEntry::Chat { .. } => TimelineKind::Chat,
            JournalEntry::Hand { .. } => TimelineKind::Hand,
            JournalEntry::Screenshot(_) => TimelineKind::Screenshot,
            JournalEntry::Blend(_) => TimelineKind::Blend,
            JournalEntry::Incomplete { .. } => TimelineKind::Incomplete,
            JournalEntry::Rejected { .. } => TimelineKind::Rejected,
            JournalEntry::Reply(_) => TimelineKind::Reply,
            JournalEntry::Broadcast(_) => TimelineKind::Broadcast,
            JournalEntry::Request(_) => TimelineKind::Request,
            JournalEntry::HandAck(_) => TimelineKind::HandAck,
            JournalEntry::HandLowered(_) => TimelineKind::HandLowered,
            JournalEntry::Delivered { .. } => TimelineKind::Delivered,
            JournalEntry::Read { .. } => TimelineKind::Read,
            JournalEntry::Answer { .. } => TimelineKind::Answer,
            JournalEntry::LoginChanged { .. } => TimelineKind::LoginChanged,
        }
    }

    /// A lecturer message's line of `kind` (`Reply`, `Broadcast`, `Request`, `HandAck` or
    /// `HandLowered`); None for any other kind.
    pub fn message(kind: TimelineKind, m: JournalMessage) -> Option<JournalEntry> {
        Some(match kind {
            TimelineKind::Reply => JournalEntry::Reply(m),
            TimelineKind::Broadcast => JournalEntry::Broadcast(m),
            TimelineKind::Request => JournalEntry::Request(m),
            TimelineKind::HandAck => JournalEntry::HandAck(m),
            TimelineKind::HandLowered => JournalEntry::HandLowered(m),
            _ => return None,
        })
    }
}

impl JournalLine {
    /// A line by `login` with no `wire`.
    pub fn new(ts: i64, login: &str, entry: JournalEntry) -> JournalLine {
        JournalLine { ts, entry, login: login.to_string(), wire: None }
    }

    pub fn kind(&self) -> TimelineKind {
        self.entry.kind()
    }

    /// Whether this kind of line is worth an fsync.
    pub fn needs_sync(&self) -> bool {
        !matches!(self.entry, JournalEntry::Join | JournalEntry::Leave { .. } | JournalEntry::Hand { .. })
    }
}

/// Append one line (serialised here) to the journal at `path`, creating it.
/// Returns the byte offset where the line starts.
pub fn append(path: &Path, line: &JournalLine) -> Result<u64> {
    let mut buf = serde_json::to_vec(line).expect("journal lines always serialise");
    buf.push(b'\n');
    let mut f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(StoreError::io("open the journal", path))?;
    let len = f.metadata().map_err(StoreError::io("read the journal", path))?.len();
    let mut start = len;
    if len > 0 {
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1))
            .and_then(|_| f.read_exact(&mut last))
            .map_err(StoreError::io("read the journal", path))?;
        if last[0] != b'\n' {
            buf.insert(0, b'\n');
            start += 1;
        }
    }
    f.write_all(&buf).map_err(StoreError::io("append to the journal", path))?;
    if line.needs_sync() {
        f.sync_data().map_err(StoreError::io("flush the journal", path))?;
    }
    Ok(start)
}

/// Lines read from a journal.
#[derive(Debug, Default)]
pub struct ReadResult {
    /// (start offset, line) of every complete, well-formed line.
    pub lines: Vec<(u64, JournalLine)>,
    /// Offset just past the last complete line: where the next read starts.
    pub end: u64,
    /// Complete lines that were not valid JSON and were skipped.
    pub bad_lines: usize,
}

/// Read every complete line from byte `from` on. A missing journal reads as
/// empty. A torn last line is not consumed (`end` stops before it).
pub fn read_from(path: &Path, from: u64) -> Result<ReadResult> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ReadResult { end: 0, ..Default::default() }),
        Err(e) => return Err(StoreError::io("open the journal", path)(e)),
    };
    let mut data = Vec::new();
    f.seek(SeekFrom::Start(from))
        .and_then(|_| f.read_to_end(&mut data))
        .map_err(StoreError::io("read the journal", path))?;
    let mut out = ReadResult { end: from, ..Default::default() };
    let mut pos = 0usize;
    while let Some(nl) = data[pos..].iter().position(|&b| b == b'\n') {
        let raw = &data[pos..pos + nl];
        let start = from + pos as u64;
        if !raw.iter().all(u8::is_ascii_whitespace) {
            match serde_json::from_slice::<JournalLine>(raw) {
                Ok(line) => out.lines.push((start, line)),
                Err(e) => {
                    log::warn!("{}: skipping damaged journal line at byte {start}: {e}", path.display());
                    out.bad_lines += 1;
                }
            }
        }
        pos += nl + 1;
        out.end = from + pos as u64;
    }
    Ok(out)
}

/// Current length of the journal (0 when missing).
pub fn len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(ts: i64, text: &str) -> JournalLine {
        let entry = JournalEntry::Chat { id: Some(Uuid::new_v4()), text: Some(text.into()), sent_ts: Some(ts - 5) };
        JournalLine::new(ts, "ala", entry)
    }

    #[test]
    fn append_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(JOURNAL_FILE);
        assert_eq!(read_from(&p, 0).unwrap().lines.len(), 0);
        let a = chat(1, "a");
        let b = JournalLine::new(2, "ala", JournalEntry::Join);
        assert_eq!(append(&p, &a).unwrap(), 0);
        let off_b = append(&p, &b).unwrap();
        let r = read_from(&p, 0).unwrap();
        assert_eq!(r.lines, vec![(0, a), (off_b, b.clone())]);
        assert_eq!(r.end, len(&p));
        let r2 = read_from(&p, off_b).unwrap();
        assert_eq!(r2.lines, vec![(off_b, b)]);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains("\"raised\""), "absent fields are omitted: {text}");
    }

    #[test]
    fn torn_last_line_is_ignored_then_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(JOURNAL_FILE);
        append(&p, &chat(1, "first")).unwrap();
        let good_end = len(&p);
        // Simulate a crash in the middle of a write.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"ts\":2,\"kind\":\"ch").unwrap();
        drop(f);
        let r = read_from(&p, 0).unwrap();
        assert_eq!(r.lines.len(), 1);
        assert_eq!(r.end, good_end, "the torn line is not consumed");
        assert_eq!(r.bad_lines, 0);

        let c = chat(3, "after crash");
        let start = append(&p, &c).unwrap();
        let r = read_from(&p, 0).unwrap();
        assert_eq!(r.lines.len(), 2);
        assert_eq!(r.lines[1], (start, c));
        assert_eq!(r.bad_lines, 1, "the torn line now reads as one bad line");
        assert_eq!(r.end, len(&p));
        // Reading from where we stopped before the repair sees the garbage + the new line.
        let r = read_from(&p, good_end).unwrap();
        assert_eq!(r.lines.len(), 1);
    }

    /// Lines as earlier versions wrote them (`pracownia-cli/tests/old_journal.rs` checks what they
    /// index to): each well-formed one reads, and writes back the same JSON object (field names
    /// and values), less the fields no kind has.
    #[test]
    fn old_lines_of_every_kind_write_back_the_same() {
        let old = include_str!("../../../pracownia-cli/tests/fixtures/old-journal/journal.jsonl");
        let mut kinds = std::collections::HashSet::new();
        for raw in old.lines().filter(|l| l.ends_with('}')) {
            let Ok(line) = serde_json::from_str::<JournalLine>(raw) else { continue };
            kinds.insert(line.kind());
            let mut want: serde_json::Value = serde_json::from_str(raw).unwrap();
            let want = want.as_object_mut().unwrap();
            want.remove("from_a_newer_version");
            want.entry("login").or_insert("".into());
            assert_eq!(&serde_json::to_value(&line).unwrap(), &serde_json::Value::Object(want.clone()), "{raw}");
        }
        assert_eq!(kinds.len(), TimelineKind::ALL.len(), "a line of every kind");
        let damaged = ["this line was damaged", r#"{"ts":1,"kind":"not_a_kind"}"#, r#"{"ts":1,"kind":"reply"}"#];
        for raw in damaged {
            assert!(serde_json::from_str::<JournalLine>(raw).is_err(), "{raw}");
        }
    }
}
