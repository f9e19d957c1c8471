#!/usr/bin/env bash
# bench/run.sh - measures baoho's performance targets on this machine and prints a table.
#
#   bench/run.sh [all|import|search|healthz|memory]     (default: all)
#
# Environment:
#   BENCH_N          persons to generate and import (default 1000000; 100000 for a quick run)
#   BENCH_DURATION   seconds per wrk run (default 20)
#   BENCH_CONNS      wrk connections (default 16)
#   BENCH_THREADS    wrk threads (default 2)
#   BENCH_DATA       where the CSV, the database and nginx's files go (default /tmp/baoho-bench)
#   BENCH_BUILD_DIR  CMake build directory (default build-bench at the repository root)
#
# Every figure is written with the exact command behind it to bench/out/results-PART-N.md (and
# .tsv); raw tool output goes to bench/out/*.log. Servers bind 127.0.0.1 only and are
# stopped on exit, whatever the exit path. See bench/README.md for what each figure means.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PART=${1:-all}
N=${BENCH_N:-1000000}
DURATION=${BENCH_DURATION:-20}
CONNS=${BENCH_CONNS:-16}
WRK_THREADS=${BENCH_THREADS:-2}
DATA=${BENCH_DATA:-/tmp/baoho-bench}
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
OUT=$ROOT/bench/out
BAOHO=$BUILD/baoho
QUERIES=$BUILD/bench_queries
CSV=$DATA/persons-$N.csv
DB=$DATA/persons-$N.db
ADMIN_EMAIL=bench-admin@example.org
NAMES_SAMPLE=2000

case $PART in
  all | import | search | healthz | memory) ;;
  -h | --help)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: bench/run.sh [all|import|search|healthz|memory]" >&2
    exit 2
    ;;
esac

mkdir -p "$OUT" "$DATA"
RESULTS_TSV=$OUT/results-$PART-$N.tsv
RESULTS_MD=$OUT/results-$PART-$N.md

# ---- processes we start, stopped on every exit ----

SERVER_PID=""
NGINX_PID=""

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

stop_nginx() {
  if [[ -n $NGINX_PID ]]; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
  fi
}

cleanup() {
  stop_server
  stop_nginx
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- helpers ----

log() { printf '== %s\n' "$*" >&2; }

# Microseconds since the epoch, without starting a process (bash 5's EPOCHREALTIME).
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }

# Records one figure: name, value, unit, target, the command that produced it.
record() {
  local name=$1 value=$2 unit=$3 target=$4 cmd=$5
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$value" "$unit" "$target" "$cmd" >>"$RESULTS_TSV"
  # shellcheck disable=SC2016 # the backquotes are Markdown
  printf '| %s | %s %s | %s | `%s` |\n' "$name" "$value" "$unit" "$target" "$cmd" >>"$RESULTS_MD"
  printf '  %-34s %12s %-8s (target %s)\n' "$name" "$value" "$unit" "$target" >&2
}

# A port nothing on 127.0.0.1 answers on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "bench: no free port found" >&2
  return 1
}

# Sends GET $2 to 127.0.0.1:$1 over bash's /dev/tcp (no process started, so polling with it
# does not add fork and exec time to what it measures); succeeds on an HTTP 200.
http_ok() {
  local port=$1 path=$2 status
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
  read -r -t 5 _ status _ <&3 || status=""
  exec 3<&-
  [[ $status == 200 ]]
}

# Waits until http://127.0.0.1:$1$2 answers 200, for at most 10 s.
wait_http() {
  local port=$1 path=${2:-/healthz} deadline=$(($(now_us) + 10000000))
  until http_ok "$port" "$path"; do
    if (($(now_us) > deadline)); then
      echo "bench: nothing answers on 127.0.0.1:$port" >&2
      return 1
    fi
  done
}

# Starts `baoho serve` on the benchmark database; sets SERVER_PID, SERVER_PORT, SERVER_WALL_MS
# (from starting the process to the first answered /healthz) and SERVER_LOG.
start_server() {
  local tag=$1
  SERVER_LOG=$OUT/server-$tag.log
  local pf=$DATA/port-file t0
  rm -f "$pf"
  t0=$(now_us)
  "$BAOHO" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$pf" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  local deadline=$((t0 + 10000000))
  until [[ -s $pf ]]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || (($(now_us) > deadline)); then
      cat "$SERVER_LOG" >&2
      return 1
    fi
  done
  SERVER_PORT=$(<"$pf")
  wait_http "$SERVER_PORT"
  SERVER_WALL_MS=$((($(now_us) - t0) / 1000))
}

# Runs wrk with a script; sets WRK_CMD (the command) and WRK_RESULT (the key=value pairs of
# the script's BENCH line). Full output in $OUT/wrk-$tag.log.
run_wrk() {
  local tag=$1 url=$2 script=$3 list=${4:-} secs=${5:-$DURATION}
  local wcmd=(wrk -t"$WRK_THREADS" -c"$CONNS" -d"${secs}s" --latency -s "$script" "$url")
  if [[ -n $list ]]; then wcmd+=(-- "$list"); fi
  WRK_CMD="${wcmd[*]}"
  "${wcmd[@]}" >"$OUT/wrk-$tag.log" 2>&1
  WRK_RESULT=$(sed -n 's/^BENCH //p' "$OUT/wrk-$tag.log")
  if [[ -z $WRK_RESULT ]]; then
    echo "bench: wrk gave no result; see $OUT/wrk-$tag.log" >&2
    return 1
  fi
}

# Extracts key from a "k=v k=v" line.
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# CPU time (user + system, in clock ticks) the process $1 has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Milliseconds of CPU per request: ticks $1 over requests $2.
cpu_ms_per_req() {
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", n ? t * 1000 / hz / n : 0}'
}

build() {
  log "building Release into $BUILD"
  if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$BUILD" -j"$(nproc)" --target baoho bench_queries; } >"$OUT/build.log" 2>&1; then
    tail -20 "$OUT/build.log" >&2
    echo "bench: the build failed; see $OUT/build.log" >&2
    return 1
  fi
}

ensure_csv() {
  if [[ ! -s $CSV ]]; then
    log "generating $N persons into $CSV"
    "$BAOHO" gen persons "$N" --seed 1 >"$CSV.tmp"
    mv "$CSV.tmp" "$CSV"
  fi
}

# Creates the admin account and an API token for the wrk scripts (BAOHO_TOKEN).
ensure_token() {
  if ! printf 'long-password-1\n' |
    "$BAOHO" user add --email "$ADMIN_EMAIL" --name "Bench Admin" --role admin --db "$DB" \
      >/dev/null 2>"$OUT/user-add.log"; then
    grep -q "already exists" "$OUT/user-add.log" || { cat "$OUT/user-add.log" >&2; return 1; }
  fi
  BAOHO_TOKEN=$("$BAOHO" token create --email "$ADMIN_EMAIL" --db "$DB" 2>/dev/null)
  export BAOHO_TOKEN
}

# ---- 1. import ----

part_import() {
  ensure_csv
  log "import of $N persons"
  rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-audit" "$DB-audit-wal" "$DB-audit-shm" "$DB.key" \
    "$DATA/rejects.csv"
  local cmd="baoho import persons $CSV --db $DB --rejects $DATA/rejects.csv"
  /usr/bin/time -f 'maxrss_kb=%M user_s=%U sys_s=%S wall_s=%e' -o "$OUT/import.time" \
    "$BAOHO" import persons "$CSV" --db "$DB" --rejects "$DATA/rejects.csv" \
    >"$OUT/import.log" 2>&1
  grep -v 'migration applied' "$OUT/import.log" >&2
  local line rate secs times cpu
  line=$(grep 'rows read' "$OUT/import.log")
  rate=$(sed -n 's/.*, \([0-9]*\) rows\/s).*/\1/p' <<<"$line")
  secs=$(sed -n 's/.*(\([0-9.]*\) s,.*/\1/p' <<<"$line")
  times=$(tail -1 "$OUT/import.time")
  record "import rate ($N rows)" "$rate" "rows/s" ">= 100000" "$cmd"
  record "import wall time" "$secs" "s" "-" "$cmd"
  record "import CPU user/sys" "$(kv user_s "$times")/$(kv sys_s "$times")" "s" "-" \
    "/usr/bin/time $cmd"
  # Each thread's CPU as the import logs it (CLOCK_THREAD_CPUTIME_ID): the store thread (the
  # calling one: rows, index rebuilds, commit), the parser thread (CSV, validation, sealing) and
  # the names thread (the name index of an initial load). The wall time is at least the largest.
  cpu=$(grep 'import: thread CPU' "$OUT/import.log" || true)
  if [[ -n $cpu ]]; then
    local t
    for t in store parser names; do
      record "import $t thread CPU" "$(awk -v ms="$(kv "${t}_ms" "$cpu")" 'BEGIN {printf "%.2f", ms / 1000}')" \
        "s" "-" "the import's log line 'import: thread CPU' of $cmd"
    done
  fi
  record "import peak RSS" "$(($(kv maxrss_kb "$times") / 1024))" "MB" "-" "/usr/bin/time $cmd"
  record "database size" "$(($(stat -c %s "$DB") / 1048576))" "MB" "-" "stat -c %s $DB"
}

ensure_db() {
  if [[ ! -s $DB ]]; then part_import; fi
}

# ---- 2. search latency ----

# Times each of the first $2 queries of list $1 once, alone; writes the slowest to the log.
probe_slowest() {
  local list=$1 count=$2 tag=$3
  head -n "$count" "$list" | cut -f2 | while read -r path; do
    curl -s -o /dev/null -H "Authorization: Bearer $BAOHO_TOKEN" \
      -w "%{time_total}\t%{http_code}\t$path\n" "http://127.0.0.1:$SERVER_PORT$path"
  done | sort -rn >"$OUT/probe-$tag.tsv"
  local worst
  worst=$(head -1 "$OUT/probe-$tag.tsv")
  record "slowest single $tag query" "$(awk '{printf "%.1f", $1 * 1000}' <<<"$worst")" "ms" \
    "-" "curl (sequential) $(cut -f3 <<<"$worst")"
}

part_search() {
  ensure_csv
  ensure_db
  ensure_token
  log "query lists from $CSV"
  "$QUERIES" names "$NAMES_SAMPLE" 1 <"$CSV" >"$OUT/names.tsv"
  "$QUERIES" filters <"$CSV" | sort -t$'\t' -k3,3nr >"$OUT/filters.tsv"
  for cls in name_full name_ascii name_two name_two_ascii; do
    awk -F'\t' -v c="$cls" '$1 == c' "$OUT/names.tsv" >"$OUT/$cls.tsv"
  done
  start_server search
  local url=http://127.0.0.1:$SERVER_PORT r
  log "warm-up (5 s, not counted)"
  run_wrk warmup "$url" "$ROOT/bench/rotate.lua" "$OUT/names.tsv" 5
  for tag in filters names name_full name_ascii name_two name_two_ascii; do
    log "wrk: $tag"
    local t0
    t0=$(cpu_ticks "$SERVER_PID")
    run_wrk "search-$tag" "$url" "$ROOT/bench/rotate.lua" "$OUT/$tag.tsv"
    r=$WRK_RESULT
    record "$tag server CPU per request" \
      "$(cpu_ms_per_req $(($(cpu_ticks "$SERVER_PID") - t0)) "$(kv requests "$r")")" "ms" "-" \
      "utime+stime of /proc/PID/stat around $WRK_CMD"
    record "$tag p99 (c=$CONNS)" "$(kv p99_ms "$r")" "ms" "< 20" "$WRK_CMD"
    record "$tag p50" "$(kv p50_ms "$r")" "ms" "-" "$WRK_CMD"
    record "$tag throughput" "$(kv rps "$r")" "req/s" "-" "$WRK_CMD"
    record "$tag non-2xx" "$(kv non2xx "$r")" "responses" "0" "$WRK_CMD"
  done
  probe_slowest "$OUT/filters.tsv" 200 filter
  probe_slowest "$OUT/names.tsv" 400 name
  record "server RSS after search load" \
    "$(($(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024))" "MB" "-" \
    "grep VmRSS /proc/PID/status"
  stop_server
}

# ---- 3. /healthz against nginx ----

part_healthz() {
  ensure_csv
  ensure_db
  local nport ndir=$DATA/nginx
  nport=$(free_port)
  mkdir -p "$ndir/www" "$ndir/tmp"
  printf 'ok\n' >"$ndir/www/healthz"
  cat >"$ndir/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $ndir/nginx.pid;
error_log $ndir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ndir/tmp;
  proxy_temp_path $ndir/tmp;
  fastcgi_temp_path $ndir/tmp;
  uwsgi_temp_path $ndir/tmp;
  scgi_temp_path $ndir/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    root $ndir/www;
    location = /healthz { default_type application/json; }
  }
}
EOF
  nginx -c "$ndir/nginx.conf" -p "$ndir" >"$OUT/nginx.log" 2>&1 &
  NGINX_PID=$!
  wait_http "$nport"
  start_server healthz
  local rb rn
  log "wrk: baoho /healthz"
  run_wrk healthz-baoho "http://127.0.0.1:$SERVER_PORT/healthz" "$ROOT/bench/plain.lua"
  rb=$WRK_RESULT
  local cmd_b=$WRK_CMD
  log "wrk: nginx static file"
  run_wrk healthz-nginx "http://127.0.0.1:$nport/healthz" "$ROOT/bench/plain.lua"
  rn=$WRK_RESULT
  local cmd_n=$WRK_CMD
  record "baoho /healthz" "$(kv rps "$rb")" "req/s" "-" "$cmd_b"
  record "baoho /healthz p99" "$(kv p99_ms "$rb")" "ms" "-" "$cmd_b"
  record "nginx static file" "$(kv rps "$rn")" "req/s" "-" "$cmd_n"
  record "baoho / nginx" "$(awk -v a="$(kv rps "$rb")" -v b="$(kv rps "$rn")" \
    'BEGIN {printf "%.2f", a / b}')" "ratio" ">= 0.5" "(the two runs above)"
  stop_server
  stop_nginx
}

# ---- 4. memory and start-up ----

part_memory() {
  ensure_csv
  ensure_db
  local walls=() startups=() rss=()
  for i in 1 2 3 4 5; do
    start_server "memory-$i"
    walls+=("$SERVER_WALL_MS")
    startups+=("$(sed -n 's/.*startup_ms=\([0-9.]*\).*/\1/p' "$SERVER_LOG" | head -1)")
    rss+=("$(($(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024))")
    stop_server
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
  local cmd="baoho serve --db $DB --listen 127.0.0.1:0"
  record "idle RSS after start (median of 5)" "$(median "${rss[@]}")" "MB" "< 30" \
    "$cmd; grep VmRSS /proc/PID/status"
  record "startup_ms logged (median of 5)" "$(median "${startups[@]}")" "ms" "< 100" "$cmd"
  record "exec to first answer (median of 5)" "$(median "${walls[@]}")" "ms" "< 100" \
    "$cmd; GET /healthz over /dev/tcp until it answers"
}

# ---- main ----

{
  echo "# baoho benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "N=$N, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, $(nproc) CPUs, $(uname -r)," \
    "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '(with local changes)')"
  echo
  echo "| figure | value | target | command |"
  echo "|---|---|---|---|"
} >"$RESULTS_MD"
: >"$RESULTS_TSV"

build
case $PART in
  import) part_import ;;
  search) part_search ;;
  healthz) part_healthz ;;
  memory) part_memory ;;
  all)
    part_import
    part_memory
    part_healthz
    part_search
    ;;
esac

echo
column -t -s $'\t' -N figure,value,unit,target,command "$RESULTS_TSV" 2>/dev/null ||
  cat "$RESULTS_TSV"
echo
echo "results: $RESULTS_MD"
