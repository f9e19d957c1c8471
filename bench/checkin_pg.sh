#!/usr/bin/env bash
# bench/checkin_pg.sh - check-in write throughput, PostgreSQL beside SQLite (issue 8's figure).
#
#   bench/checkin_pg.sh PG_URL [CONNECTIONS...]          (default connections: 64 128 256)
#
# PG_URL is a PostgreSQL database the script may create databases from, written
# postgresql://USER@HOST:PORT/DB without query parameters (a superuser of a cluster of your own,
# never a production one). For each number of connections it runs BENCH_PAIRS pairs (default
# 5): one run of bench/checkin_http.sh on PostgreSQL, then one on SQLite, each on a fresh copy of
# the same alert (BENCH_CHECKIN_N recipients, default 20,000, made once per backend by
# bench_alert; the PostgreSQL one then vacuumed and analysed, as autovacuum would do it), so
# that every run begins with first answers. Before each PostgreSQL run the
# script forces a CHECKPOINT, so that no checkpoint falls inside the timed seconds of some runs
# and not others (see bench/README.md, "Check-ins on PostgreSQL").
#
# A first pair, not counted, warms both up. It prints one line per run and a table: per connection count the median rate of each backend
# and the median of the pairs' ratios, then each backend's throughput (the best of those
# medians: the rate it sustains when enough citizens answer at once) and the ratio of the two.
#
# Environment:
#   CHECKIN_KEYS=1     every answer carries its own idempotency key, as the check-in page's
#                      form sends it (bench/checkin_http.sh)
#   BENCH_PAIRS        pairs per connection count (default 5)
#   BENCH_DURATION     seconds per run (default 10)
#   BENCH_CHECKIN_N    check-in links (default 20000)
#   BENCH_DATA         where the SQLite files and the key go (default /tmp/baoho-checkin-pg)
#   BENCH_BUILD_DIR    CMake build directory, built as Release (default build-checkin-bench)
#   BENCH_BIN          a baoho binary to measure instead of building one (bench_alert is taken
#                      from beside it)
#
# Results go to bench/out/checkin-pg-results.md (the table and the exact commands) and
# bench/out/checkin-pg-runs.log (every run's lines). The databases it makes are named
# baoho_ckpg_tpl and baoho_ckpg_run; it drops them at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case ${1:-} in
  "" | -h | --help)
    sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
    [[ -n ${1:-} ]] && exit 0
    exit 2
    ;;
esac
PG_URL=$1
shift
CONNS=("$@")
[[ ${#CONNS[@]} -gt 0 ]] || CONNS=(64 128 256)
PAIRS=${BENCH_PAIRS:-5}
DURATION=${BENCH_DURATION:-10}
N=${BENCH_CHECKIN_N:-20000}
DATA=${BENCH_DATA:-/tmp/baoho-checkin-pg}
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-checkin-bench}
OUT=$ROOT/bench/out
BAOHO=${BENCH_BIN:-$BUILD/baoho}
BENCH_ALERT=$(dirname "$BAOHO")/bench_alert
PG_BASE=${PG_URL%/*}
TPL=baoho_ckpg_tpl
RUN=baoho_ckpg_run

case $PG_URL in
  postgres://* | postgresql://*) ;;
  *) echo "checkin_pg: PG_URL must be postgresql://USER@HOST:PORT/DB" >&2; exit 2 ;;
esac
case $PG_URL in
  *\?*) echo "checkin_pg: PG_URL must not have query parameters" >&2; exit 2 ;;
esac
for n in "${CONNS[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "checkin_pg: connections must be numbers: $n" >&2; exit 2; }
done

STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$OUT" "$DATA"
log() { printf '== %s\n' "$*" >&2; }
sql() { PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
cleanup() {
  sql "DROP DATABASE IF EXISTS $RUN" 2>/dev/null || true
  sql "DROP DATABASE IF EXISTS $TPL" 2>/dev/null || true
}
trap cleanup EXIT

if [[ -z ${BENCH_BIN:-} ]]; then
  log "building Release into $BUILD"
  if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$BUILD" -j2 --target baoho bench_alert; } >"$OUT/checkin-pg-build.log" 2>&1; then
    tail -20 "$OUT/checkin-pg-build.log" >&2
    echo "checkin_pg: the build failed; see $OUT/checkin-pg-build.log" >&2
    exit 1
  fi
fi

# The same alert on both backends, made once per invocation (the PostgreSQL template) or once
# per N (the SQLite file).
log "an alert to $N persons on PostgreSQL ($TPL) and on SQLite ($DATA)"
cleanup
sql "CREATE DATABASE $TPL"
(cd "$DATA" && rm -f bench_alert.key && "$BENCH_ALERT" "$PG_BASE/$TPL" "$N" pg.tokens) \
  >"$OUT/checkin-pg-alert.log" 2>&1
# What autovacuum does a minute after a real alert: statistics for the planner, hint bits set and
# the visibility map written, so that the first run does not pay for them and the others not.
psql "$PG_BASE/$TPL" -qAtX -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE)"
SQ_TPL=$DATA/sq-$N.db
if [[ ! -s $SQ_TPL || ! -s $DATA/sq-$N.tokens ]]; then
  rm -f "$SQ_TPL" "$SQ_TPL"-* "$SQ_TPL.key"
  "$BENCH_ALERT" "$SQ_TPL" "$N" "$DATA/sq-$N.tokens" >>"$OUT/checkin-pg-alert.log" 2>&1
fi

RUNS=$OUT/checkin-pg-runs.log
: >"$RUNS"
# One run; prints its rate.
run_pg() {
  sql "DROP DATABASE IF EXISTS $RUN"
  sql "CHECKPOINT"
  sql "CREATE DATABASE $RUN TEMPLATE $TPL"
  KEY_FILE=$DATA/bench_alert.key bash "$ROOT/bench/checkin_http.sh" "$BAOHO" "$PG_BASE/$RUN" \
    "$DATA/pg.tokens" "$DURATION" "$1" 2>/dev/null | tee -a "$RUNS" |
    sed -n 's/^BENCH .* rps=\([0-9]*\).*/\1/p'
}
run_sq() {
  local db=$DATA/run.db
  rm -f "$db" "$db"-* "$db.key"
  cp "$SQ_TPL" "$db"
  cp "$SQ_TPL-audit" "$db-audit"
  cp "$SQ_TPL.key" "$db.key"
  bash "$ROOT/bench/checkin_http.sh" "$BAOHO" "$db" "$DATA/sq-$N.tokens" "$DURATION" "$1" \
    2>/dev/null | tee -a "$RUNS" | sed -n 's/^BENCH .* rps=\([0-9]*\).*/\1/p'
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# One pair at the first count, not counted: the first run on a new template pays for reading
# it from the disk and for the catalog caches of a new database.
echo "-- warm-up pair, not counted" >>"$RUNS"
run_pg "${CONNS[0]}" >/dev/null
run_sq "${CONNS[0]}" >/dev/null

TABLE=()
BEST_PG=0
BEST_SQ=0
for c in "${CONNS[@]}"; do
  pgs=() sqs=() ratios=()
  for p in $(seq "$PAIRS"); do
    echo "-- $c connections, pair $p: PostgreSQL" >>"$RUNS"
    pg=$(run_pg "$c")
    echo "-- $c connections, pair $p: SQLite" >>"$RUNS"
    sq=$(run_sq "$c")
    [[ -n $pg && -n $sq && $pg -gt 0 ]] || { echo "checkin_pg: a run failed; see $RUNS" >&2; exit 1; }
    ratio=$(awk -v a="$sq" -v b="$pg" 'BEGIN {printf "%.2f", a / b}')
    printf 'connections=%d pair=%d postgresql=%d sqlite=%d ratio=%s\n' "$c" "$p" "$pg" "$sq" "$ratio"
    pgs+=("$pg") sqs+=("$sq") ratios+=("$ratio")
  done
  mpg=$(printf '%s\n' "${pgs[@]}" | median)
  msq=$(printf '%s\n' "${sqs[@]}" | median)
  mr=$(printf '%s\n' "${ratios[@]}" | median)
  TABLE+=("| $c | ${pgs[*]} | ${sqs[*]} | $mpg | $msq | ${mr}x |")
  BEST_PG=$(awk -v a="$BEST_PG" -v b="$mpg" 'BEGIN {print (b > a) ? b : a}')
  BEST_SQ=$(awk -v a="$BEST_SQ" -v b="$msq" 'BEGIN {print (b > a) ? b : a}')
done

{
  echo "# Check-ins, PostgreSQL beside SQLite (from $STARTED to $(date -u '+%H:%M UTC'))"
  echo
  echo "\`bench/checkin_pg.sh PG_URL ${CONNS[*]}\`, $PAIRS pairs of ${DURATION}-s runs per count,"
  if [[ ${CHECKIN_KEYS:-0} == 1 ]]; then keys="with idempotency keys (CHECKIN_KEYS=1)"; else keys="without keys"; fi
  echo "$N links, answers $keys,"
  echo "binary $BAOHO; load average at the start: $LOAD0."
  echo
  echo "| connections | PostgreSQL answers/s | SQLite answers/s | PostgreSQL median | SQLite median | median ratio |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${TABLE[@]}"
  echo
  echo "Throughput (best median over the connection counts): PostgreSQL $BEST_PG/s, SQLite" \
    "$BEST_SQ/s, ratio $(awk -v a="$BEST_SQ" -v b="$BEST_PG" 'BEGIN {printf "%.2f", a / b}')x."
} | tee "$OUT/checkin-pg-results.md"
