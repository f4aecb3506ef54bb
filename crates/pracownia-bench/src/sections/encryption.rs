//! What encrypting the class (CurveZMQ) costs the receiver: the ingest section's Pracownia run,
//! in clear and over CURVE alternately in each repetition, on the same bytes and machine.

use super::{log, Ctx};
use crate::cli::Section;
use crate::report::{SummaryRow, Verdict};
use pracownia_bench::ingest::{self, Volume};
use pracownia_bench::seat::Pattern;
use pracownia_bench::stats::Sample;
use pracownia_bench::MIB;
use std::fmt::Write as _;

pub fn run(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>) {
    let v =
        if ctx.quick() { Volume { files: 4, file_size: 32 * MIB } } else { Volume { files: 16, file_size: 64 * MIB } };
    let chunks: &[usize] = &[64 << 10, 1 << 20];
    let p = Pattern::new((64 * MIB) as usize + 4093, 42);
    let store = ctx.args.work.join("curve-store");
    let gb = v.bytes() as f64 / 1e9;
    let _ = writeln!(
        md,
        "Item 1's Pracownia ingest ({} files × {} MiB = {} MiB from one student, until the last \
         `file_stored`), once in clear and once as an encrypted class (`Config::server_key`: CurveZMQ \
         with libsodium, ZAP handler, the student's key pinned), alternating within each repetition. \
         CPU is this process's (receiver and sender together, as in item 1): encryption costs both \
         ends, and on a lab network the sender is another computer.\n\n\
         | chunk | clear MB/s | CURVE MB/s | CURVE ÷ clear | clear CPU-s/GB | CURVE CPU-s/GB | extra CPU-s/GB | stored / verified (CURVE) |\n|---|---|---|---|---|---|---|---|",
        v.files,
        v.file_size / MIB,
        v.bytes() / MIB
    );
    let mut at_default = None;
    for &chunk in chunks {
        let (mut clear, mut curve, mut ratio) = (Sample::default(), Sample::default(), Sample::default());
        let (mut clear_cpu, mut curve_cpu, mut extra) = (Sample::default(), Sample::default(), Sample::default());
        let (mut stored, mut verified) = (0, 0);
        for rep in 0..ctx.reps {
            log(&format!("encryption: chunk {} KiB, repetition {}", chunk >> 10, rep + 1));
            let c = ingest::pracownia_with(&store, &p, chunk, v, false, false);
            let e = ingest::pracownia_with(&store, &p, chunk, v, true, true);
            clear.push(c.mbps);
            curve.push(e.mbps);
            ratio.push(e.mbps / c.mbps);
            clear_cpu.push(c.cpu_secs / gb);
            curve_cpu.push(e.cpu_secs / gb);
            extra.push((e.cpu_secs - c.cpu_secs) / gb);
            stored += e.stored;
            verified += e.verified;
        }
        let _ = writeln!(
            md,
            "| {} KiB | {} | {} | {} | {} | {} | {} | {stored}/{verified} of {} |",
            chunk >> 10,
            clear.show(0),
            curve.show(0),
            ratio.show(2),
            clear_cpu.show(2),
            curve_cpu.show(2),
            extra.show(2),
            v.files * ctx.reps
        );
        if chunk == 1 << 20 {
            at_default = Some((curve, ratio, extra));
        }
    }
    md.push('\n');
    if let Some((curve, ratio, extra)) = at_default {
        summary.push(SummaryRow::new(
            Section::Encryption,
            "encryption (1 MiB chunks)",
            format!("CURVE {} MB/s, {} × clear; +{} CPU-s/GB", curve.show(0), ratio.show(2), extra.show(2)),
            "(report)",
            Verdict::Reported,
        ));
    }
}
