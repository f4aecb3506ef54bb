//! Finding or creating student folders, login changes, read markers.

use std::fs;

use uuid::Uuid;

use super::error::{Result, StoreError};
use super::meta::{folder_free_for, read_json, write_student_json, ReadJson};
use super::{fsutil, sanitize, Store, StudentRef, READ_FILE, STUDENT_FILE};
use crate::index::{seats, write};

impl Store {
    /// Find or create the folder of a student; update its login if it changed.
    pub fn student(&mut self, id: Uuid, login: &str) -> Result<StudentRef> {
        if let Some(r) = self.cache.get(&id).cloned() {
            if r.login != login {
                return self.change_login(r, login);
            }
            return Ok(r);
        }
        let r = match write::student(&self.db, id)? {
            Some(row) => {
                let r = self.make_ref(id, &row.login, &row.folder);
                if !r.dir.join(STUDENT_FILE).is_file() {
                    fs::create_dir_all(&r.dir).map_err(StoreError::io("create", &r.dir))?;
                    write_student_json(&r, row.first_seen)?;
                }
                r
            }
            None => self.create_student(id, login)?,
        };
        self.cache.insert(id, r.clone());
        if r.login != login {
            return self.change_login(r, login);
        }
        Ok(r)
    }

    /// Has this student a folder already? (Cheap: the cache, else one index lookup.)
    pub fn knows(&self, id: Uuid) -> Result<bool> {
        Ok(self.cache.contains_key(&id)
            || write::student(&self.db, id)?.is_some()
            || !seats::for_wire(&self.db, id)?.is_empty())
    }

    pub(crate) fn make_ref(&self, id: Uuid, login: &str, folder: &str) -> StudentRef {
        StudentRef { id, login: login.to_string(), dir: self.root.join(folder), folder: folder.to_string(), wire: id }
    }

    fn create_student(&mut self, id: Uuid, login: &str) -> Result<StudentRef> {
        let mut folder = sanitize::folder_name(login, id, false);
        if !folder_free_for(&self.root.join(&folder), id)? || self.folder_taken(&folder, id)? {
            folder = sanitize::folder_name(login, id, true);
            if !folder_free_for(&self.root.join(&folder), id)? || self.folder_taken(&folder, id)? {
                return Err(StoreError::CorruptMetadata {
                    path: self.root.join(&folder).join(STUDENT_FILE),
                    detail: format!("it does not belong to student {id}"),
                });
            }
        }
        let r = self.make_ref(id, login, &folder);
        fs::create_dir_all(&r.dir).map_err(StoreError::io("create", &r.dir))?;
        let first_seen = fsutil::now_ms();
        write_student_json(&r, first_seen)?;
        let row = write::StudentRow {
            id,
            login: login.to_string(),
            folder,
            first_seen,
            journal_offset: 0,
            chat_read_until: read_json(&r.dir).unwrap_or(0),
        };
        write::upsert_student(&self.db, &row)?;
        // A journal left by an earlier, interrupted creation is indexed now.
        self.index_new_lines(&r)?;
        Ok(r)
    }

    fn folder_taken(&self, folder: &str, id: Uuid) -> Result<bool> {
        Ok(write::student_by_folder(&self.db, folder)?.is_some_and(|row| row.id != id))
    }

    fn change_login(&mut self, mut r: StudentRef, login: &str) -> Result<StudentRef> {
        let first_seen = write::student(&self.db, r.id)?.map(|row| row.first_seen).unwrap_or_else(fsutil::now_ms);
        r.login = login.to_string();
        write_student_json(&r, first_seen)?;
        write::set_login(&self.db, r.id, login)?;
        self.cache.insert(r.id, r.clone());
        Ok(r)
    }

    /// Set how far the lecturer has read this student's chat (Unix ms).
    pub fn mark_chat_read(&mut self, id: Uuid, until_ms: i64) -> Result<()> {
        let row = write::student(&self.db, id)?.ok_or(StoreError::UnknownStudent(id))?;
        let path = self.root.join(&row.folder).join(READ_FILE);
        let data = serde_json::to_vec(&ReadJson { chat_read_until: until_ms }).expect("serialisable");
        fsutil::write_atomic(&path, &data)?;
        write::set_read_until(&self.db, id, until_ms)?;
        Ok(())
    }
}
