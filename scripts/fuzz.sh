#!/usr/bin/env bash
# Fuzz the receiver (docs/SECURITY.md, "Fuzzing"): scripts/fuzz.sh [message|image|all] [seconds]
# Not part of CI. Installs cargo-fuzz if missing; runs on the stable toolchain with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags). One libFuzzer process, niced.
#
#   SANITIZER=address (default) or none    FUZZ_ARGS="-dict=... -seed=1"   extra libFuzzer flags
#
# New inputs go to fuzz/work/TARGET (not committed), read together with the seeds in
# fuzz/corpus/TARGET; a crash or hang is written to fuzz/artifacts/TARGET/. Keep it: copy it to
# crates/pracownia-core/tests/fuzz_regressions/TARGET/ so `cargo test` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-message}"
seconds="${2:-60}"
sanitizer="${SANITIZER:-address}"

if [ "$target" = all ]; then
    for t in message image; do "$0" "$t" "$seconds"; done
    exit 0
fi
case "$target" in
    message) max_len=16384; extra=(-dict=message.dict) ;;
    image) max_len=32768; extra=() ;;
    *) echo "usage: $0 [message|image|all] [seconds]" >&2; exit 2 ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

target_dir="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/fuzz}"
target_dir="${target_dir:-$PWD/fuzz/target}"
mkdir -p "fuzz/work/$target"
# One decode may allocate at most Limits::max_image_alloc (160 MiB): a single allocation over
# 512 MiB is a finding, not a slow input. libFuzzer sees allocations through the sanitizer's hooks.
if [ "$target" = image ] && [ "$sanitizer" != none ]; then extra+=(-malloc_limit_mb=512); fi

cd fuzz
echo "== cargo fuzz run $target for ${seconds}s (sanitizer: $sanitizer)" >&2
RUSTC_BOOTSTRAP=1 nice -n 10 cargo fuzz run --sanitizer "$sanitizer" --target-dir "$target_dir" "$target" \
    "work/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    ${extra[@]+"${extra[@]}"} ${FUZZ_ARGS:-}
