#!/usr/bin/env bash
# The student add-on's Blender tests, in three parts; each FAILS (never skips) when what it needs
# is missing: run scripts/setup.sh and scripts/setup-blender.sh first.
#   1. pure Python (.venv): scheduling, controller and transport against `pracownia serve`, build
#   2. Blender as a module, in each tested version (.venv-bpy-4.2, .venv-bpy-4.5, .venv-bpy = 5.0):
#      the add-on in bpy, the extension zip installed from disk, the two-way test
#   3. Debian's real Blender 3.4 with a window under Xvfb, end to end
#      (the screenshot it sent is saved as artifacts/blender-window.png), then the two-way test
#      with a Python lecturer (artifacts/blender-twoway-notice.png shows the lecturer's reply)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"

BPY_VENVS=(.venv-bpy-4.2 .venv-bpy-4.5 .venv-bpy)
for venv in .venv "${BPY_VENVS[@]}"; do
  if [ ! -x "$venv/bin/python" ]; then
    echo "test-blender: $venv/bin/python is missing: run scripts/setup.sh and scripts/setup-blender.sh" >&2
    exit 1
  fi
done
for tool in blender xvfb-run; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-blender: $tool is missing: run scripts/setup-blender.sh" >&2
    exit 1
  fi
done

cargo build -q -p pracownia-cli
export PRACOWNIA_BIN="$TARGET/debug/pracownia"

echo "== add-on tests 1/3: pure Python (no Blender)" >&2
.venv/bin/python -m pytest -q tests/blender -p no:cacheprovider

for venv in "${BPY_VENVS[@]}"; do
  version=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("bpy"))')
  echo "== add-on tests 2/3: Blender $version as a Python module (bpy, $venv)" >&2
  "$venv/bin/python" -m pytest -q -s -p no:cacheprovider \
    tests/blender/bpy_module/bpy_test_addon.py tests/blender/bpy_module/bpy_test_extension.py \
    tests/blender/bpy_module/bpy_test_twoway.py
done

echo "== add-on tests 3/3: real Blender with a window (Xvfb)" >&2
.venv/bin/python -m pytest -q -s -p no:cacheprovider tests/blender/window/window_e2e.py \
  tests/blender/window/window_twoway_e2e.py
