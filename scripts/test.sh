#!/usr/bin/env bash
# Quick start, part 2: set up and run every test (Rust unit and integration tests, lints, and the
# Python tests of the add-on's transport, including cross-language tests against `pracownia serve`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"

echo "== cargo fmt, clippy" >&2
cargo fmt --all --check
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== cargo test" >&2
cargo test --workspace
echo "== pytest" >&2
cargo build -q -p pracownia-cli
PRACOWNIA_BIN="$TARGET/debug/pracownia" .venv/bin/python -m pytest -q tests
