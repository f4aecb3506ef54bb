//! A big class against a `pracownia serve` process: without blends, at the chosen scale, and in
//! the worst case (every seat's .blend in the same second); loss, latency, the receiver's cost.

use super::{log, Ctx};
use crate::cli::{ClassScale, Section};
use crate::report::{SummaryRow, Verdict};
use pracownia_bench::class::{self, ClassConfig};
use pracownia_bench::memory::Serve;
use pracownia_bench::stats::Sample;
use pracownia_bench::MIB;
use pracownia_simulate::Phase;
use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

fn config(scale: ClassScale) -> ClassConfig {
    let mut c = ClassConfig {
        students: 100,
        duration: Duration::from_secs(300),
        shot_every: Some(Duration::from_secs(5)),
        shot_size: (1920, 1080),
        chat_every: Some(Duration::from_secs(30)),
        blend_every: Some(Duration::from_secs(60)),
        blend_size: 50 * MIB,
        chunk: 1 << 20,
        poll: Duration::from_millis(5),
        verify_on_disk: true,
        drain: Duration::from_secs(180),
        phase: Phase::Spread,
        server_key: None,
    };
    match scale {
        ClassScale::Full => {}
        ClassScale::Scaled => c.duration = Duration::from_secs(60),
        ClassScale::Quick => {
            c.students = 20;
            c.duration = Duration::from_secs(15);
            c.blend_size = 10 * MIB;
            c.blend_every = Some(Duration::from_secs(10));
            c.chat_every = Some(Duration::from_secs(5));
            c.drain = Duration::from_secs(60);
        }
    }
    c
}

/// One class run and what the report says about it.
struct Run<'a> {
    cfg: &'a ClassConfig,
    /// The paragraph's opening: which class this is.
    scale: &'a str,
    /// In the summary's labels, e.g. `scaled`.
    tag: &'a str,
    /// Whether the latency target applies (not to the worst case).
    target: bool,
}

pub fn run(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>) {
    let c = config(ctx.class);
    let scale = match ctx.class {
        ClassScale::Full => "**Full scale** as in the issue".to_owned(),
        ClassScale::Scaled => "**Scaled in time only**: the issue's class and rates, run for 60 s instead of 5 minutes (one round of blends)".to_owned(),
        ClassScale::Quick => "**Quick**: a small class (smoke-sized), not the issue's scale".to_owned(),
    };
    let quick = ctx.class == ClassScale::Quick;
    // The same class without blends first: what the receiver adds when the disk is not saturated
    // by a burst of 100 × 50 MiB (every student's later messages queue behind its own blend). It
    // runs first so that it does not meet the writeback and deletion of the big class's store.
    let mut nb = c.clone();
    nb.blend_every = None;
    nb.duration = if quick { Duration::from_secs(10) } else { Duration::from_secs(30) };
    let nb_scale =
        format!("### Without blends\n\nThe same class for {} s with screenshots and chat only", nb.duration.as_secs());
    let mut first = String::new();
    run_one(ctx, &mut first, summary, Run { cfg: &nb, scale: &nb_scale, tag: "no blends", target: true });
    let tag = ctx.class.name();
    run_one(ctx, md, summary, Run { cfg: &c, scale: &scale, tag: &tag, target: true });
    // The worst case: every seat's .blend in the same second of each minute (the old schedule,
    // what a class would do if every add-on's timer started together without jitter).
    let mut al = c.clone();
    al.phase = Phase::Aligned;
    if !quick {
        al.duration = Duration::from_secs(60);
    }
    let mut worst = String::new();
    let al_scale = format!(
        "### Worst case: every .blend in the same second\n\nThe same class for {} s, but every seat's periodic \
         sends start within the same second (no spread over the period)",
        al.duration.as_secs()
    );
    run_one(ctx, &mut worst, summary, Run { cfg: &al, scale: &al_scale, tag: "aligned, worst case", target: false });
    md.push_str(&first);
    md.push_str(&worst);
    blend_generator(md);
}

/// `pracownia simulate` makes each blend twice (hash, then send) with `BlendBytes::fill`.
fn blend_generator(md: &mut String) {
    let b = pracownia_simulate::BlendBytes::new(64 * MIB, 5);
    let mut buf = vec![0u8; MIB as usize];
    let mut g = Sample::default();
    for _ in 0..3 {
        let t = Instant::now();
        for i in 0..64 {
            b.fill(i * MIB, &mut buf);
        }
        std::hint::black_box(&buf);
        g.push(pracownia_bench::mbps(64 * MIB, t.elapsed().as_secs_f64()));
    }
    let _ = writeln!(
        md,
        "`pracownia simulate`'s blend content generator (`BlendBytes::fill`, one core): {} MB/s; it runs twice per \
         blend (hash, then send), so the issue's class (100 × 50 MiB per minute) needs {:.0} core-seconds per minute \
         for it alone.\n",
        g.show(0),
        2.0 * 100.0 * 50.0 * MIB as f64 / 1e6 / g.median()
    );
}

fn run_one(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>, run: Run) {
    let Run { cfg: c, scale, tag, target } = run;
    log(&format!("class ({tag}): {} students for {} s", c.students, c.duration.as_secs()));
    let serve = Serve::start(&ctx.args.serve_bin, &ctx.args.work.join("class-store"));
    let cpu0 = serve.cpu_secs();
    let r = class::run(c, &serve.endpoint, &serve.store);
    let cpu = serve.cpu_secs() - cpu0;
    let rss = serve.peak_rss_mib();
    let store = serve.store.clone();
    serve.stop();
    let _ = std::fs::remove_dir_all(&store);
    // Let the deletion and writeback settle before whatever runs next.
    let _ = Command::new("sync").status();
    std::thread::sleep(Duration::from_secs(3));
    let _ = writeln!(
        md,
        "{scale}: {} students for {} s, each a {}×{} PNG every {:?}, a chat every {:?}, a {} MiB .blend {} \
         (1 MiB chunks), against a `pracownia serve` process. The seats are threads in the benchmark process \
         (core's `StudentSocket` and `screenshot_png`, `pracownia simulate`'s identities, `SeatTimer` and \
         `Outbox`: {}; files go a chunk at a time, a screenshot before a .blend in progress, chat between chunks); screenshots \
         and blends are made before the clock starts (8 PNGs, 2 blends, reused) so that making them does not \
         compete with the receiver for the 2 cores. The seats share the machine with the receiver.\n\n\
         Latency: a poller reads the index with `IndexReader` every {} ms and notes when each event first \
         shows up; latency = first seen − the moment `send()` of the message's last frame (a file's last \
         chunk) returned. Same clock; error ≤ one poll interval. `record` is the receiver's own time stamp \
         (`ts` in the index) − sent.\n",
        c.students,
        c.duration.as_secs(),
        c.shot_size.0,
        c.shot_size.1,
        c.shot_every.unwrap_or_default(),
        c.chat_every.unwrap_or_default(),
        c.blend_size / MIB,
        c.blend_every.map(|d| format!("every {d:?}")).unwrap_or("never".into()),
        match c.phase {
            Phase::Spread => "each seat's periodic sends start at its own point of the period, as the add-on's jitter spreads a class",
            Phase::Aligned => "every seat's periodic sends start within the same second",
        },
        c.poll.as_millis()
    );
    let _ = writeln!(md, "| | sent | stored |\n|---|---|---|");
    let _ = writeln!(md, "| chats | {} | {} |", r.sent_chats, r.stored_chats);
    let _ = writeln!(md, "| screenshots | {} | {} |", r.sent_shots, r.stored_shots);
    let _ = writeln!(md, "| blends | {} | {} |", r.sent_blends, r.stored_blends);
    let _ = writeln!(md, "| messages (all kinds) | {} | |", r.sent_messages);
    let _ = writeln!(md, "| file bytes | {:.1} MB | |", r.sent_bytes as f64 / 1e6);
    let _ = writeln!(
        md,
        "\nMissing (sent, never in the index): {}. Corrupt (digest/size differ or bytes on disk do not hash right): {}. \
         Files re-hashed from disk and correct: {}. `rejected` entries: {}, `incomplete`: {}. Seat errors: {}.\n",
        r.missing,
        r.corrupt,
        r.verified_on_disk,
        r.rejected,
        r.incomplete,
        if r.errors.is_empty() { "none".to_owned() } else { r.errors.join("; ") }
    );
    let avg_cpu = cpu / r.wall_secs * 100.0;
    let _ = writeln!(
        md,
        "Receiver process: {cpu:.1} CPU-seconds over {:.1} s from the first send to the last event seen = **{avg_cpu:.0} % of one core** on average; peak RSS **{rss:.1} MiB**.\n",
        r.wall_secs
    );
    let _ = writeln!(md, "| latency ms | n | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|");
    for k in ["chat", "screenshot", "blend", "all"] {
        if let Some(l) = r.latency.get(k) {
            let _ = writeln!(md, "| {k} | {} | {:.0} | {:.0} | {:.0} | {:.0} |", l.n, l.p50, l.p95, l.p99, l.max);
        }
    }
    let l = &r.record_latency;
    let _ =
        writeln!(md, "| record (`ts`), all | {} | {:.0} | {:.0} | {:.0} | {:.0} |\n", l.n, l.p50, l.p95, l.p99, l.max);
    let lossless = r.missing == 0 && r.corrupt == 0 && r.rejected == 0 && r.incomplete == 0 && r.errors.is_empty();
    summary.push(SummaryRow::new(
        Section::Class,
        format!("class ({tag})"),
        format!(
            "{}/{} chats, {}/{} screenshots, {}/{} blends; {} corrupt",
            r.stored_chats, r.sent_chats, r.stored_shots, r.sent_shots, r.stored_blends, r.sent_blends, r.corrupt
        ),
        "no loss, no corrupt file",
        Verdict::of(lossless),
    ));
    let p95 = |k: &str| r.latency.get(k).map_or(f64::NAN, |l| l.p95);
    summary.push(SummaryRow::new(
        Section::Class,
        format!("class latency ({tag})"),
        format!(
            "p95 {:.0} ms (chat {:.0}, screenshot {:.0}, blend {:.0})",
            p95("all"),
            p95("chat"),
            p95("screenshot"),
            p95("blend")
        ),
        if target { "p95 < 250 ms" } else { "(worst case, reported)" },
        if target { Verdict::of(p95("all") < 250.0) } else { Verdict::Reported },
    ));
    summary.push(SummaryRow::new(
        Section::Class,
        format!("class receiver ({tag})"),
        format!("{avg_cpu:.0} % CPU, peak RSS {rss:.1} MiB"),
        "(report)",
        Verdict::Reported,
    ));
}
