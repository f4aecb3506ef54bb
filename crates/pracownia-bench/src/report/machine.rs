//! The machine and the conditions of a run, for the report's first table.

use crate::cli::Args;
use std::process::Command;

/// A shell command's standard output, trimmed; empty when it cannot run.
pub fn sh(cmd: &str) -> String {
    Command::new("sh")
        .args(["-c", cmd])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The 1, 5 and 15 minute load averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn conditions(a: &Args, (load_start, load_end): (&str, &str), secs: f64) -> String {
    let commit = sh("git rev-parse --short HEAD 2>/dev/null; \
                     git status --porcelain 2>/dev/null | grep -q . && echo '(+ uncommitted changes)'");
    let disk = sh(&format!("df -hT {} | tail -1 | awk '{{print $1\" \"$2\", \"$5\" free\"}}'", a.work.display()));
    let rows = [
        ("date (UTC)", chrono::Utc::now().format("%Y-%m-%d %H:%M").to_string()),
        ("commit", commit.replace('\n', " ")),
        ("CPU", format!("{} × {}", sh("nproc"), sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"))),
        ("memory", sh("grep MemTotal /proc/meminfo | awk '{printf \"%.1f GiB\", $2/1048576}'")),
        ("kernel", sh("uname -r")),
        ("scratch disk", format!("{} ({disk})", a.work.display())),
        ("rustc", sh("rustc --version")),
        ("load average (1, 5, 15 min) at start / end", format!("{load_start} / {load_end}")),
        (
            "mode",
            format!(
                "{} ; class: {} ; repetitions: {}",
                if a.quick { "--quick" } else { "full" },
                a.class().name(),
                a.reps()
            ),
        ),
    ];
    let mut md = String::from("## Machine and conditions\n\n| | |\n|---|---|\n");
    for (k, v) in rows {
        md.push_str(&format!("| {k} | {v} |\n"));
    }
    md.push_str(&format!("| total run time | {secs:.0} s |\n\n"));
    md.push_str(
        "The machine has 2 cores shared with other engineers compiling and testing during the run: \
         absolute figures are noisy; the ratios (Pracownia vs the slowest stage, measured in the same \
         repetition) are what count. Every figure is `median (min–max, n=repetitions)`. 1 MB = 10^6 bytes.\n\n",
    );
    md
}
