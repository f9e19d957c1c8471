#!/usr/bin/env bash
# Installs the Debian packages baoho needs to build, test and run, when they are missing.
# Usage: scripts/install-deps.sh [--test]   (--test adds what only the test suite needs)
set -euo pipefail

packages=(build-essential make cmake pkg-config
  libmicrohttpd-dev libjansson-dev libsodium-dev libutf8proc-dev libsqlite3-dev
  libcurl4-openssl-dev libxml2-dev libpq-dev)
if [ "${1:-}" = "--test" ]; then
  # postgresql-15 (it provides postgresql-contrib-15, a virtual package dpkg cannot check): the
  # throw-away cluster scripts/test.sh runs the API suite against, with pg_dump.
  packages+=(libcmocka-dev clang libclang-rt-14-dev sqlite3 jing postgresql-15 python3-aiosmtpd)
fi

# Node.js and npm vendor the web console's front-end packages at build time (web/vendor.sh); a
# Node.js that brings its own npm (NodeSource's, say) is kept. Chromium runs the tests/e2e suite.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: run as root or install sudo; missing: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
