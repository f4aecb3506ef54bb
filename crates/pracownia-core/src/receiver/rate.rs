//! Rates a hostile sender cannot exceed (issue 12): new student ids for the whole receiver and
//! per connection, and per id its chats and hand changes and the refusals journaled for it.
//! Token buckets: a burst passes at once, then a steady rate; what is over is refused and counted
//! (`rate_limited`, `too_many_ids`), and every other id keeps its own budget.

pub use crate::limits::Rate;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Instant;
use uuid::Uuid;

/// A bucket of `burst` tokens refilled at `per_second`.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn full(rate: Rate, now: Instant) -> Self {
        Bucket { tokens: rate.burst, last: now }
    }

    /// Take one token if there is one.
    pub fn take(&mut self, rate: Rate, now: Instant) -> bool {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + dt * rate.per_second).min(rate.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Full again (so forgetting it changes nothing).
    fn is_full(&self, rate: Rate, now: Instant) -> bool {
        self.tokens + now.saturating_duration_since(self.last).as_secs_f64() * rate.per_second >= rate.burst
    }
}

/// Which budget refused a new id (or pin): the connection's or the whole receiver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    Connection,
    Receiver,
}

/// One new id (or pin) from the receiver's bucket and the connection's (when its number is
/// known), taken only when both have room: a connection over its own budget spends nothing of
/// the receiver's.
pub fn take_both(
    receiver: &mut Bucket,
    rate: Rate,
    per_conn: &mut PerKey<u64>,
    conn: Option<u64>,
    now: Instant,
) -> Result<(), Over> {
    if conn.is_some_and(|n| !per_conn.has(n, now)) {
        return Err(Over::Connection);
    }
    if !receiver.take(rate, now) {
        return Err(Over::Receiver);
    }
    if let Some(n) = conn {
        per_conn.take(n, now);
    }
    Ok(())
}

/// One bucket per key (a student id, a connection), forgotten once full again so the map stays
/// as small as the set of keys active in the last refill period; at most `cap` buckets.
#[derive(Debug)]
pub struct PerKey<K> {
    rate: Rate,
    buckets: HashMap<K, Bucket>,
    cap: usize,
}

pub type PerId = PerKey<Uuid>;

impl<K: Hash + Eq + Ord + Copy> PerKey<K> {
    pub fn new(rate: Rate) -> Self {
        Self::bounded(rate, usize::MAX)
    }

    /// At most `cap` buckets: past it the full ones are forgotten, then the smallest keys
    /// (connection numbers grow, so the oldest connections); a forgotten key starts full again.
    pub fn bounded(rate: Rate, cap: usize) -> Self {
        PerKey { rate, buckets: HashMap::new(), cap: cap.max(1) }
    }

    /// Would `take` succeed? Takes nothing and remembers nothing.
    pub fn has(&self, key: K, now: Instant) -> bool {
        self.buckets.get(&key).is_none_or(|b| {
            let mut b = *b;
            b.take(self.rate, now)
        })
    }

    pub fn take(&mut self, key: K, now: Instant) -> bool {
        let rate = self.rate;
        if !self.buckets.contains_key(&key) && self.buckets.len() >= self.cap {
            self.forget_full(now);
            while self.buckets.len() >= self.cap {
                let oldest = *self.buckets.keys().min().expect("cap is at least 1");
                self.buckets.remove(&oldest);
            }
        }
        self.buckets.entry(key).or_insert_with(|| Bucket::full(rate, now)).take(rate, now)
    }

    /// Drop the buckets that have refilled (called from the worker's tick).
    pub fn forget_full(&mut self, now: Instant) {
        let rate = self.rate;
        self.buckets.retain(|_, b| !b.is_full(rate, now));
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_passes_its_burst_then_its_rate() {
        let rate = Rate { per_second: 5.0, burst: 20.0 };
        let t0 = Instant::now();
        let mut b = Bucket::full(rate, t0);
        assert_eq!((0..100).filter(|_| b.take(rate, t0)).count(), 20);
        // One second later: five more.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!((0..100).filter(|_| b.take(rate, t1)).count(), 5);
    }

    #[test]
    fn ids_have_their_own_buckets_and_full_ones_are_forgotten() {
        let mut p = PerId::new(Rate { per_second: 1.0, burst: 2.0 });
        let (a, b, t0) = (Uuid::new_v4(), Uuid::new_v4(), Instant::now());
        assert!(p.take(a, t0) && p.take(a, t0) && !p.take(a, t0));
        assert!(p.take(b, t0), "b is not slowed by a");
        p.forget_full(t0 + Duration::from_secs(3));
        assert!(p.buckets.is_empty());
    }

    #[test]
    fn has_takes_nothing_and_a_bounded_map_forgets_the_oldest_keys() {
        let rate = Rate { per_second: 0.0, burst: 1.0 };
        let mut p = PerKey::<u64>::bounded(rate, 3);
        let t0 = Instant::now();
        assert!(p.has(1, t0) && p.has(1, t0), "has() takes nothing");
        assert_eq!(p.len(), 0, "nor remembers the key");
        assert!(p.take(1, t0) && !p.has(1, t0) && !p.take(1, t0));
        for k in 2..=10 {
            assert!(p.take(k, t0));
            assert!(p.len() <= 3, "{} buckets", p.len());
        }
        assert!(!p.has(10, t0), "the newest keys are kept");
        assert!(p.has(1, t0), "the oldest was forgotten (and starts full)");
    }
}
