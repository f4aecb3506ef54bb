//! The receiver's open-file limit. Each open transfer holds its staging file, and the store, the
//! index, the watcher and ZeroMQ hold more; a desktop's default soft limit (often 1024, 256 on
//! macOS) is far under the hard limit the system would allow, so the receiver raises its own soft
//! limit at start rather than fail with EMFILE in the middle of a class.

/// Raise the soft RLIMIT_NOFILE to the hard limit (on macOS, at most `OPEN_MAX`, which
/// `setrlimit` requires). Returns the limits before and after, or `None` where nothing was done.
#[cfg(unix)]
#[allow(clippy::useless_conversion)] // rlim_t is u64 on Linux and macOS, not on every unix
pub fn raise_open_files_limit() -> Option<(u64, u64)> {
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        let before = lim.rlim_cur;
        #[allow(unused_mut)]
        let mut want = lim.rlim_max;
        #[cfg(target_os = "macos")]
        {
            want = want.min(libc::OPEN_MAX as libc::rlim_t);
        }
        if want <= before {
            return Some((u64::from(before), u64::from(before)));
        }
        lim.rlim_cur = want;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            return None;
        }
        Some((u64::from(before), u64::from(want)))
    }
}

/// Windows has no such per-process soft limit for the handles the receiver uses.
#[cfg(not(unix))]
pub fn raise_open_files_limit() -> Option<(u64, u64)> {
    None
}
