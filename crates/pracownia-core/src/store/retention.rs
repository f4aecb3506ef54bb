//! Retention (off unless asked for): old screenshots thinned out to one per interval, old .blend
//! versions thinned to the last of each session (the versions between one `join` and the next).
//!
//! Crash safety: each file (thumbnail first) is deleted before its index row; a crash in between
//! leaves a row whose file is gone, which the next `sync` (on open) drops. The journal keeps its
//! lines: a line whose file is gone is not indexed (`collect::line_to_event`).

use std::collections::HashSet;
use std::fs;

use uuid::Uuid;

use super::error::Result;
use super::{Store, StoreError};
use crate::index::write;
use crate::model::{TimelineEntry, TimelineKind};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// What to keep. `None` for a kind keeps every file of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Screenshots older than this many days are thinned out...
    pub screenshot_days: Option<u32>,
    /// ...to the first of every this many minutes (at least 1).
    pub screenshot_every_min: u32,
    /// .blend versions older than this many days are thinned to the last of each session.
    pub blend_days: Option<u32>,
}

/// What a thinning pass deletes (or, planned, would delete).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThinReport {
    pub screenshots: u64,
    pub blends: u64,
    pub bytes: u64,
    /// Store-relative paths, oldest first.
    pub paths: Vec<String>,
}

impl Store {
    /// The files `policy` would delete at `now_ms` (Unix ms).
    pub fn thin_plan(&self, policy: &Retention, now_ms: i64) -> Result<ThinReport> {
        let mut report = ThinReport::default();
        for row in write::all_students(&self.db)? {
            let events = self.reader.timeline(Some(row.id), None, usize::MAX)?;
            for e in doomed(&events, policy, now_ms) {
                match e.kind() {
                    TimelineKind::Screenshot => report.screenshots += 1,
                    _ => report.blends += 1,
                }
                let f = e.file().expect("only files are doomed");
                report.bytes += f.size.unwrap_or(0);
                report.paths.push(f.path.clone());
            }
        }
        Ok(report)
    }

    /// Delete what `policy` does not keep at `now_ms`.
    pub fn thin(&mut self, policy: &Retention, now_ms: i64) -> Result<ThinReport> {
        let plan = self.thin_plan(policy, now_ms)?;
        let wanted: HashSet<&str> = plan.paths.iter().map(String::as_str).collect();
        let ids: Vec<Uuid> = write::all_students(&self.db)?.into_iter().map(|r| r.id).collect();
        for id in ids {
            for (event, path, thumb) in write::file_events(&self.db, id)? {
                if !wanted.contains(path.as_str()) {
                    continue;
                }
                for rel in thumb.iter().chain(std::iter::once(&path)) {
                    let abs = self.root.join(rel);
                    match fs::remove_file(&abs) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(StoreError::Io { action: "delete", path: abs, source: e });
                        }
                        _ => {}
                    }
                }
                write::delete_event(&self.db, event)?;
            }
        }
        Ok(plan)
    }
}

/// The files of one student's timeline (oldest first) that `policy` drops at `now`.
fn doomed<'a>(events: &'a [TimelineEntry], policy: &Retention, now: i64) -> Vec<&'a TimelineEntry> {
    let mut out = Vec::new();
    if let Some(days) = policy.screenshot_days {
        let cutoff = now - days as i64 * DAY_MS;
        let every = policy.screenshot_every_min.max(1) as i64 * 60_000;
        let mut last_bucket = None;
        for e in events.iter().filter(|e| e.kind() == TimelineKind::Screenshot) {
            let bucket = e.ts.div_euclid(every);
            if e.ts < cutoff && last_bucket == Some(bucket) {
                out.push(e);
            } else {
                last_bucket = Some(bucket);
            }
        }
    }
    if let Some(days) = policy.blend_days {
        let cutoff = now - days as i64 * DAY_MS;
        // Sessions: the stretches between joins; the last version of each is kept.
        let mut session: Vec<&TimelineEntry> = Vec::new();
        let flush = |session: &mut Vec<&'a TimelineEntry>, out: &mut Vec<&'a TimelineEntry>| {
            if let Some((_, older)) = session.split_last() {
                out.extend(older.iter().filter(|e| e.ts < cutoff));
            }
            session.clear();
        };
        for e in events {
            match e.kind() {
                TimelineKind::Join => flush(&mut session, &mut out),
                TimelineKind::Blend => session.push(e),
                _ => {}
            }
        }
        flush(&mut session, &mut out);
    }
    out.sort_by_key(|e| (e.ts, e.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileKind;
    use crate::store::tests::{id, meta, stage};
    use crate::store::Entry;

    const NOW: i64 = 1_795_596_498_123 + 30 * DAY_MS;

    #[test]
    fn thins_old_screenshots_to_one_per_interval_and_old_blends_to_the_last_of_each_session() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let s = store.student(id(1), "anna").unwrap();
        let old = NOW - 10 * DAY_MS; // 10 days ago, minute-aligned below
        let old = old - old.rem_euclid(600_000);
        let place = |store: &mut Store, at: i64, kind: FileKind, data: &[u8]| {
            let f = stage(store, "f.part", data);
            let ext = if kind == FileKind::Blend { "blend" } else { "png" };
            store.place_file(&s, at, kind, &f, ext, None, meta(data, "x")).unwrap().path
        };
        store.record(&s, old - 1000, Entry::Join).unwrap();
        // Old screenshots: 0, 1, 2 min into a 5-minute bucket, then 6 min (the next bucket).
        let shots: Vec<String> =
            [0, 1, 2, 6].iter().map(|m| place(&mut store, old + m * 60_000, FileKind::Screenshot, b"png")).collect();
        // Old session 1: three versions; session 2: two versions; a recent session: two versions.
        let b1: Vec<String> = (0..3).map(|i| place(&mut store, old + 100 + i, FileKind::Blend, b"b1")).collect();
        store.record(&s, old + 3_600_000, Entry::Join).unwrap();
        let b2: Vec<String> = (0..2).map(|i| place(&mut store, old + 3_600_100 + i, FileKind::Blend, b"b2")).collect();
        store.record(&s, NOW - 1000, Entry::Join).unwrap();
        let b3: Vec<String> = (0..2).map(|i| place(&mut store, NOW - 900 + i, FileKind::Blend, b"b3")).collect();
        let recent = place(&mut store, NOW - 500, FileKind::Screenshot, b"png");

        let policy = Retention { screenshot_days: Some(7), screenshot_every_min: 5, blend_days: Some(7) };
        assert_eq!(store.thin_plan(&Retention::default(), NOW).unwrap(), ThinReport::default(), "off by default");
        let plan = store.thin_plan(&policy, NOW).unwrap();
        assert_eq!((plan.screenshots, plan.blends), (2, 3), "{plan:?}");
        let mut expect = vec![&shots[1], &shots[2], &b1[0], &b1[1], &b2[0]];
        expect.sort();
        let mut got: Vec<&String> = plan.paths.iter().collect();
        got.sort();
        assert_eq!(got, expect);

        let before = store.reader().timeline(None, None, 1000).unwrap().len();
        let bytes_before = store.reader().students().unwrap()[0].bytes;
        assert_eq!(bytes_before, 4 * 3 + 3 * 2 + 2 * 2 + 2 * 2 + 3, "the summary counts every stored file");
        assert_eq!(store.thin(&policy, NOW).unwrap(), plan);
        assert_eq!(store.reader().students().unwrap()[0].bytes, bytes_before - plan.bytes);
        for p in &plan.paths {
            assert!(!dir.path().join(p).exists(), "{p}");
        }
        for kept in [&shots[0], &shots[3], &b1[2], &b2[1], &b3[0], &b3[1], &recent] {
            assert!(dir.path().join(kept).is_file(), "{kept}");
        }
        let after = store.reader().timeline(None, None, 1000).unwrap().len();
        assert_eq!(after, before - 5);
        assert_eq!(store.reindex().unwrap().events, after, "the index agrees with the folder");
        assert_eq!(store.thin_plan(&policy, NOW).unwrap().paths.len(), 0, "a second pass finds nothing");
    }
}
