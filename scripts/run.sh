#!/usr/bin/env bash
# Quick start, part 1: set up, build, and run the lecturer's receiver with a default store.
#   scripts/run.sh            # receive from students on port 5570, store in ~/Pracownia/store
#   scripts/run.sh --demo     # the same, plus five simulated students so there is something to see
# Environment: PRACOWNIA_STORE (store folder), PRACOWNIA_PORT (port).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release -q -p pracownia-cli
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/pracownia"
STORE="${PRACOWNIA_STORE:-$HOME/Pracownia/store}"
PORT="${PRACOWNIA_PORT:-5570}"

if [ "${1:-}" = "--demo" ]; then
  (sleep 2; "$BIN" simulate --connect "tcp://127.0.0.1:$PORT" --students 5 --duration 600 \
     --screenshot-every 5 --chat-every 15 --blend-every 30) &
  trap 'kill $! 2>/dev/null || true' EXIT
fi
echo "Students connect to this computer's address, port $PORT. Watch it: $BIN timeline --store $STORE" >&2
"$BIN" serve --port "$PORT" --store "$STORE"
