//! Thumbnails and index: making a screenshot's thumbnail, and the app's queries on a big class.

use super::{log, Ctx};
use crate::cli::Section;
use crate::report::{SummaryRow, Verdict};
use pracownia_bench::index;
use std::fmt::Write as _;

pub fn run(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>) {
    log("index: thumbnails and queries");
    let work = &ctx.args.work;
    let (thumb, png_len) = index::thumbnail(&work.join("thumb"), if ctx.quick() { 3 } else { 10 });
    let t = index::queries(work, 100, 10_000, if ctx.quick() { 50 } else { 200 });
    let _ = writeln!(
        md,
        "Thumbnail: `media::check_screenshot_and_thumbnail` on a 1920×1080 PNG of {} KB from `screenshot_png` \
         (decode within limits, 480 px thumbnail, JPEG q80, fsync), as the receiver's images thread does.\n\n\
         Index: a store of 100 students and {} events (chat, hand, screenshot) recorded through `Store`'s own API \
         ({:.1} s to build, {:.0} events/s), then read through `IndexReader` (the read-only connection the app uses), \
         each query timed {} times after one warm-up.\n",
        png_len / 1000,
        t.events,
        t.build_secs,
        t.events as f64 / t.build_secs,
        t.overview_ms.values.len()
    );
    let _ = writeln!(md, "| | ms | target |\n|---|---|---|");
    let _ = writeln!(md, "| thumbnail of a 1920×1080 PNG | {} | — |", thumb.show(1));
    let _ = writeln!(
        md,
        "| class overview (`students()`: latest screenshot, unread count, 100 students) | {} | < 10 |",
        t.overview_ms.show(2)
    );
    let _ = writeln!(
        md,
        "| a page of 100 from the 10,000-event class timeline (`timeline`, keyset, middle) | {} | < 5 |",
        t.page_ms.show(2)
    );
    let _ =
        writeln!(md, "| a student's newest page of 100 (`timeline_before`) | {} | < 5 |\n", t.student_page_ms.show(2));
    summary.push(SummaryRow::new(Section::Index, "thumbnail", format!("{} ms", thumb.show(1)), "—", Verdict::Reported));
    summary.push(SummaryRow::new(
        Section::Index,
        "overview",
        format!("{} ms", t.overview_ms.show(2)),
        "< 10 ms",
        Verdict::of(t.overview_ms.median() < 10.0),
    ));
    summary.push(SummaryRow::new(
        Section::Index,
        "timeline page",
        format!("{} ms (student page {})", t.page_ms.show(2), t.student_page_ms.show(2)),
        "< 5 ms",
        Verdict::of(t.page_ms.median() < 5.0 && t.student_page_ms.median() < 5.0),
    ));
}
