//! The student side: the Python transport's send rate and the add-on's capture tick, as measured
//! by bench/student.py (`--student-json`).

use super::Ctx;
use crate::cli::Section;
use crate::report::{SummaryRow, Verdict};
use pracownia_bench::stats::Sample;
use serde_json::Value;
use std::fmt::Write as _;

/// The numbers under `key`, as a sample (empty when absent).
fn sample(v: &Value, key: &str) -> Sample {
    Sample { values: v[key].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default() }
}

pub fn run(ctx: &Ctx, md: &mut String, summary: &mut Vec<SummaryRow>) {
    let Some(path) = &ctx.args.student_json else {
        let _ = writeln!(md, "Not run (no `--student-json`).\n");
        return;
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        let _ = writeln!(md, "Not run: {} is missing (see the run log).\n", path.display());
        return;
    };
    let v: Value = serde_json::from_str(&text).unwrap_or_default();
    let send = sample(&v, "send_mbps");
    let send_stored = sample(&v, "stored_mbps");
    let _ = writeln!(md, "{}\n", v["method"].as_str().unwrap_or(""));
    let _ = writeln!(md, "| | value |\n|---|---|");
    let _ = writeln!(
        md,
        "| `Sender.send_file` of a {} MiB file: queued → sender reports it sent | {} MB/s |",
        v["file_mib"],
        send.show(0)
    );
    let _ = writeln!(md, "| same, until the receiver has it in the index | {} MB/s |", send_stored.show(0));
    let mut tick_fig = "not measured".to_owned();
    if let Some(t) = v.get("tick").filter(|t| t.is_object()) {
        let save = sample(t, "save_copy_ms");
        let _ = writeln!(
            md,
            "| capture tick: `save_as_mainfile(copy=True)` of the scene ({}) | {} ms |",
            t["scene"].as_str().unwrap_or("?"),
            save.show(1)
        );
        let send_call = sample(t, "send_file_call_ms");
        let _ = writeln!(md, "| capture tick: `Sender.send_file` call (queues only) | {} ms |", send_call.show(3));
        let _ = writeln!(md, "| capture tick: screenshot | {} |", t["screenshot"].as_str().unwrap_or("not measurable"));
        tick_fig = format!("save-copy {} ms", save.show(0));
        let _ = writeln!(md, "\n{}\n", t["notes"].as_str().unwrap_or(""));
    } else {
        let _ =
            writeln!(md, "\nCapture tick not measured: {}\n", v["tick_error"].as_str().unwrap_or("bpy unavailable"));
    }
    summary.push(SummaryRow::new(
        Section::Student,
        "Python send",
        format!("{} MB/s", send.show(0)),
        "(report)",
        Verdict::Reported,
    ));
    summary.push(SummaryRow::new(Section::Student, "capture tick", tick_fig, "(report)", Verdict::Reported));
}
