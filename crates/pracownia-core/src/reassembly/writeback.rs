//! Early writeback: asking the kernel to start writing a transfer's bytes to disk while the rest
//! is still arriving. Without it the page cache holds the whole file until the final fdatasync,
//! so receiving and writing run one after the other; with it they overlap and the final flush
//! has little left to do. Only a hint: durability still comes from `Verified::sync`.

use std::fs::File;

/// Contiguous bytes between two hints (a few hundred per second at most at disk speed).
pub const WRITEBACK_STEP: u64 = 8 << 20;

/// A range of a staging file to start writing out, with its own handle to the file so another
/// thread can do it while the worker goes on (the file may be renamed meanwhile).
#[derive(Debug)]
pub struct Writeback {
    file: File,
    from: u64,
    to: u64,
}

impl Writeback {
    pub(super) fn new(file: File, from: u64, to: u64) -> Self {
        Writeback { file, from, to }
    }

    pub fn range(&self) -> (u64, u64) {
        (self.from, self.to)
    }

    /// Start writing the range out without waiting for it (it may wait for a full device queue,
    /// which is why it runs on its own thread). Errors are ignored: the final fdatasync reports them.
    pub fn start(self) {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: a valid open descriptor and a plain integer range.
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    self.from as libc::off64_t,
                    (self.to - self.from) as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
    }
}

/// Whether hints do anything on this system (elsewhere the OS's own writeback is left alone).
pub const SUPPORTED: bool = cfg!(target_os = "linux");
