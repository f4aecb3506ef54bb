//! Erasing a student's data for good: their folder (files, thumbnails, journal) and index rows.
//!
//! Crash safety: the folder is first renamed into `.pracownia/erasing/` (one atomic step after
//! which it is no longer part of the store: a sync or reindex drops its rows), then the rows go,
//! then the files. `Store::open` finishes an erase a crash interrupted.

use std::fs;
use std::path::Path;

use uuid::Uuid;

use super::error::Result;
use super::{fsutil, Store, StoreError, META_DIR};
use crate::index::write;

const ERASING_DIR: &str = "erasing";

/// What an erase deletes (shown before the lecturer confirms, and returned after).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasePlan {
    pub id: Uuid,
    pub login: String,
    pub folder: String,
    pub files: u64,
    pub bytes: u64,
}

impl Store {
    /// What erasing the student `id` would delete.
    pub fn erase_plan(&self, id: Uuid) -> Result<ErasePlan> {
        let row = write::student(&self.db, id)?.ok_or(StoreError::UnknownStudent(id))?;
        let (files, bytes) = folder_size(&self.root.join(&row.folder));
        Ok(ErasePlan { id, login: row.login, folder: row.folder, files, bytes })
    }

    /// What erasing every student would delete.
    pub fn erase_plan_all(&self) -> Result<Vec<ErasePlan>> {
        let mut rows = write::all_students(&self.db)?;
        rows.sort_by_key(|r| (write::login_key(&r.login), r.id));
        rows.into_iter().map(|r| self.erase_plan(r.id)).collect()
    }

    /// Erase everything of the student `id`. If they connect again they start afresh, in a new
    /// folder.
    pub fn erase_student(&mut self, id: Uuid) -> Result<ErasePlan> {
        let plan = self.erase_plan(id)?;
        let erasing = self.root.join(META_DIR).join(ERASING_DIR);
        fs::create_dir_all(&erasing).map_err(StoreError::io("create", &erasing))?;
        let from = self.root.join(&plan.folder);
        let to = erasing.join(format!("{}-{}", plan.folder, fsutil::now_ms()));
        if from.exists() {
            fs::rename(&from, &to).map_err(StoreError::io("move away", &from))?;
            fsutil::sync_dir(&self.root);
        }
        write::delete_student(&self.db, id)?;
        self.cache.remove(&id);
        fs::remove_dir_all(&to).or_else(not_found_ok).map_err(StoreError::io("delete", &to))?;
        Ok(plan)
    }

    /// Erase every student of the store.
    pub fn erase_all(&mut self) -> Result<Vec<ErasePlan>> {
        let ids: Vec<Uuid> = write::all_students(&self.db)?.into_iter().map(|r| r.id).collect();
        ids.into_iter().map(|id| self.erase_student(id)).collect()
    }
}

/// Delete what an interrupted erase left behind (its rows go with the next sync).
pub(crate) fn finish_interrupted(root: &Path) -> Result<()> {
    let erasing = root.join(META_DIR).join(ERASING_DIR);
    if erasing.exists() {
        fs::remove_dir_all(&erasing).map_err(StoreError::io("finish erasing", &erasing))?;
    }
    Ok(())
}

fn not_found_ok(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// Files and bytes under `dir` (symlinks are not followed).
fn folder_size(dir: &Path) -> (u64, u64) {
    let (mut files, mut bytes) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.filter_map(|e| e.ok()) {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(e.path());
            } else if let Ok(m) = e.metadata() {
                files += 1;
                bytes += m.len();
            }
        }
    }
    (files, bytes)
}
