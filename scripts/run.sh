#!/usr/bin/env bash
# Quick start, part 1: set up, build and open the lecturer's desktop app.
#   scripts/run.sh              # the app; click Start and tell students the address it shows
#   scripts/run.sh --demo       # the app, receiving at once from five simulated students
#   scripts/run.sh --headless   # no window: `pracownia serve` on port 5570, store in ~/Pracownia/store
# Environment for --headless: PRACOWNIA_STORE (store folder), PRACOWNIA_PORT (port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if [ "${1:-}" = "--headless" ]; then
  cargo build --release -q -p pracownia-cli
  BIN="$CARGO_TARGET_DIR/release/pracownia"
  STORE="${PRACOWNIA_STORE:-$HOME/Pracownia/store}"
  PORT="${PRACOWNIA_PORT:-5570}"
  echo "Students connect to this computer's address, port $PORT. Watch it: $BIN timeline --store $STORE" >&2
  exec "$BIN" serve --port "$PORT" --store "$STORE"
fi

# Built as users get it: the app loads the built UI, not a dev server.
npx tauri build --debug --no-bundle
exec "$CARGO_TARGET_DIR/debug/pracownia-app" "$@"
