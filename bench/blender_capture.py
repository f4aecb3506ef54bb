"""Item 5b: what one capture costs Blender's main thread, in real Blender (Debian's 3.4) with a
1920x1080 window under Xvfb, old and new method side by side in the same run (interleaved).

  python3 bench/blender_capture.py [--n 7] [--json OUT.json] [--section OUT.md]
      [--update bench/RESULTS.md] [--keep DIR]

Runs bench/blender_capture_driver.py inside `blender` (clean PATH, HOME and TMPDIR in a temporary
folder), then writes the Markdown section "The student's main thread (real Blender 3.4 with a
window)": to --section, and/or into --update (replacing that section if it is there, else
put before the hand-written notes). --keep DIR keeps the last screenshot of each method (to look at). Exit 1 on failure.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DRIVER = os.path.join(HERE, "blender_capture_driver.py")
TITLE = "## The student's main thread (real Blender 3.4 with a window)"
MARK = "PRACOWNIA-CAPTURE-BENCH"


def run_blender(n, out_json, keep):
    blender = shutil.which("blender", path="/usr/bin:/bin")
    xvfb = shutil.which("xvfb-run", path="/usr/bin:/bin")
    if not blender or not xvfb:
        raise SystemExit("blender or xvfb-run is not installed (scripts/setup-blender.sh)")
    with tempfile.TemporaryDirectory(prefix="pracownia-capture-bench-") as tmp:
        home, tdir = os.path.join(tmp, "home"), os.path.join(tmp, "tmp")
        os.makedirs(home)
        os.makedirs(tdir)
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": tdir, "LANG": "C.UTF-8"}
        if keep:
            os.makedirs(keep, exist_ok=True)
            env["PRACOWNIA_BENCH_KEEP"] = os.path.abspath(keep)
        cmd = [xvfb, "-a", "-s", "-screen 0 1920x1080x24", blender, "--factory-startup",
               "--enable-event-simulate", "-setaudio", "None", "--python", DRIVER, "--",
               out_json, os.path.join(ROOT, "blender_addon"), str(n)]
        r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, errors="replace", timeout=1200)
    lines = [l for l in (r.stdout + r.stderr).splitlines() if l.startswith(MARK)]
    if r.returncode != 0 or not any(l.endswith(" OK") for l in lines):
        sys.stderr.write((r.stdout + r.stderr)[-4000:])
        raise SystemExit("the benchmark in Blender failed (exit %d)" % r.returncode)
    with open(out_json) as f:
        return json.load(f)


def ms(xs):
    xs = [x * 1000 for x in xs]
    if not xs:
        return "not measured"
    return "%.1f (%.1f–%.1f, n=%d) ms" % (statistics.median(xs), min(xs), max(xs), len(xs))


def mb(xs):
    return "%.2f MB" % (statistics.median(xs) / 1e6) if xs else "—"


def ratio(old, new):
    if not old or not new:
        return float("nan")
    return statistics.median(old) / statistics.median(new)


def section(r, when, commit):
    t, s = r["times"], r["sizes"]
    rb, rs = ratio(t["blend_old"], t["blend_new"]), ratio(t["shot_old"], t["shot_new"])
    verdict = lambda x: "met" if x >= 2 else "**missed**"  # noqa: E731
    w, h = r["window"]
    out = [TITLE, "",
           "Written by `bench/blender_capture.py` (run by `bench/run.sh` as item 5b). Blender %s "
           "(Python %s) with a %d×%d window under Xvfb (software OpenGL), `--factory-startup`; "
           "%s UTC, commit %s; load average %s at start, %s at end (2 cores, shared with other "
           "engineers' builds and tests)." % (
               r["blender"], r["python"], w, h, when, commit,
               " ".join("%.2f" % x for x in r["load_start"]),
               " ".join("%.2f" % x for x in r["load_end"])),
           "",
           "Scene: the factory startup file plus a UV sphere of %d vertices (%d faces). Main-thread "
           "wall time (`time.perf_counter` around the call, in a `bpy.app.timers` tick) of one "
           "capture; after one warm-up of each, the four methods run interleaved (A B C D A B C D "
           "…), one per timer tick, Blender's event loop running 0.3 s in between. "
           "`median (min–max, n)`." % (r["vertices"], r["faces"]),
           "",
           "| capture | old method | new method | old ÷ new (medians) | target | verdict |",
           "|---|---|---|---|---|---|",
           "| .blend copy | `save_as_mainfile(copy=True)`: %s, %s | `libraries.write` of every local ID (`BlenderCapture.blend_copy`): %s, %s | %.1f× | ≥ 2× | %s |" % (
               ms(t["blend_old"]), mb(s["blend_old"]), ms(t["blend_new"]), mb(s["blend_new"]),
               rb, verdict(rb)),
           "| %d×%d screenshot | `bpy.ops.screen.screenshot` (PNG, all on the main thread): %s, %s | window framebuffer read with the `gpu` module (`BlenderCapture.screenshot`): %s; PNG written later on another thread, %s | %.1f× | ≥ 2× | %s |" % (
               w, h, ms(t["shot_old"]), mb(s["shot_old"]), ms(t["shot_new"]), mb(s["shot_new"]),
               rs, verdict(rs)),
           "",
           "The new screenshot's PNG (8-bit RGB, no row filter, zlib level 6, pure Python + zlib) "
           "is written by the callable `BlenderCapture.screenshot` returns, on the add-on's "
           "hashing thread; here on a worker thread, not counted above: wall %s, of which the "
           "thread's own CPU %s. zlib releases the GIL while it compresses and the rows are joined 64 at a time, "
           "so the main thread waits for the GIL at most about one switch interval (5 ms) at a "
           "time (see the notes). Fallbacks to the operator during the run: %d." % (
               ms(t["shot_new_encode"]), ms(t["shot_new_encode_cpu"]), r["fallback"]),
           ""]
    return "\n".join(out) + "\n"


def summary_rows(r):
    t = r["times"]
    rows = []
    for what, old, new in ((".blend copy", "blend_old", "blend_new"),
                           ("screenshot %d×%d" % tuple(r["window"]), "shot_old", "shot_new")):
        x = ratio(t[old], t[new])
        rows.append("| 5b main thread, %s | %s → %s (%.1f× lower) | ≥ 2× lower | %s |" % (
            what, ms(t[old]), ms(t[new]), x, "met" if x >= 2 else "**missed**"))
    return rows


def with_summary(md, rows):
    """The two rows in RESULTS.md's summary table (replacing earlier ones), if it has one."""
    lines = md.split("\n")
    lines = [l for l in lines if not l.startswith("| 5b main thread")]
    try:
        i = lines.index("## Summary")
    except ValueError:
        return "\n".join(lines)
    j = i + 1
    while j < len(lines) and not lines[j].startswith("|"):
        j += 1
    while j < len(lines) and lines[j].startswith("|"):
        j += 1
    return "\n".join(lines[:j] + rows + lines[j:])


def update(results, text, rows=()):
    try:
        with open(results) as f:
            md = f.read()
    except FileNotFoundError:
        md = ""
    md = with_summary(md, list(rows))
    start = md.find(TITLE)
    if start >= 0:
        nxt = md.find("\n## ", start + len(TITLE))
        md = md[:start] + text + ("\n" + md[nxt + 1:] if nxt >= 0 else "")
    elif "\n## Notes" in md:  # with item 5, before the hand-written notes
        at = md.find("\n## Notes") + 1
        md = md[:at] + text + "\n" + md[at:]
    else:
        md = md.rstrip("\n") + "\n\n" + text
    with open(results, "w") as f:
        f.write(md)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=7)
    ap.add_argument("--json")
    ap.add_argument("--section")
    ap.add_argument("--update")
    ap.add_argument("--keep")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = run_blender(a.n, a.json or os.path.join(tmp, "capture.json"), a.keep)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "?"
        if subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--",
                           "blender_addon", "bench"]).returncode:
            commit += " (+ uncommitted changes)"
    except OSError:
        commit = "?"
    text = section(r, when, commit)
    if a.section:
        with open(a.section, "w") as f:
            f.write(text)
    if a.update:
        update(a.update, text, summary_rows(r))
    print(text)


if __name__ == "__main__":
    main()
