//! "Collect work": the latest verified .blend of every student at a moment, as `<login>.blend`
//! with a manifest.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::manifest::{self, ManifestRow, RowStatus};
use super::sink::{Sink, Target};
use super::{Progress, Result};
use crate::index::IndexReader;
use crate::model::{FileKind, StudentSummary, TimelineEntry};
use crate::store::sanitize::sanitize_login;
use crate::store::sha256_file;

/// How many older versions are tried when the newest fails its digest check.
const MAX_TRIES: usize = 20;

#[derive(Clone, Debug, Default)]
pub struct CollectOptions {
    /// Unix ms; None means now.
    pub at: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct CollectReport {
    pub output: PathBuf,
    pub at: i64,
    pub rows: Vec<ManifestRow>,
}

impl CollectReport {
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }
}

/// Copy every student's latest verified .blend (received at or before `opts.at`) from the store
/// at `root` into `target`, with `manifest.csv` and `manifest.json`. Students first seen after
/// that moment are left out; students without a file are listed as `no_file`.
pub fn collect(
    root: &Path,
    target: &Target,
    opts: &CollectOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<CollectReport> {
    let at = opts.at.unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
    let reader = IndexReader::open(root)?;
    let mut plan: Vec<(StudentSummary, Vec<TimelineEntry>)> = Vec::new();
    for s in reader.students()? {
        let versions = reader.files_until(s.id, FileKind::Blend, at, MAX_TRIES)?;
        // Known at that moment: by the folder's creation, or by an event (imported folders).
        let first_event = reader.timeline(Some(s.id), None, 1)?.first().map(|e| e.ts);
        if s.first_seen <= at || first_event.is_some_and(|t| t <= at) {
            plan.push((s, versions));
        }
    }
    let names = file_names(&plan.iter().map(|(s, _)| s).collect::<Vec<_>>());
    let mut p = Progress {
        files_total: plan.iter().filter(|(_, v)| !v.is_empty()).count() as u64,
        bytes_total: plan.iter().filter_map(|(_, v)| v.first()?.file()?.size).sum(),
        ..Progress::default()
    };
    progress(&p);

    let mut sink = Sink::open(target)?;
    let mut rows = Vec::with_capacity(plan.len());
    for ((s, versions), name) in plan.iter().zip(names) {
        match copy_latest_verified(&mut sink, root, s, versions, name) {
            Ok(row) => rows.push(row),
            Err(e) => {
                sink.abandon();
                return Err(e);
            }
        }
        if !versions.is_empty() {
            p.files_done += 1;
            p.bytes_done += versions[0].file().and_then(|f| f.size).unwrap_or(0);
            progress(&p);
        }
    }
    let written = (|| {
        sink.add_bytes("manifest.csv", manifest::to_csv(&rows).as_bytes())?;
        sink.add_bytes("manifest.json", manifest::to_json(&rows, at).as_bytes())
    })();
    if let Err(e) = written {
        sink.abandon();
        return Err(e);
    }
    Ok(CollectReport { output: sink.finish()?, at, rows })
}

fn copy_latest_verified(
    sink: &mut Sink,
    root: &Path,
    s: &StudentSummary,
    versions: &[TimelineEntry],
    name: String,
) -> Result<ManifestRow> {
    if versions.is_empty() {
        return Ok(ManifestRow::new(&s.login, s.id, RowStatus::NoFile));
    }
    let mut damaged = 0;
    for v in versions {
        let Some((path, Some(sha))) = v.file().map(|f| (&f.path, f.sha256.as_deref())) else { continue };
        let src = root.join(path);
        // A version whose bytes no longer match what was verified on arrival is not handed in.
        match sha256_file(&src) {
            Ok((actual, _)) if actual == sha => {
                let size = sink.add_file(&name, &src, sha)?;
                let mut row = ManifestRow::new(&s.login, s.id, RowStatus::Collected).with_file(name, v.ts, size, sha);
                row.damaged_newer = damaged;
                return Ok(row);
            }
            _ => damaged += 1,
        }
    }
    let mut row = ManifestRow::new(&s.login, s.id, RowStatus::Damaged);
    row.damaged_newer = damaged;
    Ok(row)
}

/// `<login>.blend`, or `<login>-<first 8 of the id>.blend` for every student whose sanitised
/// login another student shares (compared case-insensitively, as file systems may); the whole
/// id, then a counter, where even that is taken.
fn file_names(students: &[&StudentSummary]) -> Vec<String> {
    let stems: Vec<String> = students.iter().map(|s| sanitize_login(&s.login)).collect();
    let mut uses: HashMap<String, usize> = HashMap::new();
    for st in &stems {
        *uses.entry(st.to_lowercase()).or_default() += 1;
    }
    let mut taken = HashSet::new();
    students
        .iter()
        .zip(&stems)
        .map(|(s, st)| {
            let hex = s.id.simple().to_string();
            let mut candidates = vec![format!("{st}-{}", &hex[..8]), format!("{st}-{hex}")];
            if uses[&st.to_lowercase()] == 1 {
                candidates.insert(0, st.clone());
            }
            let stem = candidates
                .into_iter()
                .chain((2..).map(|n| format!("{st}-{hex}-{n}")))
                .find(|c| taken.insert(c.to_lowercase()))
                .expect("a counter always ends the search");
            format!("{stem}.blend")
        })
        .collect()
}
