//! Medians, spreads and percentiles.

/// Several measurements of one figure.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub values: Vec<f64>,
}

impl Sample {
    pub fn push(&mut self, v: f64) {
        self.values.push(v);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.values.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    }

    pub fn median(&self) -> f64 {
        percentile(&self.sorted(), 50.0)
    }

    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }

    /// "median (min–max, n=N)" with `digits` decimals.
    pub fn show(&self, digits: usize) -> String {
        if self.values.len() <= 1 {
            return format!("{:.*} (n=1)", digits, self.median());
        }
        format!(
            "{:.*} ({:.*}–{:.*}, n={})",
            digits,
            self.median(),
            digits,
            self.min(),
            digits,
            self.max(),
            self.values.len()
        )
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50, p95, p99 and max of unsorted values.
pub fn pcts(values: &[f64]) -> (f64, f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    (percentile(&v, 50.0), percentile(&v, 95.0), percentile(&v, 99.0), v.last().copied().unwrap_or(f64::NAN))
}
