//! Ingest vs the physical limit: raw ZeroMQ, SHA-256 and an fdatasync'd write, each alone, and
//! Pracownia's receiver doing all three, on the same bytes, per chunk size.

use super::{log, Ctx};
use crate::cli::Section;
use crate::report::{SummaryRow, Verdict};
use pracownia_bench::ingest::{self, Volume};
use pracownia_bench::seat::Pattern;
use pracownia_bench::stats::Sample;
use pracownia_bench::MIB;
use std::fmt::Write as _;

pub fn run(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>) {
    let work = &ctx.args.work;
    let v =
        if ctx.quick() { Volume { files: 4, file_size: 32 * MIB } } else { Volume { files: 16, file_size: 64 * MIB } };
    let chunks: &[usize] = &[64 << 10, 256 << 10, 1 << 20, 4 << 20];
    let p = Pattern::new((64 * MIB) as usize + 4093, 42);
    let store = work.join("ingest-store");
    let seq = work.join("seq-write");
    let _ = writeln!(
        md,
        "Volume per repetition: {} files × {} MiB = {} MiB, sent by one student over one connection as \
         chunked `blend` transfers. Per repetition and chunk size, on the same bytes and one after another:\n\n\
         - **raw ZeroMQ**: the same 3 frames (topic, a chunk header, a body) from the students' socket \
           (core's `StudentSocket`: XPUB, XPUB_NODROP, SNDHWM `sndhwm_for(chunk)`: about 8 MiB of chunks, {} for 1 MiB) to a SUB (RCVHWM 32) on 127.0.0.1, \
           nothing done with them;\n\
         - **SHA-256**: one core, `sha2` in chunk-sized updates, from memory;\n\
         - **fdatasync'd write**: the volume written file by file in chunk-sized `write`s to the store's \
           disk, each file `fdatasync`'d once at its end (what `Transfer::finish` does);\n\
         - **Pracownia**: an in-process `Receiver` on a fresh store, from the first chunk sent until the \
           last `file_stored` event (reassembled, SHA-256 verified, fsynced, renamed, journalled, indexed). \
           After the clock stops, every stored file is re-hashed from disk.\n\n\
         ratio = Pracownia ÷ the slowest of the three stages, in the same repetition. Target ≥ 0.8.\n",
        v.files,
        v.file_size / MIB,
        v.bytes() / MIB,
        pracownia_simulate::SNDHWM
    );
    let _ = writeln!(
        md,
        "| chunk | raw ZeroMQ MB/s | SHA-256 MB/s | fdatasync'd write MB/s | Pracownia MB/s | ratio to slowest | stored / verified |\n|---|---|---|---|---|---|---|"
    );
    let gb = v.bytes() as f64 / 1e9;
    let mut cpu_rows = Vec::new();
    let mut best: Option<(usize, f64, Sample)> = None;
    let mut at_default = None;
    for &chunk in chunks {
        let (mut z, mut h, mut d, mut pr, mut ratio) =
            (Sample::default(), Sample::default(), Sample::default(), Sample::default(), Sample::default());
        let (mut zc, mut hc, mut dc, mut pc) =
            (Sample::default(), Sample::default(), Sample::default(), Sample::default());
        let (mut stored, mut verified) = (0, 0);
        // More repetitions at the default chunk size: its ratio is the one the target is about.
        let reps = if chunk == 1 << 20 && !ctx.quick() { ctx.reps + 2 } else { ctx.reps };
        for rep in 0..reps {
            log(&format!("ingest: chunk {} KiB, repetition {}", chunk >> 10, rep + 1));
            let zv = ingest::raw_zmq(chunk, v.bytes());
            let hv = ingest::sha256(&p, chunk, v.bytes());
            // The disk's speed drifts by the second here: measure it just before and just after
            // Pracownia and take the two together (total bytes / total time).
            let d1 = ingest::disk_write(&seq, &p, chunk, v);
            let r = ingest::pracownia(&store, &p, chunk, v, true);
            let d2 = ingest::disk_write(&seq, &p, chunk, v);
            let dv = 2.0 / (1.0 / d1.mbps + 1.0 / d2.mbps);
            z.push(zv.mbps);
            h.push(hv.mbps);
            d.push(dv);
            pr.push(r.mbps);
            ratio.push(r.mbps / zv.mbps.min(hv.mbps).min(dv));
            zc.push(zv.cpu_secs / gb);
            hc.push(hv.cpu_secs / gb);
            dc.push((d1.cpu_secs + d2.cpu_secs) / 2.0 / gb);
            pc.push(r.cpu_secs / gb);
            stored += r.stored;
            verified += r.verified;
        }
        let _ = writeln!(
            md,
            "| {} KiB | {} | {} | {} | {} | {} | {stored}/{verified} of {} |",
            chunk >> 10,
            z.show(0),
            h.show(0),
            d.show(0),
            pr.show(0),
            ratio.show(2),
            v.files * reps
        );
        let sum = zc.median() + hc.median() + dc.median();
        cpu_rows.push(format!(
            "| {} KiB | {:.2} | {:.2} | {:.2} | {sum:.2} | {:.2} | {:.0} |",
            chunk >> 10,
            zc.median(),
            hc.median(),
            dc.median(),
            pc.median(),
            2.0 / sum * 1000.0
        ));
        if chunk == 1 << 20 {
            at_default = Some(ratio.clone());
        }
        if best.as_ref().is_none_or(|b| pr.median() > b.1) {
            best = Some((chunk, pr.median(), ratio.clone()));
        }
    }
    let _ = writeln!(
        md,
        "\nCPU time this process spent per GB in each stage (user + system, all its threads incl. ZeroMQ's \
         I/O threads and the sender; the kernel's writeback threads are not counted), medians. On 2 cores, \
         no implementation that does all three stages can go faster than 2 ÷ their sum:\n\n\
         | chunk | raw ZeroMQ CPU-s/GB | SHA-256 | write | sum of stages | Pracownia | 2 cores ÷ sum, MB/s |\n|---|---|---|---|---|---|---|"
    );
    for row in cpu_rows {
        let _ = writeln!(md, "{row}");
    }
    if let Some((bc, _, br)) = best {
        let _ = writeln!(md, "\nFastest Pracownia ingest at {} KiB chunks (ratio {}).\n", bc >> 10, br.show(2));
    }
    if let Some(r) = at_default {
        summary.push(SummaryRow::new(
            Section::Ingest,
            "ingest (1 MiB chunks)",
            format!("ratio to slowest stage {}", r.show(2)),
            "≥ 0.8",
            Verdict::of(r.median() >= 0.8),
        ));
    }
}
