#!/usr/bin/env bash
# bench/run_checkin.sh - durable check-ins through HTTP on SQLite: POST /c/{token} alone, then
# half check-ins and half reads of the crisis's accountability figures, each both without and
# with an idempotency key in every answer (as the check-in page's form sends one); prints one
# table.
#
#   bench/run_checkin.sh [all|checkin|mixed]      (default: all)
#
# Environment:
#   BENCH_CHECKIN_N   check-in links (recipients of one alert, all in the crisis; default 20000)
#   BENCH_DURATION    seconds per wrk run (default 10)
#   BENCH_CONNS       wrk connections (default 64)
#   BENCH_THREADS     wrk threads (default 2)
#   BENCH_SERVER_THREADS  `baoho serve --threads` (default: the server's own default)
#   BENCH_DATA        where the databases go (default /tmp/baoho-checkin)
#   BENCH_BUILD_DIR   CMake build directory, built as Release (default build-checkin-bench)
#   BENCH_BIN         a baoho binary to measure instead of building one (nothing is built then;
#                     bench_alert is taken from beside it, else from BENCH_BUILD_DIR); for
#                     back-to-back comparisons of two builds
#
# Every run starts the server on a fresh copy of the same database (an alert to N persons of
# one crisis, made once by bench_alert with synchronous=FULL), so every run begins with first
# answers. The server runs with its defaults (synchronous=FULL, group commit, access log to a
# file). CPU per request is the server's utime + stime (/proc/PID/stat) around the wrk run over
# the requests wrk made, and the same for wrk itself (GNU time). Results and raw logs go to
# bench/out/checkin-*. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PART=${1:-all}
N=${BENCH_CHECKIN_N:-20000}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-64}
WRK_THREADS=${BENCH_THREADS:-2}
SERVER_THREADS=${BENCH_SERVER_THREADS:-}
DATA=${BENCH_DATA:-/tmp/baoho-checkin}
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-checkin-bench}
OUT=$ROOT/bench/out
BAOHO=${BENCH_BIN:-$BUILD/baoho}
PRISTINE=$DATA/checkin-$N.db
TOKENS=$DATA/checkin-$N.tokens
RUNDB=$DATA/run.db
ADMIN_EMAIL=bench-admin@example.org

case $PART in
  all | checkin | mixed) ;;
  -h | --help)
    sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: bench/run_checkin.sh [all|checkin|mixed]" >&2
    exit 2
    ;;
esac

mkdir -p "$OUT" "$DATA"
log() { printf '== %s\n' "$*" >&2; }

SERVER_PID=""
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

BENCH_ALERT=$BUILD/bench_alert
if [[ -n ${BENCH_BIN:-} && -x $(dirname "$BENCH_BIN")/bench_alert ]]; then
  BENCH_ALERT=$(dirname "$BENCH_BIN")/bench_alert
fi

build() {
  [[ -z ${BENCH_BIN:-} ]] || return 0
  log "building Release into $BUILD"
  if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$BUILD" -j2 --target baoho bench_alert; } >"$OUT/checkin-build.log" 2>&1; then
    tail -20 "$OUT/checkin-build.log" >&2
    echo "bench: the build failed; see $OUT/checkin-build.log" >&2
    return 1
  fi
}

# The alert to N persons with its check-in links, and an admin with an API token; made once.
ensure_data() {
  if [[ ! -s $PRISTINE || ! -s $TOKENS || ! -s $PRISTINE.token ]]; then
    log "an alert to $N persons in $PRISTINE"
    rm -f "$PRISTINE" "$PRISTINE"-* "$PRISTINE.key" "$TOKENS"
    "$BENCH_ALERT" "$PRISTINE" "$N" "$TOKENS" >"$OUT/checkin-alert.log" 2>&1
    printf 'long-password-1\n' | "$BAOHO" user add --email "$ADMIN_EMAIL" --name "Bench Admin" \
      --role admin --db "$PRISTINE" >/dev/null 2>>"$OUT/checkin-alert.log"
    "$BAOHO" token create --email "$ADMIN_EMAIL" --db "$PRISTINE" 2>/dev/null >"$PRISTINE.token"
  fi
  BAOHO_TOKEN=$(<"$PRISTINE.token")
  export BAOHO_TOKEN
}

# Starts the server on a fresh copy of the pristine database; sets URL and SERVER_PID.
start_server() {
  local tag=$1
  rm -f "$RUNDB" "$RUNDB"-* "$RUNDB.key"
  cp "$PRISTINE" "$RUNDB"
  cp "$PRISTINE-audit" "$RUNDB-audit"
  cp "$PRISTINE.key" "$RUNDB.key"
  local args=(serve --db "$RUNDB" --listen 127.0.0.1:0 --port-file "$DATA/port")
  [[ -z $SERVER_THREADS ]] || args+=(--threads "$SERVER_THREADS")
  rm -f "$DATA/port"
  SERVER_CMD="baoho ${args[*]}"
  "$BAOHO" "${args[@]}" >"$OUT/checkin-server-$tag.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    [[ -s $DATA/port ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail "$OUT/checkin-server-$tag.log" >&2; return 1; }
    sleep 0.1
  done
  URL=http://127.0.0.1:$(<"$DATA/port")
  until curl -sf "$URL/healthz" >/dev/null; do sleep 0.1; done
}

ROWS=()
# Runs one mix: $1 tag, $2 percent of reads, $3 1 to send idempotency keys.
run_mix() {
  local tag=$1 reads=$2 keys=$3
  start_server "$tag"
  local acc=""
  if ((reads > 0)); then
    local crisis
    crisis=$(curl -sf -H "Authorization: Bearer $BAOHO_TOKEN" "$URL/api/v1/crises?limit=100" |
      jq -r '.items[] | select(.name == "Bench crisis") | .id' | head -1)
    acc=/api/v1/crises/$crisis/accountability
    curl -sf -o /dev/null -H "Authorization: Bearer $BAOHO_TOKEN" "$URL$acc"
  fi
  local wcmd=(/usr/bin/time -f "wrk_user_s=%U wrk_sys_s=%S" -o "$OUT/checkin-wrk-$tag.time"
    env CHECKIN_KEYS="$keys" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency
    -s "$ROOT/bench/checkin_mixed.lua" "$URL" -- "$TOKENS" "$reads")
  [[ -z $acc ]] || wcmd+=("$acc")
  log "$tag: ${wcmd[*]}"
  local t0 t1
  t0=$(awk '{print $14, $15}' "/proc/$SERVER_PID/stat")
  "${wcmd[@]}" >"$OUT/checkin-wrk-$tag.log" 2>&1
  t1=$(awk '{print $14, $15}' "/proc/$SERVER_PID/stat")
  local rss
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
  stop_server
  local r
  r=$(sed -n 's/^BENCH //p' "$OUT/checkin-wrk-$tag.log")
  [[ -n $r ]] || { cat "$OUT/checkin-wrk-$tag.log" >&2; return 1; }
  r="$r $(<"$OUT/checkin-wrk-$tag.time")"
  local stored
  stored=$(sqlite3 "$RUNDB" "SELECT count(*) FROM checkins" 2>/dev/null || echo "?")
  ROWS+=("$(awk -v tag="$tag" -v r="$r" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
    -v rss="$rss" -v stored="$stored" 'BEGIN {
      n = split(r, kvs, " "); for (i = 1; i <= n; i++) { split(kvs[i], p, "="); v[p[1]] = p[2] }
      split(t0, a, " "); split(t1, b, " ");
      u = (b[1] - a[1]) * 1e6 / hz / v["requests"]; s = (b[2] - a[2]) * 1e6 / hz / v["requests"];
      w = (v["wrk_user_s"] + v["wrk_sys_s"]) * 1e6 / v["requests"];
      printf "| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %.0f (%.0f + %.0f) | %.0f | %s | %d |\n",
        tag, v["requests"], v["rps"], v["p50_ms"], v["p99_ms"], v["max_ms"],
        v["non2xx"] + v["sock_errors"], u + s, u, s, w, stored, rss / 1024 }')")
  CMDS+=("* $tag: \`${wcmd[*]:5}\` against \`$SERVER_CMD\`")
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
build
ensure_data
CMDS=()
if [[ $PART == all || $PART == checkin ]]; then
  run_mix checkin 0 0
  run_mix checkin-keys 0 1
fi
if [[ $PART == all || $PART == mixed ]]; then
  run_mix mixed 50 0
  run_mix mixed-keys 50 1
fi

{
  echo "check-in links: $N, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, $(nproc) cores," \
    "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| mix | requests | req/s | p50 ms | p99 ms | max ms | errors | server CPU µs/req (user + sys) | wrk CPU µs/req | check-ins stored | RSS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  printf '%s\n' "${CMDS[@]}"
} | tee "$OUT/checkin-results.md"
