#!/usr/bin/env bash
# The whole test suite: a normal build with every test, the same suite under AddressSanitizer
# and UndefinedBehaviorSanitizer, and the libFuzzer targets for a bounded time each.
# Usage: scripts/test.sh   (BAOHO_SKIP_FUZZ=1 skips the fuzzers; BAOHO_SKIP_ASAN=1 the ASan run)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

jobs=$(nproc)
echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

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
echo "== all tests passed"
