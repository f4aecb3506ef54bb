//! Reconciling the index with the folder: incremental sync (on open and per
//! student folder) and the full reindex.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path};

use super::collect::{collect_journal, collect_new_files, index_journal, list_files, prune_and_scan};
use super::error::Result;
use super::meta::{read_json, read_student_json};
use super::{fsutil, Store};
use crate::index::seats;
use crate::index::write::{self, StudentRow};

/// What a reindex found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReindexReport {
    pub students: usize,
    pub events: usize,
    /// Files on disk that no journal line mentions (indexed by scanning).
    pub files_found: usize,
    /// Damaged journal lines that were skipped.
    pub damaged_lines: usize,
    /// Folders left out, as sentences.
    pub problems: Vec<String>,
}

impl Store {
    /// Bring the whole index in step with the folder.
    pub(crate) fn sync(&mut self) -> Result<()> {
        let folders = self.list_folders()?;
        for f in &folders {
            if let Err(e) = self.sync_folder(f) {
                log::warn!("{e}");
            }
        }
        let present: HashSet<&String> = folders.iter().collect();
        for row in write::all_students(&self.db)? {
            if !present.contains(&row.folder) {
                write::delete_student(&self.db, row.id)?;
                self.cache.remove(&row.id);
            }
        }
        Ok(())
    }

    /// Bring the index in step with one student folder (files added or
    /// removed by hand, journal lines not yet indexed, folder removed).
    pub fn resync_student_dir(&mut self, dir: &Path) -> Result<()> {
        let single = |p: &Path| {
            let mut c = p.components();
            match (c.next(), c.next()) {
                (Some(Component::Normal(n)), None) => n.to_str().map(str::to_string),
                _ => None,
            }
        };
        let folder = if let Ok(rel) = dir.strip_prefix(&self.root) {
            single(rel)
        } else if dir.is_relative() {
            single(dir)
        } else {
            // The same folder spelled through a symlink or `..`.
            let parent = dir.parent().and_then(|p| p.canonicalize().ok());
            if parent.as_deref() == Some(&*self.root) {
                dir.file_name().and_then(|n| n.to_str()).map(str::to_string)
            } else {
                None
            }
        };
        match folder {
            Some(f) if !f.starts_with('.') => self.sync_folder(&f),
            _ => {
                log::debug!("{} is not a student folder of this store", dir.display());
                Ok(())
            }
        }
    }

    fn list_folders(&self) -> Result<Vec<String>> {
        let rd = fs::read_dir(&self.root).map_err(super::StoreError::io("list", &self.root))?;
        let mut out: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.'))
            .collect();
        out.sort();
        Ok(out)
    }

    fn sync_folder(&mut self, folder: &str) -> Result<()> {
        let dir = self.root.join(folder);
        let json = match read_student_json(&dir) {
            Ok(Some(j)) => j,
            Ok(None) => {
                if let Some(row) = write::student_by_folder(&self.db, folder)? {
                    write::delete_student(&self.db, row.id)?;
                    self.cache.remove(&row.id);
                }
                return Ok(());
            }
            Err(e) => {
                log::warn!("{e}; the folder {folder} is left as it was in the index");
                return Ok(());
            }
        };
        let existing = write::student(&self.db, json.id)?;
        let tx = self.db.transaction()?;
        if let Some(other) = write::student_by_folder(&tx, folder)? {
            if other.id != json.id {
                write::delete_student(&tx, other.id)?;
                self.cache.remove(&other.id);
            }
        }
        let mut row = match existing {
            Some(row) if row.folder == folder => row,
            Some(row) => {
                let old = read_student_json(&self.root.join(&row.folder)).ok().flatten();
                if old.is_some_and(|o| o.id == json.id) {
                    log::warn!(
                        "the folder {folder} belongs to student {}, who already has the folder {}; it is left out of the index",
                        json.id, row.folder
                    );
                    return Ok(());
                }
                // The folder was renamed by hand: index it afresh.
                write::delete_student(&tx, row.id)?;
                StudentRow { folder: folder.to_string(), journal_offset: 0, ..row }
            }
            None => StudentRow {
                id: json.id,
                login: json.login.clone(),
                folder: folder.to_string(),
                first_seen: fsutil::rfc3339_to_ms(&json.first_seen).unwrap_or_else(fsutil::now_ms),
                journal_offset: 0,
                chat_read_until: 0,
            },
        };
        row.login = json.login;
        row.chat_read_until = read_json(&dir).unwrap_or(0);
        write::upsert_student(&tx, &row)?;
        seats::replace(&tx, row.id, &json.seats)?;
        index_journal(&tx, &row, &dir)?;
        prune_and_scan(&tx, &row, &dir)?;
        tx.commit()?;
        self.cache.remove(&row.id);
        Ok(())
    }

    /// Drop the index content and rebuild it from the folder. Events are
    /// inserted in receive-time order, so ids follow time as they did live.
    pub fn reindex(&mut self) -> Result<ReindexReport> {
        let folders = self.list_folders()?;
        let mut report = ReindexReport::default();
        let mut rows = Vec::new();
        let mut all_seats = Vec::new();
        let mut events = Vec::new();
        let mut seen = HashSet::new();
        for folder in folders {
            let dir = self.root.join(&folder);
            let json = match read_student_json(&dir) {
                Ok(Some(j)) => j,
                Ok(None) => continue,
                Err(e) => {
                    report.problems.push(format!("{e}; the folder {folder} was left out."));
                    continue;
                }
            };
            if !seen.insert(json.id) {
                report.problems.push(format!(
                    "The folder {folder} belongs to student {}, who already has a folder; it was left out.",
                    json.id
                ));
                continue;
            }
            all_seats.push((json.id, json.seats));
            let mut row = StudentRow {
                id: json.id,
                login: json.login,
                folder: folder.clone(),
                first_seen: fsutil::rfc3339_to_ms(&json.first_seen).unwrap_or_else(fsutil::now_ms),
                journal_offset: 0,
                chat_read_until: read_json(&dir).unwrap_or(0),
            };
            let (evs, _, end, bad) = collect_journal(&row, &dir, 0)?;
            row.journal_offset = end;
            report.damaged_lines += bad;
            let known: HashSet<String> = evs.iter().filter_map(|e| Some(e.body.file()?.path.clone())).collect();
            let found = collect_new_files(&row, &dir, &list_files(&dir), &known);
            report.files_found += found.len();
            events.extend(evs);
            events.extend(found);
            rows.push(row);
        }
        events.sort_by_key(|e| e.ts);
        let tx = self.db.transaction()?;
        write::clear_all(&tx)?;
        for row in &rows {
            write::upsert_student(&tx, row)?;
        }
        for (id, seats) in &all_seats {
            seats::replace(&tx, *id, seats)?;
        }
        for e in &events {
            if write::insert_event(&tx, e)? {
                report.events += 1;
            }
        }
        tx.commit()?;
        self.cache.clear();
        report.students = rows.len();
        Ok(report)
    }
}
