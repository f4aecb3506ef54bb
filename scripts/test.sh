#!/usr/bin/env bash
# Quick start, part 2: set up and run every test: lints, Rust unit and integration tests (with
# the benchmarks' smoke tests), the Python transport and cross-language tests against
# `pracownia serve`, the student add-on (pure Python, bpy module, real Blender under Xvfb), the
# front end (Vitest and headless Chromium), and the real lecturer app through WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

# The app crate embeds ui/dist when it compiles, so the front end is built first.
echo "== npm run build" >&2
npm run --silent build
echo "== cargo fmt, clippy" >&2
cargo fmt --all --check
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== cargo test" >&2
cargo test --workspace
echo "== pytest" >&2
cargo build -q -p pracownia-cli
PRACOWNIA_BIN="$CARGO_TARGET_DIR/debug/pracownia" .venv/bin/python -m pytest -q tests --ignore=tests/blender
echo "== student add-on in Blender" >&2
bash scripts/test-blender.sh
echo "== front end" >&2
bash scripts/test-ui.sh
echo "== lecturer app" >&2
bash scripts/test-app.sh
