#!/usr/bin/env bash
# local-ha.sh - baoho's highly available layout on ONE machine, for testing: three etcd members,
# PostgreSQL 15 nodes under Patroni with synchronous replication, two `baoho serve` nodes and
# haproxy in front, all on 127.0.0.1 and high ports, under one work directory.
#
#   deploy/local-ha.sh up       start whatever is not running (installs missing packages)
#   deploy/local-ha.sh status   what runs, the Patroni cluster, haproxy's view of the nodes
#   deploy/local-ha.sh env      shell assignments for scripts (eval "$(deploy/local-ha.sh env)")
#   deploy/local-ha.sh down     stop everything it started; --purge also deletes the work dir
#
# Environment: BAOHO_HA_DIR (work dir, default /tmp/baoho-ha), BAOHO_HA_PORT_BASE (default
# 25000; every port is base + a small offset, listed in ports below), BAOHO_HA_PG_NODES (2 or
# 3, default 3), BAOHO_BIN (default build-ha/baoho, else build/baoho, in this repo).
# Needs root: PostgreSQL runs as `postgres` (runuser), packages come from apt-get. The same
# layout on real hosts is in deploy/README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPLOY=$REPO/deploy
HA_DIR=${BAOHO_HA_DIR:-/tmp/baoho-ha}
PB=${BAOHO_HA_PORT_BASE:-25000}
PG_NODES=${BAOHO_HA_PG_NODES:-3}
SCOPE=baoho-ha-$PB
PG_BIN=/usr/lib/postgresql/15/bin
PACKAGES=(patroni etcd-server etcd-client haproxy postgresql-15 curl)
BAOHO_NODES=2
WAIT_S=120

# ---- ports: etcd client PB+1.., etcd peer PB+11.., PostgreSQL PB+21.., Patroni REST PB+31..,
# baoho PB+41.., haproxy PB+50 (HTTP) and PB+51 (stats page).
etcd_port() { echo $((PB + $1)); }
etcd_peer_port() { echo $((PB + 10 + $1)); }
pg_port() { echo $((PB + 20 + $1)); }
rest_port() { echo $((PB + 30 + $1)); }
baoho_port() { echo $((PB + 40 + $1)); }
HAPROXY_PORT=$((PB + 50))
STATS_PORT=$((PB + 51))

# Messages go to the original stderr, even from inside wait_for's silenced commands.
exec 9>&2
say() { printf 'local-ha: %s\n' "$*" >&9; }
die() {
  say "error: $*"
  exit 1
}

etcd_hosts() {
  local i out=""
  for i in 1 2 3; do out+="${out:+,}127.0.0.1:$(etcd_port "$i")"; done
  echo "$out"
}

db_url() {
  local i hosts=""
  for ((i = 1; i <= PG_NODES; i++)); do hosts+="${hosts:+,}127.0.0.1:$(pg_port "$i")"; done
  echo "postgresql://baoho@$hosts/baoho?target_session_attrs=read-write&connect_timeout=3"
}

# ---- processes: each one writes its own pid file, so that `down` stops exactly what `up`
# started; a pid counts only while its command line still names this work directory.

alive() {
  local pidfile=$1 pid
  [[ -s $pidfile ]] || return 1
  pid=$(head -n 1 "$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$HA_DIR"
}

# spawn PIDFILE LOG [USER] -- CMD...: starts CMD in its own session unless already running.
spawn() {
  local pidfile=$1 log=$2 user=$3
  shift 4
  alive "$pidfile" && return 0
  # shellcheck disable=SC2016 # $$ and $@ are the inner shell's
  if [[ $user == root ]]; then
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$log" 2>&1 </dev/null 9>&- &
  else
    setsid runuser -u "$user" -- sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
      >>"$log" 2>&1 </dev/null 9>&- &
  fi
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.1
  done
  die "$(basename "$pidfile" .pid) did not start (see $log)"
}

# stop PIDFILE SIGNAL SECONDS: signals the process and waits for it, then kills it.
stop() {
  local pidfile=$1 sig=$2 secs=$3 pid i
  if alive "$pidfile"; then
    pid=$(head -n 1 "$pidfile")
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
      alive "$pidfile" || break
      sleep 0.1
    done
    if alive "$pidfile"; then
      say "$(basename "$pidfile" .pid) did not stop in ${secs}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$pidfile"
}

# wait_for SECONDS WHAT CMD...: runs CMD until it succeeds.
wait_for() {
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "timed out after ${secs}s waiting for $what"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# render TEMPLATE OUT NAME=VALUE...: replaces every @NAME@; fails on one left unreplaced.
render() {
  local tpl=$1 out=$2
  shift 2
  python3 - "$tpl" "$out" "$@" <<'PY'
import re, sys
tpl, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(tpl, encoding="utf-8").read()
for pair in pairs:
    name, value = pair.split("=", 1)
    text = text.replace("@" + name + "@", value)
left = sorted(set(re.findall(r"@[A-Z_0-9]+@", text)))
if left:
    sys.exit("unreplaced in %s: %s" % (tpl, " ".join(left)))
open(out, "w", encoding="utf-8").write(text)
PY
}

# ---- set-up

need_root() { [[ $(id -u) -eq 0 ]] || die "run as root (PostgreSQL runs as postgres via runuser)"; }

install_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >/dev/null
}

find_baoho() {
  if [[ -n ${BAOHO_BIN:-} ]]; then
    [[ -x $BAOHO_BIN ]] || die "BAOHO_BIN=$BAOHO_BIN is not executable"
  elif [[ -x $REPO/build-ha/baoho ]]; then
    BAOHO_BIN=$REPO/build-ha/baoho
  elif [[ -x $REPO/build/baoho ]]; then
    BAOHO_BIN=$REPO/build/baoho
  else
    die "no baoho binary: build it (cmake -S . -B build-ha && cmake --build build-ha --target baoho) or set BAOHO_BIN"
  fi
  BAOHO_BIN=$(readlink -f "$BAOHO_BIN")
}

# Passwords are made once per work dir and kept in $HA_DIR/secrets (mode 0600).
load_secrets() {
  if [[ ! -s $HA_DIR/secrets ]]; then
    (
      umask 077
      for n in SUPERUSER REPLICATION REWIND BAOHO; do
        echo "${n}_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      done >"$HA_DIR/secrets"
    )
  fi
  # shellcheck disable=SC1091
  . "$HA_DIR/secrets"
}

make_dirs() {
  mkdir -p "$HA_DIR"/{etcd,pg,baoho,haproxy}
  chmod 755 "$HA_DIR" "$HA_DIR/pg"
  load_secrets
  # The key file of the baoho nodes: 32 random bytes, the same on every node.
  if [[ ! -s $HA_DIR/baoho.key ]]; then
    (umask 077 && head -c 32 /dev/urandom >"$HA_DIR/baoho.key")
  fi
  # libpq finds the baoho role's password here (PGPASSFILE), not in the URL.
  (umask 077 && echo "*:*:baoho:baoho:$BAOHO_PASSWORD" >"$HA_DIR/baoho.pgpass")
}

start_etcd() {
  local i cluster=""
  for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$(etcd_peer_port "$i")"; done
  for i in 1 2 3; do
    local d=$HA_DIR/etcd/e$i
    mkdir -p "$d"
    alive "$d/etcd.pid" && continue
    port_free "$(etcd_port "$i")" || die "port $(etcd_port "$i") is taken"
    spawn "$d/etcd.pid" "$d/etcd.log" root -- etcd --name "e$i" --data-dir "$d/data" \
      --listen-client-urls "http://127.0.0.1:$(etcd_port "$i")" \
      --advertise-client-urls "http://127.0.0.1:$(etcd_port "$i")" \
      --listen-peer-urls "http://127.0.0.1:$(etcd_peer_port "$i")" \
      --initial-advertise-peer-urls "http://127.0.0.1:$(etcd_peer_port "$i")" \
      --initial-cluster "$cluster" --initial-cluster-token "$SCOPE" \
      --initial-cluster-state new
  done
  wait_for "$WAIT_S" "etcd" env ETCDCTL_API=3 etcdctl --endpoints "$(etcd_hosts)" \
    endpoint health
}

start_patroni() {
  local i
  for ((i = 1; i <= PG_NODES; i++)); do
    local d=$HA_DIR/pg/pg$i
    mkdir -p "$d"
    chown postgres:postgres "$d"
    chmod 700 "$d"
    alive "$d/patroni.pid" && continue
    port_free "$(pg_port "$i")" || die "port $(pg_port "$i") is taken"
    port_free "$(rest_port "$i")" || die "port $(rest_port "$i") is taken"
    render "$DEPLOY/patroni.yml.in" "$d/patroni.yml" \
      SCOPE="$SCOPE" NAME="pg$i" REST_ADDR="127.0.0.1:$(rest_port "$i")" \
      ETCD_HOSTS="$(etcd_hosts)" TTL=10 LOOP_WAIT=2 RETRY_TIMEOUT=4 \
      ARCHIVE_MODE=off ARCHIVE_COMMAND="" \
      PG_ADDR="127.0.0.1:$(pg_port "$i")" DATA_DIR="$d/data" PGPASS="$d/pgpass" \
      SUPERUSER_PASSWORD="$SUPERUSER_PASSWORD" REPLICATION_PASSWORD="$REPLICATION_PASSWORD" \
      REWIND_PASSWORD="$REWIND_PASSWORD" SOCKET_DIR="$d" CLIENT_NET=127.0.0.1/32
    chown postgres:postgres "$d/patroni.yml"
    chmod 600 "$d/patroni.yml"
    spawn "$d/patroni.pid" "$d/patroni.log" postgres -- patroni "$d/patroni.yml"
  done
}

# The Patroni cluster as JSON (members, roles, states), from the first REST API that answers.
cluster_json() {
  local i
  for ((i = 1; i <= PG_NODES; i++)); do
    curl -fsS --max-time 2 "http://127.0.0.1:$(rest_port "$i")/cluster" 2>/dev/null && return 0
  done
  return 1
}

# Prints "NAME PORT" of the running leader and of each streaming synchronous standby.
cluster_roles() {
  cluster_json | python3 -c '
import json, sys
c = json.load(sys.stdin)
for m in c.get("members", []):
    if m.get("state") in ("running", "streaming"):
        print(m["role"], m["name"], m.get("port", ""))'
}

leader_ready() { cluster_roles | grep -qE '^(leader|master) '; }
sync_ready() { cluster_roles | grep -qE '^(sync_standby|synchronous_standby) '; }

leader_port() { cluster_roles | awk '$1 == "leader" || $1 == "master" {print $3; exit}'; }

# Runs psql as postgres on the leader's unix socket (peer authentication).
# shellcheck disable=SC2120 # callers may add psql options
leader_psql() {
  local port
  port=$(leader_port)
  [[ -n $port ]] || return 1
  local i=$((port - PB - 20))
  runuser -u postgres -- "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HA_DIR/pg/pg$i" \
    -p "$port" "$@"
}

create_database() {
  # The role's password follows $HA_DIR/secrets; the database is created once.
  BAOHO_PW=$BAOHO_PASSWORD leader_psql -d postgres <<'SQL'
\getenv pw BAOHO_PW
SELECT format('CREATE ROLE baoho LOGIN PASSWORD %L', :'pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'baoho') \gexec
SELECT format('ALTER ROLE baoho PASSWORD %L', :'pw') \gexec
SELECT 'CREATE DATABASE baoho OWNER baoho ENCODING ''UTF8'''
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'baoho') \gexec
SQL
}

healthy() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1/healthz") == 200 ]]; }

# A baoho node that exited (a failed migration) fails the wait at once.
node_healthy() {
  alive "$1" || die "baoho exited (see $(dirname "$1")/baoho.log)"
  healthy "$2"
}

start_baoho() {
  local i url
  url=$(db_url)
  for ((i = 1; i <= BAOHO_NODES; i++)); do
    local d=$HA_DIR/baoho/b$i
    mkdir -p "$d"
    if ! alive "$d/baoho.pid"; then
      port_free "$(baoho_port "$i")" || die "port $(baoho_port "$i") is taken"
      # The first node applies the migrations; the next starts once it is healthy.
      spawn "$d/baoho.pid" "$d/baoho.log" root -- env PGPASSFILE="$HA_DIR/baoho.pgpass" \
        "$BAOHO_BIN" serve --db "$url" --key-file "$HA_DIR/baoho.key" \
        --listen "127.0.0.1:$(baoho_port "$i")" --threads 4 --trusted-proxy 127.0.0.1
    fi
    wait_for 60 "baoho node b$i (see $d/baoho.log)" node_healthy "$d/baoho.pid" \
      "http://127.0.0.1:$(baoho_port "$i")"
  done
}

start_haproxy() {
  local d=$HA_DIR/haproxy i servers=""
  for ((i = 1; i <= BAOHO_NODES; i++)); do
    servers+="    server b$i 127.0.0.1:$(baoho_port "$i") check"$'\n'
  done
  cp "$DEPLOY/haproxy-503.http" "$d/503.http"
  render "$DEPLOY/haproxy.cfg.in" "$d/haproxy.cfg" \
    LOG_TARGET="stdout format raw local0 info" GLOBAL_EXTRA="" FRONTEND_EXTRA="" \
    BIND="127.0.0.1:$HAPROXY_PORT" ERRORFILE_503="$d/503.http" SERVERS="${servers%$'\n'}" \
    STATS_BIND="127.0.0.1:$STATS_PORT"
  haproxy -c -q -f "$d/haproxy.cfg" || die "haproxy rejects $d/haproxy.cfg"
  if ! alive "$d/haproxy.pid"; then
    port_free "$HAPROXY_PORT" || die "port $HAPROXY_PORT is taken"
    spawn "$d/haproxy.pid" "$d/haproxy.log" root -- haproxy -db -f "$d/haproxy.cfg"
  fi
  wait_for 30 "haproxy" healthy "http://127.0.0.1:$HAPROXY_PORT"
}

cmd_up() {
  need_root
  install_packages
  find_baoho
  make_dirs
  say "work dir $HA_DIR, ports $PB..$((PB + 51))"
  start_etcd
  say "etcd healthy (${SECONDS}s)"
  start_patroni
  wait_for "$WAIT_S" "a Patroni leader (see $HA_DIR/pg/pg*/patroni.log)" leader_ready
  say "Patroni leader running (${SECONDS}s)"
  wait_for "$WAIT_S" "a synchronous standby" sync_ready
  say "synchronous standby streaming (${SECONDS}s)"
  create_database
  start_baoho
  say "baoho nodes healthy (${SECONDS}s)"
  start_haproxy
  cmd_status
  say "up: http://127.0.0.1:$HAPROXY_PORT (for the CLI: eval \"\$($0 env)\"; cd \$BAOHO_HA_DIR)"
}

cmd_down() {
  local purge=0 i d
  [[ ${1:-} == --purge ]] && purge=1
  [[ -d $HA_DIR ]] || return 0
  stop "$HA_DIR/haproxy/haproxy.pid" TERM 10
  for d in "$HA_DIR"/baoho/b*; do [[ -d $d ]] && stop "$d/baoho.pid" TERM 15; done
  # Patroni stops its PostgreSQL on SIGTERM.
  for d in "$HA_DIR"/pg/pg*; do [[ -d $d ]] && stop "$d/patroni.pid" TERM 40 & done
  wait
  # A PostgreSQL left behind by a Patroni that was killed: fast shutdown, then kill.
  for d in "$HA_DIR"/pg/pg*; do
    [[ -s $d/data/postmaster.pid ]] || continue
    head -n 1 "$d/data/postmaster.pid" >"$d/postmaster.pid"
    stop "$d/postmaster.pid" INT 20
  done
  for i in 1 2 3; do
    d=$HA_DIR/etcd/e$i
    [[ -d $d ]] && stop "$d/etcd.pid" TERM 10
  done
  if ((purge)); then
    rm -rf "$HA_DIR"
    say "down; $HA_DIR deleted"
  else
    say "down (data kept in $HA_DIR; 'down --purge' deletes it)"
  fi
}

cmd_status() {
  local d state
  [[ -d $HA_DIR ]] || {
    echo "not set up ($HA_DIR does not exist)"
    return 0
  }
  for d in "$HA_DIR"/etcd/e* "$HA_DIR"/pg/pg* "$HA_DIR"/baoho/b* "$HA_DIR/haproxy"; do
    [[ -d $d ]] || continue
    local f
    for f in "$d"/etcd.pid "$d"/patroni.pid "$d"/baoho.pid "$d"/haproxy.pid; do
      [[ -e $f ]] || continue
      if alive "$f"; then state="running (pid $(head -n 1 "$f"))"; else state=stopped; fi
      printf '%-10s %-8s %s\n' "$(basename "$d")" "$(basename "$f" .pid)" "$state"
    done
  done
  if [[ -s $HA_DIR/pg/pg1/patroni.yml ]] && alive "$HA_DIR/etcd/e1/etcd.pid"; then
    patronictl -c "$HA_DIR/pg/pg1/patroni.yml" list 2>/dev/null || true
  fi
  if alive "$HA_DIR/haproxy/haproxy.pid"; then
    echo "haproxy http://127.0.0.1:$HAPROXY_PORT, stats http://127.0.0.1:$STATS_PORT/"
    curl -s --max-time 3 "http://127.0.0.1:$STATS_PORT/;csv" |
      awk -F, '$1 == "baoho" && $2 != "BACKEND" {print "  " $2 " " $18}' || true
  fi
}

cmd_env() {
  local leader
  leader=$(leader_port 2>/dev/null || true)
  cat <<EOF
BAOHO_HA_DIR=$HA_DIR
BAOHO_HA_URL=http://127.0.0.1:$HAPROXY_PORT
BAOHO_DB='$(db_url)'
PGPASSFILE=$HA_DIR/baoho.pgpass
BAOHO_HA_KEY=$HA_DIR/baoho.key
BAOHO_HA_PATRONI_CONFIG=$HA_DIR/pg/pg1/patroni.yml
BAOHO_HA_LEADER_PORT=$leader
BAOHO_HA_REST_PORTS='$(for ((i = 1; i <= PG_NODES; i++)); do printf '%s ' "$(rest_port "$i")"; done)'
export BAOHO_HA_DIR BAOHO_HA_URL BAOHO_DB PGPASSFILE
EOF
}

[[ $PG_NODES == 2 || $PG_NODES == 3 ]] || die "BAOHO_HA_PG_NODES must be 2 or 3"
case ${1:-} in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 up|down [--purge]|status|env" >&2
    exit 2
    ;;
esac
