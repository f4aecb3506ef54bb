#!/usr/bin/env bash
# Installs everything Pracownia's build and tests need on a Debian/Ubuntu machine, idempotently:
# Debian packages (when missing), a Python virtual environment with the add-on's test
# dependencies, and a check that a recent Rust toolchain is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(build-essential pkg-config python3-venv python3-pip)

. scripts/apt-packages.sh
apt_install_missing setup "${APT_PACKAGES[@]}"

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing. Install it with rustup (https://rustup.rs), version 1.91 or newer, then run this again." >&2
  exit 1
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the Python virtual environment in .venv" >&2
  "$PY" -m venv .venv
fi
# Reinstall only when the requirements changed.
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

# The lecturer app (WebKitGTK, Node packages, tauri-driver).
bash scripts/setup-app.sh
# The student add-on's Blender tests (Debian's blender, Xvfb, a .venv-bpy with bpy).
bash scripts/setup-blender.sh
