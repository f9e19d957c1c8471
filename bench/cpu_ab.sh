#!/usr/bin/env bash
# cpu_ab.sh - the server's CPU time per request for one query list, to compare two builds back
# to back on a busy machine (where latencies follow the other work, CPU per request much less).
#
#   BAOHO_TOKEN=... bench/cpu_ab.sh BAOHO_BINARY DB QUERY_LIST [SECONDS]
#
# Starts `BAOHO_BINARY serve --db DB` on 127.0.0.1 (a free port), warms up for 3 s, runs wrk
# (2 threads, 16 connections, SECONDS, default 10) over QUERY_LIST (bench_queries output, as
# bench/run.sh writes it into bench/out/) and prints one line: wrk's BENCH summary, then the
# server's user and system CPU per request in ms (from /proc/PID/stat). The token is an API token
# of an admin of DB (bench/run.sh creates one: `baoho token create --email bench-admin@example.org`).
# The server is stopped however the script exits.
set -euo pipefail

if (($# < 3)); then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
BIN=$1 DB=$2 LIST=$3 SECS=${4:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BAOHO_TOKEN:?set BAOHO_TOKEN to an API token of an admin of $DB}"
export BAOHO_TOKEN

WORK=$(mktemp -d)
PID=""
cleanup() {
  if [[ -n $PID ]]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$WORK/port" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  [[ -s $WORK/port ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
PORT=$(<"$WORK/port")
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.1; done
URL=http://127.0.0.1:$PORT
wrk -t2 -c16 -d3s -s "$ROOT/bench/rotate.lua" "$URL" -- "$LIST" >/dev/null 2>&1
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$PID/stat")
wrk -t2 -c16 -d"${SECS}s" --latency -s "$ROOT/bench/rotate.lua" "$URL" -- "$LIST" >"$WORK/wrk.out" 2>&1
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$PID/stat")
R=$(sed -n 's/^BENCH //p' "$WORK/wrk.out")
N=$(tr ' ' '\n' <<<"$R" | sed -n 's/^requests=//p')
awk -v bin="$(basename "$BIN")" -v list="$(basename "$LIST")" -v r="$R" -v n="$N" \
  -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
    printf "%s %s %s cpu_ms_per_req=%.3f user_ms=%.3f sys_ms=%.3f\n", bin, list, r,
      (u + s) * 1000 / hz / n, u * 1000 / hz / n, s * 1000 / hz / n }'
