#!/usr/bin/env bash
# The web front end's tests: type-check (svelte-check), Vitest unit tests, then browser tests of
# the built UI in Debian's Chromium (playwright-core, headless) with the Tauri IPC mocked.
# Screenshots go to artifacts/ui-*.png. Needs Node >= 20.19 and /usr/bin/chromium (or CHROMIUM_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

echo "== svelte-check"
npm run --silent check

echo "== vitest"
npx vitest run --config ui/vite.config.ts

echo "== build"
npm run --silent build

echo "== browser tests (chromium: ${CHROMIUM_PATH:-/usr/bin/chromium})"
node --test --test-concurrency=1 --test-reporter=spec tests/ui/
