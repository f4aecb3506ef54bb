#!/usr/bin/env bash
# Installs what the Blender tests of the student add-on need, idempotently:
# - Debian packages: blender (3.4 on Debian 12, the real-window test), xvfb and xauth (a display
#   for it), python3-zmq (pyzmq for Debian's blender, which runs on the system Python 3.11);
# - .venv-bpy: a Python 3.11 virtual environment with Blender as a module (bpy from PyPI),
#   pyzmq and pytest, for the bpy-module tests;
# - the cache of pyzmq wheels that scripts/build_addon.py bundles into the extension zip.
# Network use: Debian's apt and PyPI only.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(blender xvfb xauth python3-zmq python3-venv)
. scripts/apt-packages.sh
apt_install_missing setup-blender "${APT_PACKAGES[@]}"

# bpy 5.0 wheels exist only for CPython 3.11.
PY311=${PYTHON311:-}
if [ -z "$PY311" ]; then
  for cand in /usr/bin/python3.11 python3.11; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
      PY311=$(command -v "$cand"); break
    fi
  done
fi
if [ -z "$PY311" ]; then
  echo "setup-blender: Python 3.11 is needed for bpy (set PYTHON311=/path/to/python3.11)" >&2
  exit 1
fi
if [ ! -x .venv-bpy/bin/python ]; then
  echo "setup-blender: creating .venv-bpy with $PY311" >&2
  "$PY311" -m venv .venv-bpy
fi
stamp=.venv-bpy/.requirements.sha256
want=$(sha256sum requirements-blender.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup-blender: installing requirements-blender.txt into .venv-bpy (bpy is ~800 MB)" >&2
  .venv-bpy/bin/python -m pip install -q --disable-pip-version-check -r requirements-blender.txt
  echo "$want" > "$stamp"
fi

# The wheels the extension zip bundles (cached under build/wheels, gitignored).
.venv-bpy/bin/python scripts/build_addon.py --fetch-wheels-only
