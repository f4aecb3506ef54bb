//! The inbound budget of our libzmq (crates/zeromq-src/README.md): a bound on everything the
//! process holds of what peers sent, unfinished multipart messages included. Without it libzmq
//! keeps every frame of a message until its last one arrives (MAXMSGSIZE bounds one frame,
//! RCVHWM counts whole messages), so one raw ZMTP peer could grow the receiver without bound
//! before any check of ours (issue 12, docs/SECURITY.md "Memory"). With it, a frame that would
//! take the process past the budget, or one message past two frames' worth of bytes or 64
//! frames, drops that peer's connection and frees its half message; students reconnect and
//! resend by themselves.
//!
//! The budget is the process's, not one socket's: every receiver in the process shares it.

use std::sync::atomic::{AtomicU64, Ordering};

extern "C" {
    fn zmq_pracownia_inbound_budget(bytes: i64);
    fn zmq_pracownia_inbound_bytes() -> i64;
    fn zmq_pracownia_inbound_refused() -> u64;
}

/// Sets the budget in bytes (0: off, libzmq's own behaviour). Applies to frames queued from now.
pub fn set_budget(bytes: i64) {
    // SAFETY: stores into an atomic; no pointers, callable from any thread.
    unsafe { zmq_pracownia_inbound_budget(bytes) }
}

/// Bytes held now (each frame counted with a 64-byte overhead), for tests and benchmarks.
pub fn held() -> i64 {
    // SAFETY: loads an atomic.
    unsafe { zmq_pracownia_inbound_bytes() }
}

/// Connections dropped for the budget since the process started.
pub fn refused() -> u64 {
    // SAFETY: loads an atomic.
    unsafe { zmq_pracownia_inbound_refused() }
}

/// Logs, at most once per call, how many connections were dropped since the last call that
/// logged (the socket thread calls it once a second).
pub fn log_refusals(seen: &AtomicU64) {
    let now = refused();
    let before = seen.swap(now, Ordering::Relaxed);
    if now > before {
        log::warn!(
            "dropped {} connection(s) that sent more than the receiver holds of unread messages \
             (a message longer than two frames' worth, or the process's inbound budget reached)",
            now - before
        );
    }
}
