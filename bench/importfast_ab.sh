#!/bin/bash
# importfast_ab.sh - back-to-back initial loads of one CSV by two (or more) baoho builds, each
# into a fresh database, ROUNDS times in turn, to compare builds on a shared machine.
#
#   bench/importfast_ab.sh CSV ROUNDS NAME=BINARY [NAME=BINARY...]
#   e.g. bench/importfast_ab.sh /tmp/importperf/persons-1000000.csv 2 \
#          before=/tmp/before/build/baoho after=build-bench/baoho
#
# Prints one line per load: GNU time's user/sys/wall/peak RSS, each thread's CPU as the import
# logs it (`import: thread CPU`: store, parser, names) and the machine's load average; then the
# CPU of every step of the end of the load (`import: end of load step=NAME cpu_ms=...`).
# Databases and logs go to $AB_DIR (default /tmp/importfast-ab), never into the repository.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
csv=$1
rounds=$2
shift 2
dir=${AB_DIR:-/tmp/importfast-ab}
mkdir -p "$dir"
for r in $(seq 1 "$rounds"); do
  for nb in "$@"; do
    name=${nb%%=*}
    bin=${nb#*=}
    db=$dir/$name.db
    rm -f "$db" "$db"-* "$db".key
    /usr/bin/time -f 'user_s=%U sys_s=%S wall_s=%e maxrss_kb=%M' -o "$dir/$name.time" \
      "$bin" import persons "$csv" --db "$db" --rejects "$dir/$name.rejects.csv" \
      >"$dir/$name.log" 2>&1
    threads=$(grep -o 'store_ms=.*' "$dir/$name.log" || true)
    steps=$(grep 'end of load' "$dir/$name.log" |
      sed -E 's/.*step=([^ ]+) cpu_ms=([0-9]+).*/\1=\2/' | tr '\n' ' ')
    echo "round=$r $name $(tail -1 "$dir/$name.time") $threads load=$(cut -d' ' -f1 /proc/loadavg)"
    echo "  end of load cpu_ms: $steps"
  done
done
