#!/bin/sh
# run.sh - the CTest entry of the end-to-end tests: runs tests/e2e/*.test.mjs with node's test
# runner against BAOHO_BIN, screenshots into ARTIFACT_DIR. Skips (exit 77) when Chromium or
# node is missing, or when playwright-core cannot be installed (scripts/test.sh installs it).
#
# Usage: tests/e2e/run.sh BAOHO_BIN ARTIFACT_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  echo "SKIPPED: $chromium not found (scripts/install-deps.sh --test installs chromium)"
  exit 77
fi
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node not found (scripts/install-deps.sh --test installs nodejs and npm)"
  exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  if ! command -v npm >/dev/null 2>&1 ||
    ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
    echo "SKIPPED: playwright-core is not installed and npm ci failed in tests/e2e"
    exit 77
  fi
fi

BAOHO_BIN=$1 BAOHO_E2E_ARTIFACTS=$2 CHROMIUM=$chromium \
  exec node --test --test-concurrency=1 "$here"/*.test.mjs
