#!/usr/bin/env bash
# Runs every benchmark of issue 5 and writes bench/RESULTS.md.
#   bench/run.sh            full run (item 3 scaled to 60 s; ~10 minutes)
#   bench/run.sh --quick    a small run in about a minute (not for the record)
#   bench/run.sh --full-class   item 3 at the issue's full scale (100 students, 5 minutes)
# Environment: CARGO_TARGET_DIR (default target/), BENCH_WORK (scratch, default /tmp/pracownia-bench;
# needs ~30 GB free for --full-class), BPY_PYTHON (a Python with bpy==5.0.1 for item 5's capture
# tick; default: .venv-bpy/bin/python if present), PYTHON (with pyzmq; default .venv/bin/python).
# Item 5b needs Debian's blender and xvfb-run (scripts/setup-blender.sh); ~3 minutes. So does the
# issue-11 frame-time run (bench/blender_redraw.py; minutes, more with software GL on a busy machine).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=""
CLASS=""
for a in "$@"; do
  case "$a" in
    --quick) QUICK="--quick" ;;
    --full-class) CLASS="full" ;;
    *) echo "usage: bench/run.sh [--quick] [--full-class]" >&2; exit 2 ;;
  esac
done

TARGET=${CARGO_TARGET_DIR:-target}
WORK=${BENCH_WORK:-/tmp/pracownia-bench}
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
BPY=${BPY_PYTHON:-}
[ -z "$BPY" ] && [ -x .venv-bpy/bin/python ] && BPY=.venv-bpy/bin/python

echo "bench: building in release" >&2
cargo build --release -q -p pracownia-cli -p pracownia-bench
rm -rf "$WORK"
mkdir -p "$WORK"

echo "bench: item 5 (Python transport${BPY:+, capture tick with $BPY})" >&2
"$PY" bench/student.py --serve-bin "$TARGET/release/pracownia" --work "$WORK/student" \
  --out "$WORK/student.json" $QUICK ${BPY:+--bpy-python "$BPY"} \
  || echo "bench: item 5 failed; RESULTS.md will say so" >&2

OUT=bench/RESULTS.md
[ -n "$QUICK" ] && OUT="$WORK/RESULTS-quick.md"
"$TARGET/release/pracownia-bench" $QUICK ${CLASS:+--class "$CLASS"} \
  --serve-bin "$TARGET/release/pracownia" --work "$WORK" --out "$OUT" \
  --student-json "$WORK/student.json" --notes bench/NOTES.md

echo "bench: item 5b (main-thread cost of a capture in real Blender with a window)" >&2
"$PY" bench/blender_capture.py --n "$([ -n "$QUICK" ] && echo 5 || echo 7)" --update "$OUT" >/dev/null \
  || echo "bench: item 5b failed (is blender installed?); RESULTS.md has no section for it" >&2
echo "bench: issue 11 (Blender's frame time while a 200 MB .blend uploads: thread vs courier)" >&2
"$PY" bench/blender_redraw.py --serve-bin "$TARGET/release/pracownia" \
  --rounds "$([ -n "$QUICK" ] && echo 1 || echo 3)" --update "$OUT" >/dev/null \
  || echo "bench: the frame-time benchmark failed; RESULTS.md has no section for it" >&2
rm -rf "$WORK"
echo "bench: wrote $OUT" >&2
