#!/bin/sh
# vendor.sh - the build step that vendors the console's front-end packages (pinned in
# web/package.json and web/package-lock.json) into the build tree: `npm ci` in WORK_DIR, then
# only what the console needs is made and copied into OUT_DIR (today: the projected world map).
# tools/embed_assets then embeds OUT_DIR into the binary. Never fails the build: without npm,
# node or the registry, OUT_DIR stays empty, a line says so, and the console runs without the map.
#
# Usage: web/vendor.sh WEB_DIR WORK_DIR OUT_DIR
set -u
web=$1
work=$2
out=$3

rm -rf "$out"
mkdir -p "$out" "$work"
finish() {
  touch "$out/.stamp"
  exit 0
}
skip() {
  echo "web/vendor.sh: $* - the console is built WITHOUT the vendored world map" \
    "(install nodejs and npm, then: rm -rf '$out' and rebuild)" >&2
  rm -f "$out/world.json"
  finish
}

command -v npm >/dev/null 2>&1 || skip "npm not found"
command -v node >/dev/null 2>&1 || skip "node not found"
cp "$web/package.json" "$web/package-lock.json" "$work/" || skip "cannot copy the package files"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
  skip "npm ci failed"
node "$web/tools/build-map.mjs" "$work/node_modules" "$out/world.json" || skip "the map could not be built"
finish
