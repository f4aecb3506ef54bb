#!/usr/bin/env bash
# Installs what the lecturer's desktop app (src-tauri/, ui/) needs to build and be tested on a
# Debian/Ubuntu machine, idempotently: WebKitGTK and the other Tauri build libraries, Xvfb and
# WebKitWebDriver for the end-to-end test, the Node packages (npm ci), tauri-driver (into
# ~/.cargo/bin). The Python side (selenium, in requirements-dev.txt) is scripts/setup.sh's, which may
# call this script at its end; this one never calls it back.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver chromium nodejs npm)

# nodejs from another source (NodeSource, nvm) is fine when it is recent enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${APT_PACKAGES[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || filtered+=("$p"); done
  APT_PACKAGES=("${filtered[@]}")
fi
. scripts/apt-packages.sh
apt_install_missing setup-app "${APT_PACKAGES[@]}"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup-app: Node.js 20 or newer is needed (found $(node --version))." >&2
  exit 1
fi

# Node packages (the same rule as scripts/test-ui.sh): npm ci when missing or older than the lock.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup-app: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

# tauri-driver: the WebDriver bridge between selenium and WebKitWebDriver.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
if [ ! -x "$CARGO_BIN/tauri-driver" ]; then
  echo "setup-app: cargo install tauri-driver" >&2
  cargo install tauri-driver --locked --version "^2"
fi
