//! Counters shared by the threads, the event sink, and a log that does not flood.

use crate::events::{Event, Stats};
use crate::reject::{Reason, Refusal};
use crossbeam_channel::{Sender, TrySendError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct StatsCounter {
    pub messages: AtomicU64,
    pub chats: AtomicU64,
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub online: AtomicU64,
    pub events_dropped: AtomicU64,
    rejected: [AtomicU64; Reason::ALL.len()],
    /// Who sends with a wrong class code (from the refused messages' headers).
    pub wrong_code: super::wrong_code::WrongCode,
    log: Mutex<HashMap<Reason, (Instant, u64)>>,
}

/// At most this many log lines per reason per window; the rest are summed up.
const LOG_BURST: u64 = 5;
const LOG_WINDOW: Duration = Duration::from_secs(10);

impl StatsCounter {
    pub fn reject(&self, r: &Refusal, who: &str) {
        let i = Reason::ALL.iter().position(|x| *x == r.reason).expect("every reason is listed");
        self.rejected[i].fetch_add(1, Relaxed);
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let entry = log.entry(r.reason).or_insert((now, 0));
        if now.duration_since(entry.0) > LOG_WINDOW {
            if entry.1 > LOG_BURST {
                log::warn!(
                    "refused {} more messages ({}) in the last {}s",
                    entry.1 - LOG_BURST,
                    r.reason,
                    LOG_WINDOW.as_secs()
                );
            }
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 <= LOG_BURST {
            log::warn!("refused a message from {}: {r}", crate::text::Inert(who));
        }
    }

    pub fn snapshot(&self) -> Stats {
        let rejected = Reason::ALL
            .iter()
            .zip(&self.rejected)
            .filter_map(|(r, n)| match n.load(Relaxed) {
                0 => None,
                n => Some((r.code().to_owned(), n)),
            })
            .collect();
        Stats {
            messages: self.messages.load(Relaxed),
            chats: self.chats.load(Relaxed),
            files: self.files.load(Relaxed),
            bytes: self.bytes.load(Relaxed),
            online: self.online.load(Relaxed),
            rejected,
            events_dropped: self.events_dropped.load(Relaxed),
            wrong_code: self.wrong_code.snapshot(),
        }
    }
}

/// Hands events to the embedder without ever blocking the receiver: if nobody reads them, they
/// are counted as dropped (the store still holds everything).
#[derive(Clone)]
pub struct EventSink {
    tx: Sender<Event>,
    stats: Arc<StatsCounter>,
}

impl EventSink {
    pub fn new(tx: Sender<Event>, stats: Arc<StatsCounter>) -> Self {
        EventSink { tx, stats }
    }

    pub fn emit(&self, e: Event) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(e) {
            self.stats.events_dropped.fetch_add(1, Relaxed);
        }
    }
}
