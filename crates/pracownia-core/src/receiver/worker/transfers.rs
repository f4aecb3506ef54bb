//! The worker's file side: admitting a transfer, adding chunks, verifying, handing the file to
//! the disk threads, and placing it once it is durable (or refusing it, or giving up on it).

use super::*;
use crate::events::Fault;

impl Worker {
    pub(super) fn on_chunk(&mut self, student: StudentRef, chunk: Chunk<Frame>, at: i64) {
        let key = (student.id, chunk.transfer);
        if self.done.contains_key(&key) {
            return; // a repeat of a transfer we already finished or refused
        }
        if !self.live.contains_key(&key) {
            // A file already stored before a restart of ours, resent by a student who saw us go.
            if self.store.has_file_from_transfer(student.id, chunk.transfer).unwrap_or(false) {
                self.done.insert(key, Instant::now());
                return;
            }
            if let Err(r) = self.admit(&student, &chunk) {
                self.done.insert(key, Instant::now());
                return self.refuse(&student, at, r, Some(chunk.transfer));
            }
            match Transfer::create(&self.store.staging_dir(), student.id, &chunk) {
                Ok(t) => {
                    self.live.insert(key, Live { t, student: student.clone(), last_progress: None });
                }
                Err(e) => return self.error(Fault::Receiving, Some(&student.login), e.to_string()),
            }
        }
        let live = self.live.get_mut(&key).expect("inserted above");
        let before = live.t.received();
        match live.t.add(&chunk) {
            Ok(()) => {}
            Err(ReassemblyError::Refused(r)) => {
                let live = self.live.remove(&key).expect("present");
                live.t.discard();
                self.done.insert(key, Instant::now());
                return self.refuse(&student, at, r, Some(chunk.transfer));
            }
            Err(e @ ReassemblyError::Io { .. }) => {
                let live = self.live.remove(&key).expect("present");
                live.t.discard();
                return self.error(Fault::Receiving, Some(&student.login), e.to_string());
            }
        }
        self.stats.bytes.fetch_add(live.t.received() - before, Relaxed);
        if let Some(hint) = live.t.writeback_due() {
            let _ = self.disk.writeback.try_send(hint);
        }
        let complete = live.t.is_complete();
        let due = live.last_progress.is_none_or(|t| t.elapsed() >= self.cfg.progress_every);
        if due || complete {
            live.last_progress = Some(Instant::now());
            self.sink.emit(Event::Progress {
                student: student.id,
                login: student.login.clone(),
                transfer: live.t.id,
                kind: live.t.kind,
                name: live.t.name.clone(),
                received: live.t.received(),
                size: live.t.size,
            });
        }
        if complete {
            let live = self.live.remove(&key).expect("present");
            self.done.insert(key, Instant::now());
            self.complete(live, at);
        }
    }

    /// May this new transfer start? Limits per kind, open transfers, the free-disk floor.
    fn admit(&self, s: &StudentRef, c: &Chunk<Frame>) -> Result<(), Refusal> {
        let l = &self.cfg.limits;
        let max = match c.kind {
            FileKind::Screenshot => l.max_screenshot,
            FileKind::Blend => l.max_blend,
        };
        if c.size > max {
            return Err(Refusal::new(
                Reason::TooLarge,
                format!("{} of {} bytes; the limit is {max}", c.kind.as_str(), c.size),
            ));
        }
        let open = self.live.keys().filter(|(sid, _)| *sid == s.id).count();
        if open >= l.max_open_transfers_per_student {
            return Err(Refusal::new(Reason::TooManyTransfers, format!("{open} files already in flight")));
        }
        if self.live.len() >= l.max_open_transfers {
            return Err(Refusal::new(
                Reason::ReceiverBusy,
                format!("{} files of all students already in flight", self.live.len()),
            ));
        }
        // Staging files are sparse: the bytes that open transfers were promised but have not
        // received yet are not taken from the free space, so they are counted against it here.
        let owed: u64 = self.live.values().map(|l| l.t.size - l.t.received()).sum();
        let free = fs4::available_space(self.store.root()).unwrap_or(u64::MAX);
        if free.saturating_sub(owed).saturating_sub(c.size) < l.free_disk_floor {
            return Err(Refusal::new(
                Reason::DiskFull,
                format!(
                    "{free} bytes free, {owed} owed to open transfers; {} more would go under the floor of {}",
                    c.size, l.free_disk_floor
                ),
            ));
        }
        Ok(())
    }

    /// Verify the digest here (cheap: it was computed as the chunks came), then let the blends or
    /// images thread wait for fdatasync and check the content, so that a long flush of a big file
    /// never stalls the chunks, chat and presence of everyone else. The file is placed when it
    /// comes back (`on_checked`), durable, exactly as before.
    fn complete(&mut self, live: Live, at: i64) {
        let Live { t, student, .. } = live;
        let (id, kind, name, size, sha256) = (t.id, t.kind, t.name.clone(), t.size, t.sha256.clone());
        let file = match t.verify() {
            Ok(f) => f,
            Err(ReassemblyError::Refused(r)) => return self.refuse(&student, at, r, Some(id)),
            Err(e) => return self.error(Fault::Receiving, Some(&student.login), e.to_string()),
        };
        let meta = FileMeta { size, sha256, name, transfer: id };
        let staged = file.path.clone();
        let job = FileJob { student, thumb: staged.with_extension("thumb.jpg"), staged, meta };
        let queue = match kind {
            FileKind::Screenshot => &self.disk.images,
            FileKind::Blend => &self.disk.blends,
        };
        self.pending_files += 1;
        if let Err(e) = queue.send((job, file)) {
            self.pending_files -= 1;
            let (job, file) = e.into_inner();
            drop(file);
            let _ = std::fs::remove_file(&job.staged);
        }
    }

    pub(super) fn on_checked(&mut self, job: FileJob, result: Result<Checked, Failure>) {
        let at = self.clock();
        match result {
            Ok(Checked::Screenshot(s)) => self.place(job, at, FileKind::Screenshot, s.ext),
            Ok(Checked::Blend) => self.place(job, at, FileKind::Blend, "blend"),
            Err(failure) => {
                let _ = std::fs::remove_file(&job.staged);
                let _ = std::fs::remove_file(&job.thumb);
                match failure {
                    Failure::Refused(r) => self.refuse(&job.student, at, r, Some(job.meta.transfer)),
                    Failure::Io(message) => self.error(Fault::StoreFile, Some(&job.student.login), message),
                }
            }
        }
    }

    /// Place a checked file (a screenshot with its staged thumbnail) and tell the app.
    fn place(&mut self, job: FileJob, at: i64, kind: FileKind, ext: &str) {
        let FileJob { student: s, staged, thumb, meta } = job;
        let thumb = (kind == FileKind::Screenshot).then_some(thumb);
        let (size, sha256) = (meta.size, meta.sha256.clone());
        self.last_write.insert(s.dir.clone(), Instant::now());
        match self.store.place_file(&s, at, kind, &staged, ext, thumb.as_deref(), meta) {
            Ok(f) => {
                self.stats.files.fetch_add(1, Relaxed);
                self.sink.emit(Event::FileStored {
                    at,
                    student: s.id,
                    login: s.login.clone(),
                    kind,
                    path: f.path,
                    thumb: f.thumb,
                    size,
                    sha256,
                });
            }
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                self.error(
                    Fault::StoreFile,
                    Some(&s.login),
                    format!("Could not store a {} from {}: {e}", kind.as_str(), s.login),
                );
            }
        }
    }

    pub(super) fn incomplete(&mut self, live: Live) {
        let Live { t, student, .. } = live;
        let at = self.clock();
        let (transfer, kind, name, received, size) = (t.id, t.kind, t.name.clone(), t.received(), t.size);
        t.discard();
        log::info!(
            "{}: {} \"{}\" incomplete ({received} of {size} bytes)",
            crate::text::Inert(&student.login),
            kind.as_str(),
            crate::text::Inert(&name)
        );
        self.record(&student, at, Entry::Incomplete { transfer, kind, name: name.clone(), received, size });
        self.sink.emit(Event::Incomplete {
            at,
            student: student.id,
            login: student.login.clone(),
            transfer,
            kind,
            name,
            received,
            size,
        });
    }
}
