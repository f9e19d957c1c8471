#!/usr/bin/env bash
# failover.sh - the failover test of the highly available layout (deploy/local-ha.sh): under a
# steady stream of writes through haproxy, the Patroni primary is killed; no write acknowledged
# with 2xx may be lost, requests during the switch must get 503 with Retry-After (no 500, no
# hang), and the time writes were unavailable is measured.
#
#   tests/ha/failover.sh [--kill postgres|node|switchover] [--keep]
#
#   --kill postgres  kill -9 the leader's postmaster (the default). Patroni, which still holds
#                    the leader lock, restarts it (crash recovery) or fails over.
#   --kill node      kill -9 the leader's Patroni and then its postmaster, as when the host
#                    dies: the lock expires after `ttl` and the synchronous standby is promoted.
#   --kill switchover  a planned `patronictl switchover` (as for an upgrade).
#   --keep           leave the cluster running afterwards (deploy/local-ha.sh down stops it).
#
# Runs as root on a fresh cluster in $BAOHO_HA_DIR (default /tmp/baoho-ha-failover) on ports
# from $BAOHO_HA_PORT_BASE (default 26000); takes about two minutes. Writer settings: the
# variables HA_RATE (writes/s, 40), HA_THREADS (4), HA_SETTLE (s of clean writes to stop, 10),
# HA_MAX (s in all, 120). Exit 0 only when every acknowledged write is found afterwards and
# every failure was a 503 with Retry-After; writes must be back within HA_TARGET s (30).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF=$REPO/tests/ha/failover.sh
HA=$REPO/deploy/local-ha.sh
export BAOHO_HA_DIR=${BAOHO_HA_DIR:-/tmp/baoho-ha-failover}
export BAOHO_HA_PORT_BASE=${BAOHO_HA_PORT_BASE:-26000}

say() { printf 'failover: %s\n' "$*" >&2; }

# The Patroni node (1, 2, 3) that holds the leader lock, from the REST API of each node.
leader_node() {
  local i
  for i in 1 2 3; do
    if curl -fs -o /dev/null --max-time 2 \
      "http://127.0.0.1:$((BAOHO_HA_PORT_BASE + 30 + i))/leader"; then
      echo "$i"
      return 0
    fi
  done
  return 1
}

# Called by the writer at the moment of the fault.
inject() {
  local mode=$1 node d pid
  node=$(leader_node) || {
    say "no leader to kill"
    return 1
  }
  d=$BAOHO_HA_DIR/pg/pg$node
  pid=$(head -n 1 "$d/data/postmaster.pid")
  if [[ $mode == switchover ]]; then
    say "patronictl switchover away from leader pg$node"
    patronictl -c "$d/patroni.yml" switchover --leader "pg$node" --force >&2
    return
  fi
  if [[ $mode == node ]]; then
    say "kill -9 Patroni (pid $(cat "$d/patroni.pid")) and PostgreSQL (pid $pid) of leader pg$node"
    kill -KILL "$(cat "$d/patroni.pid")"
  else
    say "kill -9 the postmaster (pid $pid) of leader pg$node"
  fi
  kill -KILL "$pid"
}

mode=postgres keep=0
while (($#)); do
  case $1 in
    --inject)
      inject "$2"
      exit
      ;;
    --kill)
      mode=$2
      shift
      ;;
    --keep) keep=1 ;;
    *)
      echo "usage: $0 [--kill postgres|node|switchover] [--keep]" >&2
      exit 2
      ;;
  esac
  shift
done
[[ $mode == postgres || $mode == node || $mode == switchover ]] || {
  echo "--kill takes postgres, node or switchover" >&2
  exit 2
}

# shellcheck disable=SC2317 # the EXIT trap
finish() {
  local rc=$?
  if ((keep)); then
    say "cluster left running: $HA status / $HA down --purge (with BAOHO_HA_DIR=$BAOHO_HA_DIR BAOHO_HA_PORT_BASE=$BAOHO_HA_PORT_BASE)"
  else
    "$HA" down --purge >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap finish EXIT

started=$SECONDS
"$HA" down --purge >/dev/null 2>&1 || true
"$HA" up
eval "$("$HA" env)"
BAOHO=$(readlink -f "${BAOHO_BIN:-$REPO/build-ha/baoho}")
[[ -x $BAOHO ]] || BAOHO=$REPO/build/baoho

# An hq officer and an API token, made with the CLI on the cluster (the key file is ./baoho.key).
cd "$BAOHO_HA_DIR"
printf 'failover test password\n' |
  "$BAOHO" user add --email failover@example.org --name 'Failover test' --role hq >/dev/null
token=$("$BAOHO" token create --email failover@example.org --name failover)
say "cluster up in $((SECONDS - started)) s; writing through $BAOHO_HA_URL, fault: $mode"

status=0
python3 "$REPO/tests/ha/writer.py" --url "$BAOHO_HA_URL" --token "$token" \
  --rate "${HA_RATE:-40}" --threads "${HA_THREADS:-4}" --settle "${HA_SETTLE:-10}" \
  --max-seconds "${HA_MAX:-120}" --kill-at 5 --kill-cmd "$SELF --inject $mode" \
  --log "$BAOHO_HA_DIR/writes.jsonl" \
  --db-names-cmd "psql '$BAOHO_DB' -X -A -t -c \"SELECT full_name FROM persons WHERE full_name LIKE 'HA %'\"" |
  tee "$BAOHO_HA_DIR/summary.txt" || status=$?

patronictl -c "$BAOHO_HA_PATRONI_CONFIG" list 2>/dev/null || true
# What the baoho nodes logged about the database during the switch.
for f in "$BAOHO_HA_DIR"/baoho/b*/baoho.log; do
  printf '%s: %s errors, %s lost-connection warnings, %s resets; statuses of persons.create: %s\n' \
    "$(basename "$(dirname "$f")")" "$(grep -c 'level=error' "$f" || true)" \
    "$(grep -c 'connection lost\|session unusable' "$f" || true)" \
    "$(grep -c 'connection reset' "$f" || true)" \
    "$(grep 'route="persons.create"' "$f" | grep -o 'status=[0-9]*' | sort | uniq -c |
      awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')"
done

# Writes must be back within the target.
outage=$(sed -n 's/^SUMMARY: .*unavailable for \([0-9.]*\) s.*/\1/p' "$BAOHO_HA_DIR/summary.txt")
if [[ -n $outage ]] && ! awk -v o="$outage" -v t="${HA_TARGET:-30}" 'BEGIN {exit !(o < t)}'; then
  say "FAIL: writes were unavailable for $outage s (target ${HA_TARGET:-30} s)"
  status=1
fi
say "done in $((SECONDS - started)) s: $([[ $status == 0 ]] && echo PASS || echo FAIL)"
exit "$status"
