#!/usr/bin/env bash
# The platform's PostgreSQL as it is meant to run (docs/postgres-cluster.md): a primary with a
# synchronous standby and automatic failover by pg_auto_failover (Debian's
# postgresql-15-auto-failover and pg-auto-failover-cli): one monitor and two data nodes, here all
# on one machine, on 127.0.0.1, with their data under one folder.
#
#   scripts/pg-cluster.sh create DIR   makes the cluster (monitor, node1 the primary, node2 its
#                                      synchronous standby), starts it, makes the platform's
#                                      databases (dvc_dossier, dvc_payment, dvc_gateway) and
#                                      prints the connection string
#   scripts/pg-cluster.sh start DIR    starts a cluster made before (after stop or a reboot)
#   scripts/pg-cluster.sh stop DIR     stops it (the data stays)
#   scripts/pg-cluster.sh remove DIR   stops it and deletes DIR
#   scripts/pg-cluster.sh url DIR [DB] prints the multi-host connection string (DB: dvc_dossier)
#   scripts/pg-cluster.sh status DIR   the monitor's view: each node, its state, its LSN
#   scripts/pg-cluster.sh bench DIR    the cost of the synchronous standby: pgbench -c 8 -T 20
#                                      with synchronous_commit on, then local
#
# Environment: PGC_PORT_BASE (default 5480: the monitor 5480, node1 5481, node2 5482).
# Run as root, every PostgreSQL process runs as the postgres user (DIR is given to it); run as
# another user, as that user. Connections on 127.0.0.1 are trusted: this is a cluster for one
# machine's development and drills; the production shape (certificates, passwords, three
# machines) is in deploy/ and docs/postgres-cluster.md.
#
# The file is also a library: scripts/failover-drill.sh sources it and builds the same cluster
# across network namespaces with the pgc_* functions.
set -euo pipefail

PGC_BIN=${PGC_BIN:-/usr/lib/postgresql/15/bin}
PGC_DATABASES=(dvc_dossier dvc_payment dvc_gateway)

pgc_say() { echo "pg-cluster: $*" >&2; }
pgc_fail() { echo "pg-cluster: $*" >&2; exit 1; }

# pgc_as_postgres DIR [NETNS] -- COMMAND...: COMMAND as the postgres user (when root), inside
# network namespace NETNS when given, with pg_autoctl's own files (XDG folders) under DIR so
# that a cluster is wholly inside its folder.
pgc_as_postgres() {
  local dir=$1 netns=$2
  shift 3
  local prefix=()
  [[ -n "$netns" ]] && prefix=(ip netns exec "$netns")
  local user=()
  [[ $(id -u) -eq 0 ]] && user=(runuser -u postgres --)
  "${prefix[@]}" "${user[@]}" env PATH="$PGC_BIN:/usr/bin:/bin" \
    XDG_CONFIG_HOME="$dir/.config" XDG_DATA_HOME="$dir/.local/share" XDG_RUNTIME_DIR="$dir/.run" \
    PGCONNECT_TIMEOUT=3 "$@"
}

# pgc_prepare DIR: the folder, the postgres user's when run as root (and its parents passable).
pgc_prepare() {
  local dir=$1
  mkdir -p "$dir" "$dir/.config" "$dir/.local/share" "$dir/.run" "$dir/logs"
  chmod 700 "$dir/.run"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || pgc_fail "no postgres user: install postgresql-15 (scripts/install-deps.sh)"
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- test -w "$dir" || pgc_fail "the postgres user cannot write to $dir (a parent folder closed to it?)"
  fi
}

# pgc_monitor_uri HOST PORT: what the data nodes and pg_autoctl commands reach the monitor by.
pgc_monitor_uri() { echo "postgres://autoctl_node@$1:$2/pg_auto_failover?sslmode=disable"; }

# pgc_create_monitor DIR HOST PORT [NETNS]
pgc_create_monitor() {
  local dir=$1 host=$2 port=$3 netns=${4:-}
  pgc_as_postgres "$dir" "$netns" -- pg_autoctl create monitor --pgdata "$dir/monitor" --pgport "$port" \
    --hostname "$host" --auth trust --no-ssl --pgctl "$PGC_BIN/pg_ctl" >"$dir/logs/create-monitor.log" 2>&1 \
    || { tail -20 "$dir/logs/create-monitor.log" >&2; pgc_fail "creating the monitor failed"; }
}

# pgc_create_node DIR NAME HOST PORT MONITOR_URI LISTEN [NETNS]: registers a data node; the first
# one becomes the primary, the next its standby (pg_basebackup from the primary, which must be
# running).
pgc_create_node() {
  local dir=$1 name=$2 host=$3 port=$4 monitor=$5 listen=$6 netns=${7:-}
  pgc_as_postgres "$dir" "$netns" -- pg_autoctl create postgres --pgdata "$dir/$name" --pgport "$port" \
    --hostname "$host" --listen "$listen" --name "$name" --monitor "$monitor" --auth trust --no-ssl \
    --pgctl "$PGC_BIN/pg_ctl" >"$dir/logs/create-$name.log" 2>&1 \
    || { tail -20 "$dir/logs/create-$name.log" >&2; pgc_fail "creating $name failed"; }
}

# pgc_run DIR NAME [NETNS]: pg_autoctl's service for one node (it starts, watches and reconfigures
# its PostgreSQL), in the background, in a session of its own; its pid in DIR/NAME.pid.
pgc_run() {
  local dir=$1 name=$2 netns=${3:-}
  pgc_as_postgres "$dir" "$netns" -- setsid pg_autoctl run --pgdata "$dir/$name" \
    >>"$dir/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

# pgc_sql DIR HOST PORT DB SQL [NETNS]: one value (psql -Atc), as the postgres user.
pgc_sql() {
  local dir=$1 host=$2 port=$3 db=$4 sql=$5 netns=${6:-}
  pgc_as_postgres "$dir" "$netns" -- env PGOPTIONS="-c client_min_messages=warning" \
    psql -X -q -At -h "$host" -p "$port" -U postgres -d "$db" -c "$sql"
}

# pgc_states DIR HOST PORT [NETNS]: the monitor's view, "node1:primary node2:secondary".
pgc_states() {
  local dir=$1 host=$2 port=$3 netns=${4:-}
  pgc_as_postgres "$dir" "$netns" -- psql -X -q -At -h "$host" -p "$port" -U autoctl_node -d pg_auto_failover -c \
    "select string_agg(nodename || ':' || reportedstate::text, ' ' order by nodename) from pgautofailover.node where reportedstate = goalstate" \
    2>/dev/null || true
}

# pgc_wait_states DIR HOST PORT WANTED SECONDS [NETNS]: until the monitor reports exactly WANTED
# ("node1:primary node2:secondary") or SECONDS pass.
pgc_wait_states() {
  local dir=$1 host=$2 port=$3 wanted=$4 seconds=$5 netns=${6:-} now
  for _ in $(seq 1 $((seconds * 2))); do
    now=$(pgc_states "$dir" "$host" "$port" "$netns")
    [[ "$now" == "$wanted" ]] && return 0
    sleep 0.5
  done
  pgc_say "the monitor did not report '$wanted' within ${seconds}s (last: '$now')"
  return 1
}

# pgc_wait_ready DIR HOST PORT SECONDS [NETNS]: until PostgreSQL answers there.
pgc_wait_ready() {
  local dir=$1 host=$2 port=$3 seconds=$4 netns=${5:-}
  for _ in $(seq 1 $((seconds * 2))); do
    pgc_as_postgres "$dir" "$netns" -- pg_isready -q -h "$host" -p "$port" && return 0
    sleep 0.5
  done
  pgc_fail "PostgreSQL at $host:$port did not answer within ${seconds}s"
}

# pgc_stop_node DIR NAME [NETNS]: pg_autoctl stops its PostgreSQL and exits (fast shutdown).
pgc_stop_node() {
  local dir=$1 name=$2 netns=${3:-}
  [[ -d "$dir/$name" ]] || return 0
  pgc_as_postgres "$dir" "$netns" -- pg_autoctl stop --pgdata "$dir/$name" >/dev/null 2>&1 || true
  local pid
  pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
  if [[ -n "$pid" ]]; then
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
    rm -f "$dir/$name.pid"
  fi
  # A PostgreSQL left behind (its pg_autoctl killed): stopped through its own pid file.
  if [[ -f "$dir/$name/postmaster.pid" ]]; then
    pgc_as_postgres "$dir" "$netns" -- pg_ctl -D "$dir/$name" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# pgc_check_sync DIR HOST PORT [NETNS]: the primary waits for its standby at commit.
pgc_check_sync() {
  local dir=$1 host=$2 port=$3 netns=${4:-} names commit
  names=$(pgc_sql "$dir" "$host" "$port" postgres "show synchronous_standby_names" "$netns")
  commit=$(pgc_sql "$dir" "$host" "$port" postgres "show synchronous_commit" "$netns")
  pgc_say "primary $host:$port: synchronous_standby_names = '$names', synchronous_commit = $commit"
  [[ -n "$names" && "$commit" == on ]] || { pgc_say "the primary does not wait for its standby at commit"; return 1; }
}

# pgc_create_databases DIR HOST PORT [NETNS]: the platform's databases on the primary (the
# standby gets them through replication).
pgc_create_databases() {
  local dir=$1 host=$2 port=$3 netns=${4:-}
  for db in "${PGC_DATABASES[@]}"; do
    if [[ -z "$(pgc_sql "$dir" "$host" "$port" postgres "select 1 from pg_database where datname = '$db'" "$netns")" ]]; then
      pgc_sql "$dir" "$host" "$port" postgres "create database $db" "$netns"
    fi
  done
}

# pgc_url HOST1:PORT1,HOST2:PORT2 DB: what a service is given (DVC_DATABASE).
pgc_url() { echo "postgres://postgres@$1/$2?target_session_attrs=read-write"; }

# pgc_primary DIR HOST PORT [NETNS]: "host:port" of the node the monitor has as primary.
pgc_primary() {
  local dir=$1 host=$2 port=$3 netns=${4:-}
  pgc_as_postgres "$dir" "$netns" -- psql -X -q -At -h "$host" -p "$port" -U autoctl_node -d pg_auto_failover -c \
    "select nodehost || ':' || nodeport from pgautofailover.node where reportedstate in ('primary', 'wait_primary', 'single') and goalstate = reportedstate limit 1" \
    2>/dev/null || true
}

# --- the one-machine cluster --------------------------------------------------------------------

local_ports() {
  base=${PGC_PORT_BASE:-5480}
  monitor_port=$base; node1_port=$((base + 1)); node2_port=$((base + 2))
  hosts="127.0.0.1:$node1_port,127.0.0.1:$node2_port"
}

local_start() {
  local dir=$1
  pgc_run "$dir" monitor
  pgc_wait_ready "$dir" 127.0.0.1 "$monitor_port" 30
  pgc_run "$dir" node1
  pgc_run "$dir" node2
  pgc_say "waiting for a primary and its synchronous standby"
  pgc_wait_ready "$dir" 127.0.0.1 "$node1_port" 90
  pgc_wait_ready "$dir" 127.0.0.1 "$node2_port" 90
  # The monitor still shows the states of before the stop, so they count only once a node
  # answers as a primary (out of recovery): services started earlier would find no host that
  # takes writes, and stop.
  local states primary
  for _ in $(seq 1 180); do
    states=$(pgc_states "$dir" 127.0.0.1 "$monitor_port")
    if [[ "$states" == "node1:primary node2:secondary" || "$states" == "node1:secondary node2:primary" ]]; then
      primary=$(pgc_primary "$dir" 127.0.0.1 "$monitor_port")
      if [[ -n "$primary" && "$(pgc_sql "$dir" "${primary%:*}" "${primary#*:}" postgres "select pg_is_in_recovery()" 2>/dev/null)" == f ]]; then
        pgc_check_sync "$dir" "${primary%:*}" "${primary#*:}"
        return
      fi
    fi
    sleep 0.5
  done
  pgc_fail "no primary with its standby 90 s after both nodes answered (last: '$states'; logs: $dir/logs)"
}

local_create() {
  local dir=$1
  for port in "$monitor_port" "$node1_port" "$node2_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then pgc_fail "port $port is taken (PGC_PORT_BASE)"; fi
  done
  pgc_prepare "$dir"
  local monitor
  monitor=$(pgc_monitor_uri 127.0.0.1 "$monitor_port")
  pgc_say "creating the monitor (port $monitor_port)"
  pgc_create_monitor "$dir" 127.0.0.1 "$monitor_port"
  pgc_run "$dir" monitor
  pgc_wait_ready "$dir" 127.0.0.1 "$monitor_port" 30
  pgc_say "creating node1 (port $node1_port), the primary"
  pgc_create_node "$dir" node1 127.0.0.1 "$node1_port" "$monitor" 127.0.0.1
  pgc_run "$dir" node1
  pgc_wait_states "$dir" 127.0.0.1 "$monitor_port" "node1:single" 60
  pgc_say "creating node2 (port $node2_port), its synchronous standby (a base backup of node1)"
  pgc_create_node "$dir" node2 127.0.0.1 "$node2_port" "$monitor" 127.0.0.1
  pgc_run "$dir" node2
  pgc_wait_states "$dir" 127.0.0.1 "$monitor_port" "node1:primary node2:secondary" 90
  pgc_create_databases "$dir" 127.0.0.1 "$node1_port"
  pgc_check_sync "$dir" 127.0.0.1 "$node1_port"
}

local_stop() {
  local dir=$1
  pgc_stop_node "$dir" node2
  pgc_stop_node "$dir" node1
  pgc_stop_node "$dir" monitor
}

# The cost of waiting for the standby at commit: the same pgbench run twice on the primary,
# once as the cluster runs (synchronous_commit on: a commit returns when the standby has it),
# once with synchronous_commit = local (a commit returns when the primary's own disk has it).
local_bench() {
  local dir=$1 primary
  primary=$(pgc_primary "$dir" 127.0.0.1 "$monitor_port")
  [[ -n "$primary" ]] || pgc_fail "no primary: is the cluster running? (scripts/pg-cluster.sh start $dir)"
  local host=${primary%:*} port=${primary#*:}
  pgc_check_sync "$dir" "$host" "$port"
  pgc_sql "$dir" "$host" "$port" postgres "drop database if exists pgbench" >/dev/null
  pgc_sql "$dir" "$host" "$port" postgres "create database pgbench"
  pgc_as_postgres "$dir" "" -- pgbench -q -i -s 10 -h "$host" -p "$port" -U postgres pgbench >"$dir/logs/pgbench-init.log" 2>&1 \
    || { tail -5 "$dir/logs/pgbench-init.log" >&2; pgc_fail "pgbench -i failed"; }
  local results=()
  for mode in on local; do
    pgc_say "pgbench -c 8 -j 2 -T 20 -s 10 (tpcb-like) on $primary with synchronous_commit = $mode"
    local out
    out=$(pgc_as_postgres "$dir" "" -- env PGOPTIONS="-c synchronous_commit=$mode" \
      pgbench -c 8 -j 2 -T 20 -h "$host" -p "$port" -U postgres pgbench 2>&1)
    echo "$out" >"$dir/logs/pgbench-$mode.log"
    results+=("$(printf '%-22s %10s %14s' "$mode" \
      "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -1)" \
      "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")")")
  done
  pgc_sql "$dir" "$host" "$port" postgres "drop database pgbench"
  printf '%-22s %10s %14s\n' "synchronous_commit" "tps" "latency (ms)"
  printf '%s\n' "${results[@]}"
}

pgc_main() {
  local command=${1:-} dir=${2:-}
  [[ -n "$command" && -n "$dir" ]] || { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
  command -v pg_autoctl >/dev/null || pgc_fail "pg_autoctl is missing: run scripts/install-deps.sh"
  dir=$(realpath -m "$dir")
  local_ports
  case "$command" in
    create)
      if [[ -e "$dir/monitor" ]]; then pgc_fail "$dir already holds a cluster (scripts/pg-cluster.sh start $dir, or remove it)"; fi
      # A creation that fails half-way leaves nothing running (the folder stays, for its logs).
      trap 'pgc_say "creation failed; stopping what was started (logs: $dir/logs)"; local_stop "$dir"' EXIT
      local_create "$dir"
      trap - EXIT
      pgc_say "running; stop with: scripts/pg-cluster.sh stop $dir"
      for db in "${PGC_DATABASES[@]}"; do pgc_url "$hosts" "$db"; done ;;
    start)
      [[ -d "$dir/monitor" ]] || pgc_fail "no cluster in $dir (scripts/pg-cluster.sh create $dir)"
      if [[ -f "$dir/monitor.pid" ]] && kill -0 "$(cat "$dir/monitor.pid")" 2>/dev/null; then pgc_fail "$dir is already running"; fi
      trap 'pgc_say "start failed; stopping what was started (logs: $dir/logs)"; local_stop "$dir"' EXIT
      local_start "$dir"
      trap - EXIT
      for db in "${PGC_DATABASES[@]}"; do pgc_url "$hosts" "$db"; done ;;
    stop) local_stop "$dir" ;;
    remove)
      local_stop "$dir"
      rm -rf "$dir"
      pgc_say "removed $dir" ;;
    url) pgc_url "$hosts" "${3:-dvc_dossier}" ;;
    status)
      pgc_as_postgres "$dir" "" -- pg_autoctl show state --monitor "$(pgc_monitor_uri 127.0.0.1 "$monitor_port")" ;;
    bench) local_bench "$dir" ;;
    *) pgc_fail "unknown command '$command' (create, start, stop, remove, url, status, bench)" ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  pgc_main "$@"
fi
