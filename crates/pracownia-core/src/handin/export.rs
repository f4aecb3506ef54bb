//! "Export student": every .blend version and screenshot of one student, a Markdown transcript of
//! the timeline (both sides of the chat) and a manifest, as one zip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::sink::{Sink, Target};
use super::{transcript, Progress, Result};
use crate::index::IndexReader;
use crate::model::{FileEntry, TimelineEntry, TimelineKind};
use crate::store::{ms_to_rfc3339, sha256_file, StoreError};

const PAGE: usize = 5000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportReport {
    pub output: PathBuf,
    pub blends: usize,
    pub screenshots: usize,
    pub chats: usize,
    /// Files left out because they failed their digest check.
    pub damaged: usize,
}

/// Export the student `id` of the store at `root` into `target`.
pub fn export(root: &Path, id: Uuid, target: &Target, progress: &mut dyn FnMut(&Progress)) -> Result<ExportReport> {
    let reader = IndexReader::open(root)?;
    let student = reader.students()?.into_iter().find(|s| s.id == id).ok_or(StoreError::UnknownStudent(id))?;
    let mut entries: Vec<TimelineEntry> = Vec::new();
    loop {
        let page = reader.timeline(Some(id), entries.last().map(|e| e.id), PAGE)?;
        let done = page.len() < PAGE;
        entries.extend(page);
        if done {
            break;
        }
    }
    let job = Job { root, login: &student.login, id, entries: &entries };
    let mut sink = Sink::open(target)?;
    match job.write(&mut sink, progress) {
        Ok(mut report) => {
            report.output = sink.finish()?;
            Ok(report)
        }
        Err(e) => {
            sink.abandon();
            Err(e)
        }
    }
}

/// One export: the student and their timeline, oldest first.
struct Job<'a> {
    root: &'a Path,
    login: &'a str,
    id: Uuid,
    entries: &'a [TimelineEntry],
}

impl Job<'_> {
    fn write(&self, sink: &mut Sink, progress: &mut dyn FnMut(&Progress)) -> Result<ExportReport> {
        let (root, entries) = (self.root, self.entries);
        let files: Vec<(&TimelineEntry, &FileEntry, &str)> =
            entries.iter().filter_map(|e| e.file().and_then(|f| Some((e, f, f.sha256.as_deref()?)))).collect();
        let mut p = Progress {
            files_total: files.len() as u64,
            bytes_total: files.iter().filter_map(|(_, f, _)| f.size).sum(),
            ..Progress::default()
        };
        progress(&p);
        let mut report = ExportReport { output: PathBuf::new(), blends: 0, screenshots: 0, chats: 0, damaged: 0 };
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut listed = Vec::new();
        for &(e, f, sha) in &files {
            let path = f.path.as_str();
            let src = root.join(path);
            let base = Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or("file");
            let dir = if e.kind() == TimelineKind::Blend { "blend" } else { "screenshots" };
            let name = format!("{dir}/{base}");
            let verified = matches!(sha256_file(&src), Ok((actual, _)) if actual == sha);
            if verified {
                let size = sink.add_file(&name, &src, sha)?;
                if e.kind() == TimelineKind::Blend {
                    report.blends += 1;
                } else {
                    report.screenshots += 1;
                }
                names.insert(e.id, name.clone());
                listed.push(serde_json::json!({
                    "file": name, "time": ms_to_rfc3339(e.ts), "size": size, "sha256": sha, "kind": e.kind(),
                }));
            } else {
                report.damaged += 1;
            }
            p.files_done += 1;
            p.bytes_done += f.size.unwrap_or(0);
            progress(&p);
        }
        report.chats = entries.iter().filter(|e| e.kind() == TimelineKind::Chat).count();
        let md = transcript::render(self.login, self.id, entries, &|eid| names.get(&eid).cloned());
        sink.add_bytes("transcript.md", md.as_bytes())?;
        let manifest = serde_json::json!({
            "login": self.login, "student_id": self.id, "files": listed, "damaged_left_out": report.damaged,
        });
        sink.add_bytes("manifest.json", serde_json::to_string_pretty(&manifest).expect("serialises").as_bytes())?;
        Ok(report)
    }
}
