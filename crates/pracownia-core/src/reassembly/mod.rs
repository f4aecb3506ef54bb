//! Reassembling one file from chunks that may come in any order and more than once. Bytes go to a
//! staging file as they arrive (memory stays bounded whatever the size), and the SHA-256 is
//! computed on the fly over the contiguous prefix, so an in-order transfer is hashed straight from
//! the received frames and never read back.

mod ranges;
mod writeback;

pub use ranges::Ranges;
pub use writeback::{Writeback, WRITEBACK_STEP};

use crate::model::FileKind;
use crate::protocol::Chunk;
use crate::reject::{Reason, Refusal};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io;
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use uuid::Uuid;

const READ_BACK_BUF: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ReassemblyError {
    #[error("{0}")]
    Refused(Refusal),
    #[error("Could not write the staging file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl From<Refusal> for ReassemblyError {
    fn from(r: Refusal) -> Self {
        ReassemblyError::Refused(r)
    }
}

/// One file in flight.
#[derive(Debug)]
pub struct Transfer {
    pub id: Uuid,
    pub kind: FileKind,
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// When the transfer last grew. The idle timeout counts from here, so re-sending a chunk
    /// already held cannot keep a transfer (and its open staging file) alive for ever.
    pub last_new_byte: Instant,
    path: PathBuf,
    file: File,
    ranges: Ranges,
    hasher: Sha256,
    /// End of the prefix already handed out in a [`Writeback`].
    written_back: u64,
}

impl Transfer {
    /// Start a transfer described by its first chunk; the staging file is named from the student
    /// and transfer ids (never from anything a student typed).
    pub fn create<B>(staging: &Path, student: Uuid, first: &Chunk<B>) -> Result<Transfer, ReassemblyError> {
        let path = staging.join(format!("{}-{}.part", student.simple(), first.transfer.simple()));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|source| ReassemblyError::Io { path: path.clone(), source })?;
        Ok(Transfer {
            id: first.transfer,
            kind: first.kind,
            name: first.name.clone(),
            size: first.size,
            sha256: first.sha256.clone(),
            last_new_byte: Instant::now(),
            path,
            file,
            ranges: Ranges::default(),
            hasher: Sha256::new(),
            written_back: 0,
        })
    }

    pub fn received(&self) -> u64 {
        self.ranges.covered()
    }

    pub fn is_complete(&self) -> bool {
        self.ranges.covered() == self.size
    }

    /// Add a chunk. Duplicates are harmless; contradictions refuse with `conflict` (the caller
    /// then discards the transfer).
    pub fn add<B: AsRef<[u8]>>(&mut self, c: &Chunk<B>) -> Result<(), ReassemblyError> {
        if c.size != self.size || c.kind != self.kind || c.sha256 != self.sha256 {
            return Err(Refusal::new(Reason::Conflict, "a chunk names another size, digest or kind").into());
        }
        let body = c.body.as_ref();
        let start = c.offset;
        let end = start + body.len() as u64; // the parser checked end <= size
        let slice = |s: u64, e: u64| &body[(s - start) as usize..(e - start) as usize];
        for (s, e) in self.ranges.overlaps(start, end) {
            let mut old = vec![0u8; (e - s) as usize];
            self.read_at(s, &mut old)?;
            if old != slice(s, e) {
                return Err(
                    Refusal::new(Reason::Conflict, format!("bytes {s}..{e} differ from an earlier chunk")).into()
                );
            }
        }
        let hashed = self.ranges.prefix_end();
        for (s, e) in self.ranges.gaps(start, end) {
            self.write_at(s, slice(s, e))?;
            self.ranges.insert(s, e);
            self.last_new_byte = Instant::now();
        }
        self.advance_hash(hashed, start, body)
    }

    /// A hint to start writing the newly arrived contiguous bytes out, once there are at least
    /// [`WRITEBACK_STEP`] of them (the caller passes it to a thread that may wait on the disk).
    pub fn writeback_due(&mut self) -> Option<Writeback> {
        let end = self.ranges.prefix_end();
        if !writeback::SUPPORTED || end - self.written_back < WRITEBACK_STEP {
            return None;
        }
        let file = self.file.try_clone().ok()?;
        let from = std::mem::replace(&mut self.written_back, end);
        Some(Writeback::new(file, from, end))
    }

    /// Hash whatever new contiguous prefix exists: from this chunk's bytes where they continue
    /// the prefix, then from disk for chunks that had arrived early.
    fn advance_hash(&mut self, mut hashed: u64, start: u64, body: &[u8]) -> Result<(), ReassemblyError> {
        let target = self.ranges.prefix_end();
        let end = start + body.len() as u64;
        if start <= hashed && hashed < end {
            self.hasher.update(&body[(hashed - start) as usize..]);
            hashed = end;
        }
        if hashed < target {
            let mut buf = vec![0u8; READ_BACK_BUF.min((target - hashed) as usize)];
            while hashed < target {
                let n = buf.len().min((target - hashed) as usize);
                self.read_at(hashed, &mut buf[..n])?;
                self.hasher.update(&buf[..n]);
                hashed += n as u64;
            }
        }
        Ok(())
    }

    /// Verify and make durable, in one step (the tests'; the receiver splits it in two).
    #[cfg(test)]
    pub(crate) fn finish(self) -> Result<PathBuf, ReassemblyError> {
        self.verify()?.sync()
    }

    /// Check the SHA-256 (removing the staging file on a mismatch) and hand back the verified,
    /// not yet durable file. The receiver's worker verifies and lets another thread wait for the
    /// disk with [`Verified::sync`], so a long fdatasync never stalls the chunks of other
    /// transfers. On success the staged file is complete; the caller moves it into the store.
    pub fn verify(self) -> Result<Verified, ReassemblyError> {
        debug_assert!(self.is_complete());
        let digest = hex::encode(self.hasher.clone().finalize());
        if digest != self.sha256 {
            let detail = format!("SHA-256 is {digest}, the sender said {}", self.sha256);
            self.discard();
            return Err(Refusal::new(Reason::Corrupt, detail).into());
        }
        Ok(Verified { path: self.path, file: self.file })
    }

    pub fn discard(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.path);
    }

    fn write_at(&mut self, at: u64, data: &[u8]) -> Result<(), ReassemblyError> {
        #[cfg(unix)]
        let r = std::os::unix::fs::FileExt::write_all_at(&self.file, data, at);
        #[cfg(not(unix))]
        let r = self.file.seek(SeekFrom::Start(at)).and_then(|_| self.file.write_all(data));
        r.map_err(|source| ReassemblyError::Io { path: self.path.clone(), source })
    }

    fn read_at(&mut self, at: u64, out: &mut [u8]) -> Result<(), ReassemblyError> {
        #[cfg(unix)]
        let r = std::os::unix::fs::FileExt::read_exact_at(&self.file, out, at);
        #[cfg(not(unix))]
        let r = self.file.seek(SeekFrom::Start(at)).and_then(|_| self.file.read_exact(out));
        r.map_err(|source| ReassemblyError::Io { path: self.path.clone(), source })
    }
}

/// A complete staged file whose SHA-256 matched; [`Verified::sync`] makes it durable.
#[derive(Debug)]
pub struct Verified {
    pub path: PathBuf,
    file: File,
}

impl Verified {
    /// fdatasync and close; the staged file may then be moved into the store.
    pub fn sync(self) -> Result<PathBuf, ReassemblyError> {
        self.file.sync_data().map_err(|source| ReassemblyError::Io { path: self.path.clone(), source })?;
        Ok(self.path)
    }
}

#[cfg(test)]
mod tests;
