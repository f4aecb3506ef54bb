//! Making verified files durable and checking them, off the worker thread: an fdatasync of a big
//! .blend takes as long as the disk needs to write it, and decoding a full-HD PNG tens of
//! milliseconds; neither may delay the chunks, chat and presence of other students. Screenshots
//! and blends have a thread each, so a screenshot never waits behind a blend's flush.

use super::work::{Checked, DiskJob, Failure, FileJob, Work};
use super::Config;
use crate::media;
use crate::reassembly::Verified;
use crate::reject::{Reason, Refusal};
use crossbeam_channel::{Receiver, Sender};
use std::sync::Arc;

/// fdatasync a screenshot, decode it within limits and make its thumbnail.
pub fn run(jobs: Receiver<DiskJob>, done: Sender<Work>, cfg: Arc<Config>) {
    for (job, file) in jobs {
        let result = check_screenshot(&job, file, &cfg);
        if done.send(Work::FileChecked { job, result }).is_err() {
            return;
        }
    }
}

/// What the images thread does with one screenshot (also run inline by [`super::fuzzing`]).
pub(super) fn check_screenshot(job: &FileJob, file: Verified, cfg: &Config) -> Result<Checked, Failure> {
    match file.sync() {
        Err(e) => Err(Failure::Io(e.to_string())),
        Ok(staged) => media::check_screenshot_and_thumbnail(&staged, &job.thumb, &cfg.limits)
            .map(Checked::Screenshot)
            .map_err(Failure::Refused),
    }
}

/// fdatasync a .blend and check its magic.
pub fn run_blends(jobs: Receiver<DiskJob>, done: Sender<Work>) {
    for (job, file) in jobs {
        let result = check_blend(file);
        if done.send(Work::FileChecked { job, result }).is_err() {
            return;
        }
    }
}

/// What the blends thread does with one .blend (also run inline by [`super::fuzzing`]).
pub(super) fn check_blend(file: Verified) -> Result<Checked, Failure> {
    match file.sync() {
        Err(e) => Err(Failure::Io(e.to_string())),
        Ok(staged) => match media::looks_like_blend(&staged) {
            Ok(true) => Ok(Checked::Blend),
            Ok(false) => Err(Failure::Refused(Refusal::new(
                Reason::BadFile,
                "not a .blend file (no BLENDER, zstd or gzip magic)",
            ))),
            Err(e) => Err(Failure::Io(format!("Could not read a received file: {e}"))),
        },
    }
}
