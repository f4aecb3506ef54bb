//! Recording events and placing verified files.

use std::fs;

use super::error::{Result, StoreError};
use super::journal::{self, JournalEntry, JournalFile, JournalLine, JOURNAL_FILE};
use super::{collect, fsutil, Entry, FileMeta, Store, StoredFile, StudentRef};
use crate::index::write;
use crate::model::FileKind;

impl Store {
    /// Append an event to the student's journal and index it. Returns
    /// false (and does nothing) for a chat whose id this student already has.
    pub fn record(&mut self, s: &StudentRef, at_ms: i64, entry: Entry) -> Result<bool> {
        let s = self.ensure(s)?;
        let entry = match entry {
            Entry::Join => JournalEntry::Join,
            Entry::Leave { reason } => JournalEntry::Leave { reason: Some(reason.as_str().to_string()) },
            Entry::Chat { id, text, sent_ts } => {
                if write::has_chat(&self.db, s.id, id)? {
                    return Ok(false);
                }
                JournalEntry::Chat { id: Some(id), text: Some(text), sent_ts: Some(sent_ts) }
            }
            Entry::Hand { raised } => JournalEntry::Hand { raised: Some(raised) },
            Entry::Incomplete { transfer, kind, name, received, size } => JournalEntry::Incomplete {
                transfer: Some(transfer),
                file_kind: Some(kind),
                name: Some(name),
                received: Some(received),
                size: Some(size),
            },
            Entry::LoginChanged { from, host } => JournalEntry::LoginChanged { text: Some(from), detail: host },
            Entry::Rejected { reason, detail, transfer } => {
                JournalEntry::Rejected { reason: Some(reason), detail: Some(detail), transfer }
            }
        };
        let line = JournalLine::new(at_ms, &s.login, entry);
        let mut line = line;
        line.wire = s.came_by();
        journal::append(&s.dir.join(JOURNAL_FILE), &line)?;
        self.index_new_lines(&s)?;
        Ok(true)
    }

    /// Move a verified, staged file (and its thumbnail, first) into the
    /// student folder under a name made from the receive time, then journal
    /// and index it. `ext` is "png", "jpg"/"jpeg" or "blend".
    #[allow(clippy::too_many_arguments)]
    pub fn place_file(
        &mut self,
        s: &StudentRef,
        at_ms: i64,
        kind: FileKind,
        staged: &std::path::Path,
        ext: &str,
        staged_thumb: Option<&std::path::Path>,
        meta: FileMeta,
    ) -> Result<StoredFile> {
        let ext = ext.trim_start_matches('.').to_ascii_lowercase();
        if !kind.extensions().contains(&ext.as_str()) {
            return Err(StoreError::BadExtension { ext, kind: kind.as_str() });
        }
        let s = self.ensure(s)?;
        let sub = s.dir.join(kind.dir_name());
        let thumbs = sub.join("thumbs");
        fs::create_dir_all(&sub).map_err(StoreError::io("create", &sub))?;
        if staged_thumb.is_some() {
            fs::create_dir_all(&thumbs).map_err(StoreError::io("create", &thumbs))?;
        }
        let base = fsutil::stamp(at_ms);
        let taken = |p: &std::path::Path| p.symlink_metadata().is_ok();
        let mut n = 0u32;
        let stem = loop {
            let stem = if n == 0 { base.clone() } else { format!("{base}-{n}") };
            if !taken(&sub.join(format!("{stem}.{ext}"))) && !taken(&thumbs.join(format!("{stem}.jpg"))) {
                break stem;
            }
            n += 1;
        };
        let file_name = format!("{stem}.{ext}");
        let abs_path = sub.join(&file_name);
        let rel_file = format!("{}/{file_name}", kind.dir_name());
        let mut rel_thumb = None;
        if let Some(t) = staged_thumb {
            let dest = thumbs.join(format!("{stem}.jpg"));
            fsutil::move_into_place(t, &dest)?;
            fsutil::sync_dir(&thumbs);
            rel_thumb = Some(format!("{}/thumbs/{stem}.jpg", kind.dir_name()));
        }
        if let Err(e) = fsutil::move_into_place(staged, &abs_path) {
            if rel_thumb.is_some() {
                let _ = fs::remove_file(thumbs.join(format!("{stem}.jpg")));
            }
            return Err(e);
        }
        fsutil::sync_dir(&sub);

        let file = JournalFile {
            file: rel_file.clone(),
            thumb: rel_thumb.clone(),
            size: Some(meta.size),
            sha256: Some(meta.sha256),
            name: Some(meta.name),
            transfer: Some(meta.transfer),
        };
        let entry = match kind {
            FileKind::Screenshot => JournalEntry::Screenshot(file),
            FileKind::Blend => JournalEntry::Blend(file),
        };
        let mut line = JournalLine::new(at_ms, &s.login, entry);
        line.wire = s.came_by();
        journal::append(&s.dir.join(JOURNAL_FILE), &line)?;
        self.index_new_lines(&s)?;
        Ok(StoredFile {
            path: format!("{}/{rel_file}", s.folder),
            thumb: rel_thumb.map(|t| format!("{}/{t}", s.folder)),
            abs_path,
        })
    }

    /// The current ref of a student, re-creating its folder when it was
    /// removed by hand since the caller got `s`.
    pub(crate) fn ensure(&mut self, s: &StudentRef) -> Result<StudentRef> {
        match self.cache.get(&s.id) {
            Some(r) if r.dir.is_dir() => Ok(StudentRef { wire: s.wire, ..r.clone() }),
            _ => {
                self.cache.remove(&s.id);
                let r = self.student(s.id, &s.login)?;
                Ok(StudentRef { wire: s.wire, ..r })
            }
        }
    }

    /// Index journal lines appended since the last time.
    pub(crate) fn index_new_lines(&mut self, s: &StudentRef) -> Result<()> {
        let tx = self.db.transaction()?;
        let row = write::student(&tx, s.id)?.ok_or(StoreError::UnknownStudent(s.id))?;
        collect::index_journal(&tx, &row, &s.dir)?;
        tx.commit()?;
        Ok(())
    }
}
