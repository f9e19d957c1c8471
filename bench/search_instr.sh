#!/usr/bin/env bash
# search_instr.sh - user-space instructions per request of the server (valgrind's callgrind), a
# figure that other work on a shared machine does not move, to compare two builds of the search.
#
#   BAOHO_TOKEN=... bench/search_instr.sh BAOHO_BINARY DB QUERY_LIST [N]
#
# Starts `BAOHO_BINARY serve --db DB --threads 4` under callgrind with instrumentation off, sends
# the first 50 paths of QUERY_LIST (bench_queries output) to warm the caches, switches the
# instrumentation on, sends the first N paths (default 200) one at a time with curl, and prints
# the instructions counted (every thread of the server: HTTP, handler, store, audit writer)
# divided by the requests the handlers ran. Kernel time (fsync, sockets) is not in it: compare
# it beside the CPU per request of bench/cpu_ab.sh. The server is stopped however the script exits.
set -euo pipefail

if (($# < 3)); then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
BIN=$1 DB=$2 LIST=$3 N=${4:-200}
: "${BAOHO_TOKEN:?set BAOHO_TOKEN to an API token of an admin of $DB}"
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

valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" --instr-atstart=no \
  "$BIN" serve --db "$DB" --threads 4 --listen 127.0.0.1:0 --port-file "$WORK/port" \
  >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  [[ -s $WORK/port ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
URL=http://127.0.0.1:$(<"$WORK/port")
until curl -sf "$URL/healthz" >/dev/null; do sleep 0.1; done
send() { head -n "$1" "$LIST" | cut -f2 | while read -r path; do
  curl -s -o /dev/null -H "Authorization: Bearer $BAOHO_TOKEN" "$URL$path"; done; }
send 50
callgrind_control -i on "$PID" >/dev/null
send "$N"
callgrind_control -i off "$PID" >/dev/null
callgrind_control -d "$PID" >/dev/null
OUT=$(ls "$WORK"/cg.out.* | head -1)
TOTAL=$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
# The requests counted: calls of the list handler (instrumentation starts a little late).
REQS=$(callgrind_annotate --tree=caller "$OUT" 2>/dev/null |
  grep -B4 -E '\*  .*:h_persons_list ' | sed -n 's/.*api_dispatch (\([0-9,]*\)x).*/\1/p' | tr -d , | head -1)
# When the call tree does not name the handler's caller (inlined in some builds), the requests
# sent: callgrind_control waits for the switch, so none of them is missed.
[[ ${REQS:-0} -gt 0 ]] || REQS=$N
awk -v b="$(basename "$BIN")" -v l="$(basename "$LIST")" -v t="$TOTAL" -v n="$REQS" \
  'BEGIN {printf "%s %s requests=%d instructions_per_request=%.0f\n", b, l, n, t / n}'
