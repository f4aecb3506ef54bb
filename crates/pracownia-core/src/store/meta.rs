//! The small JSON files of a student folder: `student.json`, `read.json`.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{Result, StoreError};
use super::{fsutil, StudentRef, READ_FILE, STUDENT_FILE};
use crate::model::Seat;

/// Contents of `student.json`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct StudentJson {
    pub id: Uuid,
    pub login: String,
    pub first_seen: String,
    /// The ways this student came (wire id + login, with hello's host and seat): how the
    /// receiver finds an alias again and how `reindex` rebuilds the `seats` table. Absent in
    /// folders written before identity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<Seat>,
}

/// Contents of `read.json`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadJson {
    pub chat_read_until: i64,
}

/// Can `dir` be used for student `id`: absent, without student.json, or with
/// a student.json of the same id. A student.json that cannot be parsed is another's (`false`);
/// one that cannot be read (no file descriptor left, no permission) is an error, not a verdict.
pub(crate) fn folder_free_for(dir: &Path, id: Uuid) -> Result<bool> {
    match read_student_json(dir) {
        Ok(None) => Ok(true),
        Ok(Some(s)) => Ok(s.id == id),
        Err(StoreError::CorruptMetadata { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

pub(crate) fn read_student_json(dir: &Path) -> Result<Option<StudentJson>> {
    let path = dir.join(STUDENT_FILE);
    match fs::read(&path) {
        Ok(data) => serde_json::from_slice(&data)
            .map(Some)
            .map_err(|e| StoreError::CorruptMetadata { path, detail: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("read", &path)(e)),
    }
}

/// Write student.json for `r`, keeping the seats an existing one lists.
pub(crate) fn write_student_json(r: &StudentRef, first_seen: i64) -> Result<()> {
    let seats = match read_student_json(&r.dir) {
        Ok(Some(old)) if old.id == r.id => old.seats,
        _ => Vec::new(),
    };
    write_student_file(
        &r.dir,
        &StudentJson { id: r.id, login: r.login.clone(), first_seen: fsutil::ms_to_rfc3339(first_seen), seats },
    )
}

/// Replace student.json atomically (tmp + rename: never half a file).
pub(crate) fn write_student_file(dir: &Path, json: &StudentJson) -> Result<()> {
    let data = serde_json::to_vec_pretty(json).expect("serialisable");
    fsutil::write_atomic(&dir.join(STUDENT_FILE), &data)
}

/// chat_read_until from read.json (None when absent or damaged).
pub(crate) fn read_json(dir: &Path) -> Option<i64> {
    let data = fs::read(dir.join(READ_FILE)).ok()?;
    serde_json::from_slice::<ReadJson>(&data).ok().map(|r| r.chat_read_until)
}
