#!/usr/bin/env bash
# The whole test suite: a normal build with every test, the same suite under AddressSanitizer
# and UndefinedBehaviorSanitizer, and the libFuzzer targets for a bounded time each.
# The API suite runs twice, on SQLite files (ctest "api") and on PostgreSQL ("api.pg"): a
# throw-away PostgreSQL 15 cluster is started for the run, unless BAOHO_TEST_PG already names one.
# Usage: scripts/test.sh   (BAOHO_SKIP_FUZZ=1 skips the fuzzers; BAOHO_SKIP_ASAN=1 the ASan run;
#                           BAOHO_SKIP_PG=1 the PostgreSQL run; BAOHO_SKIP_HA=1 the failover test;
#                           BAOHO_TEST_PG_PORT, default 55432)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

# A PostgreSQL cluster in a temporary directory, owned by a non-root user, stopped on exit.
pg_tmp=""
stop_pg() {
  if [ -n "$pg_tmp" ]; then
    $pg_as "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_tmp"
  fi
}
if [ "${BAOHO_SKIP_PG:-0}" != 1 ] && [ -z "${BAOHO_TEST_PG:-}" ]; then
  pg_bin=/usr/lib/postgresql/15/bin
  pg_port=${BAOHO_TEST_PG_PORT:-55432}
  pg_as=""
  pg_tmp=$(mktemp -d "${TMPDIR:-/tmp}/baoho-pg.XXXXXX")
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$pg_tmp"
    pg_as="runuser -u postgres --"
  fi
  trap stop_pg EXIT
  echo "== throw-away PostgreSQL cluster in $pg_tmp (port $pg_port)"
  $pg_as "$pg_bin/initdb" -D "$pg_tmp/data" -A trust -U postgres -E UTF8 >/dev/null
  $pg_as "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/log" -w \
    -o "-k $pg_tmp -p $pg_port -c listen_addresses=127.0.0.1" start >/dev/null
  export BAOHO_TEST_PG="postgresql://postgres@127.0.0.1:$pg_port/postgres"
fi

jobs=$(nproc)
# playwright-core for the end-to-end tests of the web console (pinned in tests/e2e).
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs" -E '^e2e$')
echo "== end-to-end tests of the web console in Chromium (screenshots in build/e2e-artifacts)"
tests/e2e/run.sh build/baoho build/e2e-artifacts || [ $? -eq 77 ]

if [ "${BAOHO_SKIP_ASAN:-0}" != 1 ]; then
  echo "== build and test under ASan + UBSan"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBAOHO_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")
fi

if [ "${BAOHO_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz targets (bounded time each)"
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DBAOHO_FUZZ=ON >/dev/null
  targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
  # shellcheck disable=SC2086
  cmake --build build-fuzz -j"$jobs" --target $targets
  (cd build-fuzz && ctest --output-on-failure -R '^fuzz\.')
fi
if [ "${BAOHO_SKIP_HA:-0}" != 1 ]; then
  echo "== failover test: three PostgreSQL nodes under Patroni, the primary killed under writes"
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: the failover test needs root (it installs and starts etcd, Patroni, haproxy)"
  else
    BAOHO_BIN="$PWD/build/baoho" tests/ha/failover.sh
  fi
fi
echo "== all tests passed"
