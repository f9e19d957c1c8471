#!/bin/bash
# checkin_http.sh - check-ins through HTTP on one database, with the CPU they cost.
#
#   bench/checkin_http.sh BAOHO DB TOKENS [SECONDS] [CONNECTIONS]
#
# Starts `BAOHO serve --db DB --threads 32` on a free port of 127.0.0.1 (for a postgresql:// DB
# with --key-file $KEY_FILE, default ./bench_alert.key, the keys bench_alert wrote), drives it
# for SECONDS (default 10) with `wrk -t2 -c CONNECTIONS` (default 64) and bench/checkin.lua over
# the links of TOKENS (as `bench_alert DB N TOKENS` writes them), and prints wrk's BENCH line and
# one line of CPU per answer: the server's (utime + stime of /proc/PID/stat around the run) and,
# for PostgreSQL on this machine, that of the backends serving DB and that of every process of the
# cluster (WAL writer and checkpointer included); with SERVER_LOG=FILE the server's log is kept
# there; with CHECKIN_KEYS=1 every answer carries an idempotency key (checkin_mixed.lua). Answers given to links that were answered before cost less (no status change): compare
# runs on fresh copies of DB.
# The server is stopped when the script exits, however it exits.
set -euo pipefail
BIN=${1:?baoho binary}
DB=${2:?database}
TOKENS=${3:?tokens file}
SECS=${4:-10}
CONNS=${5:-64}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [ -n "${SERVER_LOG:-}" ]; then cp "$TMP/server.log" "$SERVER_LOG" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

KEYS=()
PG=0
case "$DB" in postgres*) PG=1; KEYS=(--key-file "${KEY_FILE:-./bench_alert.key}") ;; esac

"$BIN" serve --db "$DB" "${KEYS[@]}" --threads 32 --listen 127.0.0.1:0 \
  --port-file "$TMP/port" 2>"$TMP/server.log" &
SERVER=$!
for _ in $(seq 200); do [ -s "$TMP/port" ] && break; sleep 0.05; done
PORT=$(cat "$TMP/port")

# CPU seconds of a list of pids (utime + stime), read from /proc.
cpu_of() {
  local sum=0 p f
  for p in "$@"; do
    f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
    sum=$((sum + $(echo "$f" | awk '{print $12 + $13}')))
  done
  echo "$sum"
}
# Every process of the cluster: the postmaster and its children (WAL writer, checkpointer,
# every backend, other databases' too: on a shared cluster only a quiet one means anything).
cluster() {
  [ "$PG" = 1 ] || return 0
  local dir pm
  dir=$(psql "$DB" -Atc "SHOW data_directory" 2>/dev/null) || return 0
  pm=$(head -1 "$dir/postmaster.pid" 2>/dev/null) || return 0
  echo "$pm" $(pgrep -P "$pm")
}
backends() {
  [ "$PG" = 1 ] || return 0
  psql "$DB" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
                   AND pid <> pg_backend_pid()"
}

# The answers: checkin.lua, or with CHECKIN_KEYS=1 checkin_mixed.lua with no reads, each answer
# with its own idempotency key as the check-in page's form sends it.
SCRIPT=$HERE/checkin.lua
ARGS=("$TOKENS")
if [ "${CHECKIN_KEYS:-0}" = 1 ]; then
  SCRIPT=$HERE/checkin_mixed.lua
  ARGS=("$TOKENS" 0)
fi
export CHECKIN_KEYS

# One short warm-up opens every worker's and writer's connection before the measured run.
wrk -t2 -c"$CONNS" -d1s -s "$SCRIPT" "http://127.0.0.1:$PORT" -- "${ARGS[@]}" >/dev/null
PIDS=$(backends)
CPIDS=$(cluster)
S0=$(cpu_of "$SERVER")
B0=$(cpu_of $PIDS)
C0=$(cpu_of $CPIDS)
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$SCRIPT" "http://127.0.0.1:$PORT" \
  -- "${ARGS[@]}" >"$TMP/wrk.out"
S1=$(cpu_of "$SERVER")
B1=$(cpu_of $PIDS)
C1=$(cpu_of $CPIDS)
grep BENCH "$TMP/wrk.out"
REQS=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
HZ=$(getconf CLK_TCK)
awk -v s="$((S1 - S0))" -v b="$((B1 - B0))" -v c="$((C1 - C0))" -v n="$REQS" -v hz="$HZ" \
    -v pg="$PG" 'BEGIN {
  printf "CPU answers=%d server_us_per_answer=%.0f", n, s / hz * 1e6 / n
  if (pg == 1) printf " backends_us_per_answer=%.0f cluster_us_per_answer=%.0f", b / hz * 1e6 / n,
    c / hz * 1e6 / n
  printf "\n" }'
