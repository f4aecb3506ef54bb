//! The loop every simulated seat runs (`pracownia simulate` and the benchmark's seats): what
//! falls due first, then one chunk of the outbox, so that a chat or a screenshot due meanwhile
//! goes next; files still queued when the time is up are finished.

use super::outbox::{ChunkSource, NextChunk, Outbox, Outgoing};
use super::timing::{Due, SeatTimer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What one kind of seat does with the schedule.
pub trait SeatWork<S: ChunkSource> {
    type Error;
    /// Something fell due: send it (chat, heartbeat) or queue it in `outbox` (a file).
    fn due(&mut self, what: Due, outbox: &mut Outbox<S>) -> Result<(), Self::Error>;
    /// Send chunk `c`, whose bytes are in `body` (it may be moved out and handed back).
    fn chunk(&mut self, c: &NextChunk, body: &mut Vec<u8>) -> Result<(), Self::Error>;
    /// The last chunk of `f` went out.
    fn finished(&mut self, f: Outgoing<S>);
}

/// Run `work` on `timer`'s schedule from `start` for `duration`, or until `stop`.
pub fn drive<S: ChunkSource, W: SeatWork<S>>(
    work: &mut W,
    mut timer: SeatTimer,
    start: Instant,
    duration: Duration,
    stop: &AtomicBool,
) -> Result<(), W::Error> {
    let mut outbox = Outbox::default();
    let mut body = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let running = start.elapsed() < duration;
        if !running && outbox.is_empty() {
            break;
        }
        if running {
            for what in timer.due(Instant::now()) {
                work.due(what, &mut outbox)?;
            }
        }
        if let Some(c) = outbox.peek() {
            outbox.fill(&c, &mut body);
            work.chunk(&c, &mut body)?;
            if let Some(f) = outbox.sent(&c) {
                work.finished(f);
            }
            continue;
        }
        let until_end = duration.saturating_sub(start.elapsed());
        let wake = timer.next_wake().saturating_duration_since(Instant::now());
        std::thread::sleep(wake.min(until_end).min(Duration::from_millis(100)));
    }
    Ok(())
}
