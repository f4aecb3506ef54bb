//! The manifest of a collection: one row per student, as CSV (for a spreadsheet) and JSON.

use serde::Serialize;
use uuid::Uuid;

use crate::store::ms_to_rfc3339;

/// What happened to one student's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// The latest verified .blend was copied.
    Collected,
    /// The student had no .blend at that moment.
    NoFile,
    /// Every stored version failed its digest check (nothing copied).
    Damaged,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Collected => "collected",
            RowStatus::NoFile => "no_file",
            RowStatus::Damaged => "damaged",
        }
    }
}

/// One student in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ManifestRow {
    pub login: String,
    pub student_id: Uuid,
    /// The copy's name in the output (None when nothing was copied).
    pub file: Option<String>,
    /// When the receiver stored the version (RFC 3339, UTC).
    pub file_time: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub status: RowStatus,
    /// Newer versions skipped because they failed their digest check.
    pub damaged_newer: u32,
}

impl ManifestRow {
    pub(crate) fn new(login: &str, student_id: Uuid, status: RowStatus) -> ManifestRow {
        ManifestRow {
            login: login.to_string(),
            student_id,
            file: None,
            file_time: None,
            size: None,
            sha256: None,
            status,
            damaged_newer: 0,
        }
    }

    pub(crate) fn with_file(mut self, name: String, ts: i64, size: u64, sha256: &str) -> ManifestRow {
        self.file = Some(name);
        self.file_time = Some(ms_to_rfc3339(ts));
        self.size = Some(size);
        self.sha256 = Some(sha256.to_string());
        self
    }
}

/// RFC 4180 CSV with every field quoted; a field a spreadsheet would take for a formula gets a
/// leading apostrophe (logins are chosen by students).
pub(crate) fn to_csv(rows: &[ManifestRow]) -> String {
    let mut out = String::from("login,student_id,file,file_time,size,sha256,status,damaged_newer\r\n");
    for r in rows {
        let size = r.size.map(|s| s.to_string()).unwrap_or_default();
        let fields = [
            r.login.as_str(),
            &r.student_id.to_string(),
            r.file.as_deref().unwrap_or(""),
            r.file_time.as_deref().unwrap_or(""),
            &size,
            r.sha256.as_deref().unwrap_or(""),
            r.status.as_str(),
            &r.damaged_newer.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| crate::text::csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

pub(crate) fn to_json(rows: &[ManifestRow], at: i64) -> String {
    let doc = serde_json::json!({ "at": ms_to_rfc3339(at), "students": rows });
    serde_json::to_string_pretty(&doc).expect("the manifest serialises")
}
