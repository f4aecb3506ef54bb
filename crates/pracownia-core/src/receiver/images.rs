//! Screenshot checking and thumbnailing, off the worker thread: decoding a full-HD PNG takes tens
//! of milliseconds, which must not delay the chunks of other students.

use super::worker::{ImageJob, Work};
use super::Config;
use crate::media;
use crossbeam_channel::{Receiver, Sender};
use std::sync::Arc;

pub fn run(jobs: Receiver<ImageJob>, done: Sender<Work>, cfg: Arc<Config>) {
    for job in jobs {
        let result = media::check_screenshot_and_thumbnail(&job.staged, &job.thumb, &cfg.limits);
        if done.send(Work::ImageChecked { job, result }).is_err() {
            return;
        }
    }
}
