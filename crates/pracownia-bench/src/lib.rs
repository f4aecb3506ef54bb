//! Pracownia's benchmarks' measurements, as a library so that the smoke tests (`tests/smoke.rs`)
//! run the same code at a small scale. The binary (`src/main.rs`, `sections/`, `report/`) runs
//! them and writes the report, `bench/RESULTS.md`.

pub mod class;
pub mod index;
pub mod ingest;
pub mod memory;
pub mod seat;
pub mod stats;

use std::time::{SystemTime, UNIX_EPOCH};

/// Wall clock in milliseconds (fractional), the same clock the receiver stamps events with.
pub fn wall_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

pub const MIB: u64 = 1 << 20;

/// MB/s (10^6 bytes per second), the unit of every throughput here.
pub fn mbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs.max(1e-9) / 1e6
}
