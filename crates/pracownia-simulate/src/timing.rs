//! When a simulated seat sends what. Periodic sends are spread over their period by the seat's
//! index (a golden-ratio sequence: evenly spread for any class size), the deterministic
//! counterpart of the add-on's jitter, so a class does not send all its 50 MiB .blend copies
//! in the same second. `Phase::Aligned` keeps the old 1 s stagger as a worst case for benchmarks.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Each seat's periodic sends start at its own point of the period.
    Spread,
    /// Every seat within the first second of each period (all .blend copies at once).
    Aligned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    Heartbeat,
    Screenshot,
    Chat,
    Blend,
}

const HEARTBEAT: Duration = Duration::from_secs(2);

/// Where in its period seat `index` sends: a fraction in [0, 1).
fn spread(index: usize, shift: f64) -> f64 {
    const GOLDEN: f64 = 0.618_033_988_749_895;
    (index as f64 * GOLDEN + shift).fract()
}

pub struct SeatTimer {
    next: [(Due, Option<Instant>, Option<Duration>); 4],
}

impl SeatTimer {
    pub fn new(
        index: usize,
        start: Instant,
        phase: Phase,
        shot_every: Option<Duration>,
        chat_every: Option<Duration>,
        blend_every: Option<Duration>,
    ) -> Self {
        let stagger = Duration::from_millis((index as u64 * 137) % 1000);
        let first = |every: Option<Duration>, shift: f64, aligned: Duration| {
            every.map(|e| match phase {
                Phase::Spread => start + e.mul_f64(spread(index, shift)),
                Phase::Aligned => start + aligned,
            })
        };
        SeatTimer {
            next: [
                (Due::Heartbeat, Some(start), Some(HEARTBEAT)),
                (Due::Screenshot, first(shot_every, 0.0, stagger), shot_every),
                (Due::Chat, first(chat_every, 0.5, stagger + chat_every.unwrap_or_default() / 2), chat_every),
                (Due::Blend, first(blend_every, 0.25, stagger + Duration::from_millis(300)), blend_every),
            ],
        }
    }

    /// What is due at `now` (each at most once), scheduling its next time.
    pub fn due(&mut self, now: Instant) -> Vec<Due> {
        let mut out = Vec::new();
        for (what, at, every) in &mut self.next {
            if let (Some(t), Some(e)) = (*at, *every) {
                if now >= t {
                    out.push(*what);
                    // A heartbeat counts from when it went; the rest keep their rhythm.
                    *at = Some(if *what == Due::Heartbeat { now + e } else { t + e });
                }
            }
        }
        out
    }

    /// The next moment something is due.
    pub fn next_wake(&self) -> Instant {
        self.next.iter().filter_map(|(_, at, _)| *at).min().expect("the heartbeat is always scheduled")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_blend(index: usize, phase: Phase, start: Instant) -> Duration {
        let every = Duration::from_secs(60);
        let mut t = SeatTimer::new(index, start, phase, None, None, Some(every));
        let mut at = start;
        loop {
            if t.due(at).contains(&Due::Blend) {
                return at - start;
            }
            at += Duration::from_millis(100);
        }
    }

    /// Spread: 100 seats' first .blend copies fall in every tenth of the minute; aligned: all in
    /// the first 1.3 s (the old behaviour, kept as the benchmark's worst case).
    #[test]
    fn spread_covers_the_period_and_aligned_does_not() {
        let start = Instant::now();
        let mut tenths = [0usize; 10];
        for i in 0..100 {
            let d = first_blend(i, Phase::Spread, start);
            assert!(d < Duration::from_secs(60));
            tenths[(d.as_secs_f64() / 6.0) as usize] += 1;
        }
        assert!(tenths.iter().all(|&n| (7..=13).contains(&n)), "{tenths:?}");
        for i in 0..100 {
            assert!(first_blend(i, Phase::Aligned, start) <= Duration::from_millis(1300));
        }
    }

    /// Each kind comes once per period, and the heartbeat every 2 s.
    #[test]
    fn each_kind_keeps_its_period() {
        let start = Instant::now();
        let s = Duration::from_secs;
        let mut t = SeatTimer::new(7, start, Phase::Spread, Some(s(5)), Some(s(30)), Some(s(60)));
        let mut counts = std::collections::HashMap::new();
        let mut at = start;
        while at < start + s(120) {
            for d in t.due(at) {
                *counts.entry(d).or_insert(0) += 1;
            }
            at += Duration::from_millis(50);
        }
        assert_eq!(counts[&Due::Screenshot], 24);
        assert_eq!(counts[&Due::Chat], 4);
        assert_eq!(counts[&Due::Blend], 2);
        assert_eq!(counts[&Due::Heartbeat], 60);
    }
}
