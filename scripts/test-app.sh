#!/usr/bin/env bash
# The lecturer app's own checks: generated TypeScript bindings up to date, the app's Rust tests,
# the app built as users get it (`tauri build --debug --no-bundle`: it loads the built UI), and
# the real window driven through WebDriver under Xvfb while `pracownia simulate` sends a class.
# The front end's Vitest and Playwright tests run from their own script.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-app.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

echo "== TypeScript bindings (ts-rs) up to date" >&2
cargo test -q -p pracownia-app --lib bindings::tests::export_bindings
if ! git diff --exit-code --stat -- ui/src/bindings || [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --short -- ui/src/bindings >&2
  echo "test-app: ui/src/bindings differs from the Rust types; run 'cargo test -p pracownia-app export_bindings' and commit the result." >&2
  exit 1
fi

echo "== cargo test -p pracownia-app" >&2
cargo test -p pracownia-app

echo "== tauri build --debug --no-bundle" >&2
npx tauri build --debug --no-bundle
cargo build -q -p pracownia-cli
APP="$CARGO_TARGET_DIR/debug/pracownia-app"
[ -x "$APP" ] || { echo "test-app: the app was not built at $APP" >&2; exit 1; }

echo "== the real app under Xvfb through WebDriver" >&2
for tool in xvfb-run Xvfb xauth tauri-driver WebKitWebDriver; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-app: $tool is missing; run scripts/setup-app.sh (packages xvfb, xauth, webkit2gtk-driver; cargo install tauri-driver)." >&2
    exit 1
  fi
done
mkdir -p artifacts
PRACOWNIA_APP_BIN="$APP" PRACOWNIA_BIN="$CARGO_TARGET_DIR/debug/pracownia" \
  xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python -m pytest -q -p no:cacheprovider tests/app
