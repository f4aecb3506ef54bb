//! Rates a hostile sender cannot exceed (issue 12): new student ids for the whole receiver, and
//! per id its chats and hand changes and the refusals journaled for it. Token buckets: a burst
//! passes at once, then a steady rate; what is over is refused and counted (`rate_limited`), and
//! every other id keeps its own budget.

pub use crate::limits::Rate;
use std::collections::HashMap;
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

/// One bucket per student id, forgotten once full again so the map stays as small as the set
/// of ids active in the last few seconds.
#[derive(Debug)]
pub struct PerId {
    rate: Rate,
    buckets: HashMap<Uuid, Bucket>,
}

impl PerId {
    pub fn new(rate: Rate) -> Self {
        PerId { rate, buckets: HashMap::new() }
    }

    pub fn take(&mut self, id: Uuid, now: Instant) -> bool {
        let rate = self.rate;
        self.buckets.entry(id).or_insert_with(|| Bucket::full(rate, now)).take(rate, now)
    }

    /// Drop the buckets that have refilled (called from the worker's tick).
    pub fn forget_full(&mut self, now: Instant) {
        let rate = self.rate;
        self.buckets.retain(|_, b| !b.is_full(rate, now));
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
}
