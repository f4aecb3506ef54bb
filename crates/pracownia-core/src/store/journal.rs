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

/// One journal line. Which optional fields are set depends on `kind`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JournalLine {
    pub ts: i64,
    pub kind: TimelineKind,
    #[serde(default)]
    pub login: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_ts: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Relative to the student folder, forward slashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_kind: Option<FileKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<u64>,
    /// An `answer` line: what the add-on did with the request `id` (its text in `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AnswerStatus>,
    /// The wire `student` id the message came by, when it is not the student's own id (an alias
    /// or a derived id; absent in journals written before identity, where it always was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<Uuid>,
}

impl JournalLine {
    /// A line with only the common fields set.
    pub fn new(ts: i64, kind: TimelineKind, login: &str) -> JournalLine {
        JournalLine {
            ts,
            kind,
            login: login.to_string(),
            id: None,
            text: None,
            sent_ts: None,
            raised: None,
            reason: None,
            detail: None,
            file: None,
            thumb: None,
            size: None,
            sha256: None,
            name: None,
            transfer: None,
            file_kind: None,
            received: None,
            answer: None,
            wire: None,
        }
    }

    /// Whether this kind of line is worth an fsync.
    pub fn needs_sync(&self) -> bool {
        !matches!(self.kind, TimelineKind::Join | TimelineKind::Leave | TimelineKind::Hand)
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
        let mut l = JournalLine::new(ts, TimelineKind::Chat, "ala");
        l.id = Some(Uuid::new_v4());
        l.text = Some(text.into());
        l.sent_ts = Some(ts - 5);
        l
    }

    #[test]
    fn append_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(JOURNAL_FILE);
        assert_eq!(read_from(&p, 0).unwrap().lines.len(), 0);
        let a = chat(1, "a");
        let b = JournalLine::new(2, TimelineKind::Join, "ala");
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
}
