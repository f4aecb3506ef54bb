//! Which bytes of a file have arrived: a set of disjoint, non-adjacent half-open intervals.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct Ranges {
    /// start -> end (exclusive); intervals never overlap nor touch.
    map: BTreeMap<u64, u64>,
    covered: u64,
}

impl Ranges {
    pub fn covered(&self) -> u64 {
        self.covered
    }

    /// End of the interval that starts at 0 (how long a prefix has arrived).
    pub fn prefix_end(&self) -> u64 {
        match self.map.first_key_value() {
            Some((0, end)) => *end,
            _ => 0,
        }
    }

    /// The parts of [start, end) that have already arrived, in order.
    pub fn overlaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        // The interval that may begin before `start` and reach into it.
        if let Some((_, &e)) = self.map.range(..start).next_back() {
            if e > start {
                out.push((start, e.min(end)));
            }
        }
        for (&s, &e) in self.map.range(start..end) {
            out.push((s, e.min(end)));
        }
        out
    }

    /// The parts of [start, end) still missing, in order.
    pub fn gaps(&self, start: u64, end: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut at = start;
        for (s, e) in self.overlaps(start, end) {
            if s > at {
                out.push((at, s));
            }
            at = e;
        }
        if at < end {
            out.push((at, end));
        }
        out
    }

    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let mut new_start = start;
        let mut new_end = end;
        // Absorb every interval that overlaps or touches [start, end].
        let touching: Vec<(u64, u64)> = {
            let before = self.map.range(..start).next_back().filter(|(_, &e)| e >= start).map(|(&s, &e)| (s, e));
            before.into_iter().chain(self.map.range(start..=end).map(|(&s, &e)| (s, e))).collect()
        };
        for (s, e) in touching {
            self.map.remove(&s);
            self.covered -= e - s;
            new_start = new_start.min(s);
            new_end = new_end.max(e);
        }
        self.map.insert(new_start, new_end);
        self.covered += new_end - new_start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn merges_and_reports() {
        let mut r = Ranges::default();
        r.insert(10, 20);
        r.insert(30, 40);
        assert_eq!(r.gaps(0, 50), vec![(0, 10), (20, 30), (40, 50)]);
        assert_eq!(r.overlaps(15, 35), vec![(15, 20), (30, 35)]);
        r.insert(20, 30);
        assert_eq!(r.covered(), 30);
        assert_eq!(r.prefix_end(), 0);
        r.insert(0, 10);
        assert_eq!(r.prefix_end(), 40);
        assert_eq!(r.map.len(), 1);
    }

    proptest! {
        #[test]
        fn matches_a_bitmap(ops in proptest::collection::vec((0u64..200, 1u64..50), 1..40)) {
            let mut r = Ranges::default();
            let mut bits = vec![false; 260];
            for (s, len) in ops {
                let e = s + len;
                let gaps = r.gaps(s, e);
                let missing: u64 = gaps.iter().map(|(a, b)| b - a).sum();
                prop_assert_eq!(missing, (s..e).filter(|&i| !bits[i as usize]).count() as u64);
                r.insert(s, e);
                for i in s..e { bits[i as usize] = true; }
                prop_assert_eq!(r.covered(), bits.iter().filter(|b| **b).count() as u64);
                prop_assert_eq!(r.prefix_end(), bits.iter().take_while(|b| **b).count() as u64);
            }
        }
    }
}
