//! A `pracownia serve` process under test (the memory and class sections): its endpoint, peak RSS
//! and CPU time from /proc, and one big file sent to it.

use crate::seat::{Pattern, Seat};
use crate::{mbps, wall_ms};
use pracownia_core::index::IndexReader;
use pracownia_core::model::{FileKind, TimelineKind};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

pub struct Serve {
    child: Child,
    pub endpoint: String,
    pub store: PathBuf,
}

impl Serve {
    /// Start `pracownia serve` on a free loopback port with a fresh store.
    pub fn start(bin: &Path, store: &Path) -> Serve {
        let _ = std::fs::remove_dir_all(store);
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0", "--bind", "127.0.0.1", "--free-disk-floor-mib", "0", "--store"])
            .arg(store)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pracownia serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line).expect("reads its stdout");
        let endpoint =
            line.trim().strip_prefix("listening on ").expect("the listening line").replace("0.0.0.0", "127.0.0.1");
        Serve { child, endpoint, store: store.to_path_buf() }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn status_kib(&self, field: &str) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        s.lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Peak resident set size so far (VmHWM), MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.status_kib("VmHWM:") as f64 / 1024.0
    }

    /// CPU seconds (user + system) used so far.
    pub fn cpu_secs(&self) -> f64 {
        cpu_secs_of(&format!("/proc/{}/stat", self.pid()))
    }

    /// SIGINT (as Ctrl+C) and wait for it to finish its writes and exit.
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-INT", &self.pid().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU seconds (user + system) used so far by the process whose `/proc/<pid>/stat` this is.
pub fn cpu_secs_of(stat: &str) -> f64 {
    let s = std::fs::read_to_string(stat).unwrap_or_default();
    // Fields after the ")" that ends the command name: state is field 3; utime 14, stime 15.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(14) + ticks(15)) / clock_ticks()
}

/// Asked once: it starts a process, which must not happen inside a timed stage.
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// Wait until the index shows `n` events of `kind`; false on timeout.
pub fn wait_for(store: &Path, kind: TimelineKind, n: usize, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(r) = IndexReader::open(store) {
            let mut after = None;
            let mut count = 0;
            while let Ok(page) = r.timeline(None, after, 5000) {
                if page.is_empty() {
                    break;
                }
                count += page.iter().filter(|e| e.kind() == kind).count();
                after = page.last().map(|e| e.id);
            }
            if count >= n {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[derive(Debug, Clone)]
pub struct MemoryRun {
    pub size: u64,
    pub idle_rss_mib: f64,
    pub peak_rss_mib: f64,
    pub mbps: f64,
    pub stored: bool,
}

/// The memory section: one .blend of `size` bytes into a fresh `pracownia serve`; its peak RSS.
pub fn one_big_file(bin: &Path, store: &Path, size: u64, chunk: usize, p: &Pattern) -> MemoryRun {
    let serve = Serve::start(bin, store);
    let stop = AtomicBool::new(false);
    let ctx = zmq::Context::new();
    let sha = p.sha256(size);
    let mut seat = Seat::connect(&ctx, &serve.endpoint, 0, chunk, &stop).expect("connects");
    std::thread::sleep(Duration::from_millis(300));
    let idle = serve.peak_rss_mib();
    let t0 = wall_ms();
    seat.send_file(FileKind::Blend, "big.blend", size, &sha, chunk, &|at, b| p.fill(at, b), &stop).expect("sends");
    let stored = wait_for(store, TimelineKind::Blend, 1, Duration::from_secs(600));
    let secs = (wall_ms() - t0) / 1000.0;
    let peak = serve.peak_rss_mib();
    drop(seat);
    serve.stop();
    let _ = std::fs::remove_dir_all(store);
    MemoryRun { size, idle_rss_mib: idle, peak_rss_mib: peak, mbps: mbps(size, secs), stored }
}
