#!/usr/bin/env bash
# Installs what the Blender tests of the student add-on need, idempotently:
# - Debian packages: blender (3.4 on Debian 12, the real-window test), xvfb and xauth (a display
#   for it), python3-zmq (pyzmq for Debian's blender, which runs on the system Python 3.11);
# - Python 3.11 virtual environments with Blender as a module (bpy from PyPI), pyzmq and pytest,
#   for the bpy-module tests, one per tested version: .venv-bpy (5.0, requirements-blender.txt),
#   .venv-bpy-4.2 and .venv-bpy-4.5 (the LTS versions, requirements-blender-4.x.txt); ~1 GB each;
# - the cache of pyzmq wheels that scripts/build_addon.py bundles into the extension zip.
# Network use: Debian's apt and PyPI only.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(blender xvfb xauth python3-zmq python3-venv)
. scripts/apt-packages.sh
apt_install_missing setup-blender "${APT_PACKAGES[@]}"

# bpy wheels (4.2, 4.5 and 5.0) exist only for CPython 3.11.
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

# bpy_venv DIR REQUIREMENTS: create DIR and install REQUIREMENTS into it, unless the stamp says
# that exact file is already installed there.
bpy_venv() {
  local dir=$1 req=$2
  if [ ! -x "$dir/bin/python" ]; then
    echo "setup-blender: creating $dir with $PY311" >&2
    "$PY311" -m venv "$dir"
  fi
  local stamp=$dir/.requirements.sha256 want
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup-blender: installing $req into $dir (bpy is ~800 MB)" >&2
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
  fi
}
bpy_venv .venv-bpy requirements-blender.txt
bpy_venv .venv-bpy-4.2 requirements-blender-4.2.txt
bpy_venv .venv-bpy-4.5 requirements-blender-4.5.txt

# The wheels the extension zip bundles (cached under build/wheels, gitignored).
.venv-bpy/bin/python scripts/build_addon.py --fetch-wheels-only
