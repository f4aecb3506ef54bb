//! Memory bound: one big .blend at a time to a fresh `pracownia serve`, its peak RSS by file size.

use super::{log, Ctx};
use crate::cli::Section;
use crate::report::{SummaryRow, Verdict};
use pracownia_bench::memory;
use pracownia_bench::seat::Pattern;
use pracownia_bench::stats::Sample;
use pracownia_bench::MIB;
use std::fmt::Write as _;

pub fn run(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>) {
    let sizes: Vec<u64> = if ctx.quick() { vec![64 * MIB, 256 * MIB] } else { vec![256 * MIB, 1024 * MIB, 2048 * MIB] };
    let reps = if ctx.quick() { 1 } else { 2 };
    let p = Pattern::new((64 * MIB) as usize + 4093, 7);
    let _ = writeln!(
        md,
        "One .blend of each size sent (1 MiB chunks) to a fresh `pracownia serve` process; peak RSS is \
         the process's `VmHWM` from `/proc/<pid>/status` once the file is in the index. `idle` is VmHWM \
         after a student connected, before the file. Throughput is from the first chunk to the blend \
         appearing in the index.\n\n| file | idle RSS MiB | peak RSS MiB | MB/s | stored |\n|---|---|---|---|---|"
    );
    let mut peak_max: f64 = 0.0;
    let mut peaks = Vec::new();
    for &size in &sizes {
        let (mut idle, mut peak, mut tp) = (Sample::default(), Sample::default(), Sample::default());
        let mut ok = 0;
        for rep in 0..reps {
            log(&format!("memory: {} MiB, repetition {}", size / MIB, rep + 1));
            let r = memory::one_big_file(&ctx.args.serve_bin, &ctx.args.work.join("mem-store"), size, 1 << 20, &p);
            idle.push(r.idle_rss_mib);
            peak.push(r.peak_rss_mib);
            tp.push(r.mbps);
            ok += r.stored as usize;
        }
        peak_max = peak_max.max(peak.max());
        peaks.push(peak.median());
        let _ =
            writeln!(md, "| {} MiB | {} | {} | {} | {ok}/{reps} |", size / MIB, idle.show(1), peak.show(1), tp.show(0));
    }
    let flat = peaks.last().copied().unwrap_or(0.0) - peaks.first().copied().unwrap_or(0.0);
    let _ = writeln!(md, "\nPeak RSS grows by {flat:.1} MiB from the smallest to the largest file.\n");
    let (smallest, largest) = (sizes[0], sizes[sizes.len() - 1]);
    summary.push(SummaryRow::new(
        Section::Memory,
        format!("memory ({} MiB file)", largest / MIB),
        format!("peak RSS {peak_max:.1} MiB; {flat:+.1} MiB from {} MiB", smallest / MIB),
        "< 64 MiB, flat",
        Verdict::of(peak_max < 64.0 && flat < 8.0),
    ));
}
