#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs baoho with demo data
# on http://127.0.0.1:8080 (database ./baoho.db). Extra arguments go to `baoho serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
exec ./build/baoho serve --demo --db "${BAOHO_DEMO_DB:-baoho.db}" --listen "${BAOHO_LISTEN:-127.0.0.1:8080}" "$@"
