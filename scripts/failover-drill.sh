#!/usr/bin/env bash
# The PostgreSQL failover drill (docs/postgres-cluster.md "The failover drill"): the cluster of
# scripts/pg-cluster.sh spread over hosts made as Linux network namespaces on one bridge —
# monitor, db1, db2, app (the writers) and client — a write load recording every acknowledged
# write, then in each run a fault on the primary:
#
#   kill          the primary's host dies: every process in its namespace (pg_autoctl and
#                 PostgreSQL) gets SIGKILL; it is started again after the run and rejoins
#   cut           the primary's cable is pulled (its port on the bridge goes down): PostgreSQL
#                 keeps running, cut off; the cable goes back after the run and it rejoins
#   kill-postgres only the primary's postmaster gets SIGKILL: its keeper, still running, reports
#                 it down and the monitor fails over at once (or PostgreSQL restarts in place)
#
# Each run waits for pg_auto_failover to promote the standby, prints the time from the fault
# until writes succeed again, stops the load, and checks on the new primary that every
# acknowledged write is there exactly once (acknowledged, present, duplicates, missing). The
# runs alternate the faults asked for; the table at the end has one line per run.
#
#   scripts/failover-drill.sh [RUNS] [--faults kill,cut] [--workload writer|PATH] [--keep DIR]
#
# --workload writer (the default) is scripts/drill/drill-writer.c: one write after another
# through libpq with target_session_attrs=read-write and idempotent retries. Another workload is
# an executable taking start|stop|verify|teardown (scripts/drill/services-workload.sh is the
# platform's services'; the contract is in docs/postgres-cluster.md). Needs root (namespaces),
# pg_autoctl, gcc and libpq-dev. Not part of scripts/test.sh: the cluster takes about 30 s to
# build, a kill or cut run about 1.5 minutes, a kill-postgres run about 30 s.
# With any workload but the writer (which must then also take sessions-begin and
# sessions-check), the drill ends with a gateway host lost: two gateway hosts gw1 and gw2 on
# dvc_gateway, citizens signed in through gw1, gw1's host killed, their sessions continuing
# through gw2 (and the bank's payment notifications going there instead).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/pg-cluster.sh

runs=3
faults=kill,cut
workload=writer
keep=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --faults) faults=$2; shift 2 ;;
    --workload) workload=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) runs=$1; shift ;;
    *) echo "failover-drill: unknown argument '$1' (--help)" >&2; exit 64 ;;
  esac
done
IFS=, read -r -a fault_list <<<"$faults"
for fault in "${fault_list[@]}"; do
  case "$fault" in kill|cut|kill-postgres) ;; *) echo "failover-drill: unknown fault '$fault' (kill, cut, kill-postgres)" >&2; exit 64 ;; esac
done
[[ $(id -u) -eq 0 ]] || { echo "failover-drill: needs root (network namespaces)" >&2; exit 1; }
command -v pg_autoctl >/dev/null || { echo "failover-drill: pg_autoctl is missing: run scripts/install-deps.sh" >&2; exit 1; }

say() { echo "failover-drill: $*" >&2; }
now_ms() { date +%s%3N; }

# --- hosts ---------------------------------------------------------------------------------------
# As Tests/IntegrationTests/Support/NetworkHosts.swift makes them: one namespace per host, each
# with eth0 on a bridge in a switch namespace of its own; nothing touches the machine's network.
prefix="dvcpg$(printf '%04x' $((RANDOM)))"
subnet=$((100 + RANDOM % 150))
host_names=(monitor db1 db2 app client)
# The gateways' hosts, for a workload that runs gateways (not the writer).
[[ "$workload" != writer ]] && host_names+=(gw1 gw2)
ns() { echo "$prefix-$1"; }
addr() { local i; for i in "${!host_names[@]}"; do if [[ "${host_names[$i]}" == "$1" ]]; then echo "10.$subnet.0.$((i + 2))"; fi; done; }
bridge_port() { local i; for i in "${!host_names[@]}"; do if [[ "${host_names[$i]}" == "$1" ]]; then echo "p$i"; fi; done; }

add_host() {
  local name=$1
  ip netns add "$(ns "$name")"
  ip -n "$(ns sw)" link add "$(bridge_port "$name")" type veth peer name eth0 netns "$(ns "$name")"
  ip -n "$(ns sw)" link set "$(bridge_port "$name")" master br0 up
  ip -n "$(ns "$name")" addr add "$(addr "$name")/24" dev eth0
  ip -n "$(ns "$name")" link set eth0 up
  ip -n "$(ns "$name")" link set lo up
}

make_hosts() {
  ip netns add "$(ns sw)"
  ip -n "$(ns sw)" link add br0 type bridge
  ip -n "$(ns sw)" link set br0 up
  for name in "${host_names[@]}"; do add_host "$name"; done
}

# Every process in a host's namespace, SIGKILLed (the machine losing power).
kill_host() { local pids; pids=$(ip netns pids "$(ns "$1")" 2>/dev/null || true); [[ -z "$pids" ]] || kill -KILL $pids 2>/dev/null || true; }
cut_host() { ip -n "$(ns sw)" link set "$(bridge_port "$1")" down; }
restore_host() { ip -n "$(ns sw)" link set "$(bridge_port "$1")" up; }

work=${keep:-$(mktemp -d /tmp/failover-drill.XXXXXX)}
mkdir -p "$work"
chmod 755 "$work"
cluster="$work/cluster"

cleanup() {
  set +e
  trap - EXIT INT TERM
  [[ -n "${workload_running:-}" ]] && workload_stop
  [[ "$workload" != writer ]] && "$workload" teardown
  for name in "${host_names[@]}"; do kill_host "$name"; done
  sleep 0.5
  for name in "${host_names[@]}"; do ip netns del "$(ns "$name")" 2>/dev/null; done
  ip netns del "$(ns sw)" 2>/dev/null
  # PostgreSQL left in the root namespace by nothing; the data goes unless --keep.
  [[ -z "$keep" ]] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the cluster across the hosts ----------------------------------------------------------------
monitor_port=5440
declare -A node_port=([db1]=5441 [db2]=5442)
hosts_list="$(addr db1):${node_port[db1]},$(addr db2):${node_port[db2]}"
monitor_host=$(addr monitor)

# pg_autoctl's rules admit the nodes it knows; the hosts of this subnet (the app, the client)
# are admitted to the data nodes too, and the nodes to the monitor.
allow_subnet() {
  local dir=$1 name=$2
  printf 'host all all 10.%s.0.0/24 trust\nhost replication all 10.%s.0.0/24 trust\n' "$subnet" "$subnet" >>"$dir/$name/pg_hba.conf"
}

# pg_ctl reload: the rules above read again (a signal through the pid file, no connection).
reload_node() { pgc_as_postgres "$cluster" "" -- pg_ctl reload -s -D "$cluster/$1" >/dev/null 2>&1 || true; }

node_of() { case "$1" in "$(addr db1)":*) echo db1 ;; "$(addr db2)":*) echo db2 ;; *) echo "?" ;; esac; }

create_cluster() {
  pgc_prepare "$cluster"
  local monitor
  monitor=$(pgc_monitor_uri "$monitor_host" "$monitor_port")
  say "creating the monitor on $monitor_host:$monitor_port"
  pgc_create_monitor "$cluster" "$monitor_host" "$monitor_port" "$(ns monitor)"
  allow_subnet "$cluster" monitor
  pgc_run "$cluster" monitor "$(ns monitor)"
  pgc_wait_ready "$cluster" "$monitor_host" "$monitor_port" 30 "$(ns monitor)"
  reload_node monitor
  say "creating db1 on $(addr db1):${node_port[db1]} (the primary)"
  pgc_create_node "$cluster" db1 "$(addr db1)" "${node_port[db1]}" "$monitor" '*' "$(ns db1)"
  allow_subnet "$cluster" db1
  pgc_run "$cluster" db1 "$(ns db1)"
  pgc_wait_ready "$cluster" "$(addr db1)" "${node_port[db1]}" 60 "$(ns db1)"
  reload_node db1
  pgc_wait_states "$cluster" "$monitor_host" "$monitor_port" "db1:single" 60 "$(ns app)"
  say "creating db2 on $(addr db2):${node_port[db2]} (its synchronous standby)"
  pgc_create_node "$cluster" db2 "$(addr db2)" "${node_port[db2]}" "$monitor" '*' "$(ns db2)"
  allow_subnet "$cluster" db2
  pgc_run "$cluster" db2 "$(ns db2)"
  pgc_wait_states "$cluster" "$monitor_host" "$monitor_port" "db1:primary db2:secondary" 120 "$(ns app)"
  reload_node db2
  pgc_create_databases "$cluster" "$(addr db1)" "${node_port[db1]}" "$(ns app)"
  pgc_check_sync "$cluster" "$(addr db1)" "${node_port[db1]}" "$(ns app)"
}

healthy_states() {
  local now
  now=$(pgc_states "$cluster" "$monitor_host" "$monitor_port" "$(ns app)")
  [[ "$now" == "db1:primary db2:secondary" || "$now" == "db1:secondary db2:primary" ]]
}

wait_healthy() {
  for _ in $(seq 1 $(($1 * 2))); do healthy_states && return 0; sleep 0.5; done
  say "the cluster is not back to a primary and a secondary after $1 s: $(pgc_states "$cluster" "$monitor_host" "$monitor_port" "$(ns app)")"
  return 1
}

# --- workloads -----------------------------------------------------------------------------------
# The contract (docs/postgres-cluster.md): start runs the load in the background from the app
# (and client) hosts, appending "id epoch-ms server" to $DRILL_RUN_DIR/acks for each acknowledged
# write; stop ends it; verify prints "acknowledged present duplicates missing" as checked on the
# current primary.
export DRILL_HOSTS=$hosts_list DRILL_NETNS_APP=$(ns app) DRILL_NETNS_CLIENT=$(ns client) DRILL_CLUSTER=$cluster
export DRILL_NETNS_GW1=$(ns gw1) DRILL_NETNS_GW2=$(ns gw2) DRILL_SIGNED_IN=10
export DRILL_URL_PREFIX="postgres://postgres@$hosts_list/" DRILL_URL_QUERY="?target_session_attrs=read-write&connect_timeout=2&keepalives=1&keepalives_idle=2&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000"

writer_bin="$work/drill-writer"
writer_start() {
  ip netns exec "$(ns app)" "$writer_bin" "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" "$DRILL_RUN_DIR/acks" \
    2>>"$DRILL_RUN_DIR/writer.log" &
  echo $! >"$DRILL_RUN_DIR/writer.pid"
}
writer_stop() {
  local pid
  pid=$(cat "$DRILL_RUN_DIR/writer.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
writer_verify() {
  local present_file=$DRILL_RUN_DIR/present acked_file=$DRILL_RUN_DIR/acked read=0
  # The primary may still be starting (crash recovery): asked again for up to a minute.
  for _ in $(seq 1 60); do
    if pgc_as_postgres "$cluster" "$(ns app)" -- psql -X -q -At -d "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" \
        -c "select write_id from drill_writes" >"$present_file.unsorted" 2>>"$DRILL_RUN_DIR/verify.log"; then
      read=1; break
    fi
    sleep 1
  done
  [[ $read == 1 ]] || { say "no primary answered the check: see $DRILL_RUN_DIR/verify.log"; : >"$present_file.unsorted"; }
  sort -n "$present_file.unsorted" >"$present_file"
  cut -d' ' -f1 "$DRILL_RUN_DIR/acks" | sort -n | uniq >"$acked_file"
  local acknowledged present duplicates missing
  acknowledged=$(wc -l <"$acked_file")
  present=$(sort -u "$present_file" | comm -12 - <(sort "$acked_file") | wc -l)
  duplicates=$(uniq -d "$present_file" | wc -l)
  missing=$(sort -u "$present_file" | comm -13 - <(sort "$acked_file") | wc -l)
  echo "$acknowledged $present $duplicates $missing"
}
writer_reset() {
  pgc_as_postgres "$cluster" "$(ns app)" -- psql -X -q -At -d "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" \
    -c "drop table if exists drill_writes" 2>/dev/null
}

workload_start() {
  workload_running=1
  if [[ "$workload" == writer ]]; then writer_reset; writer_start; else "$workload" start; fi
}
workload_stop() {
  workload_running=
  if [[ "$workload" == writer ]]; then writer_stop; else "$workload" stop; fi
}
workload_verify() { if [[ "$workload" == writer ]]; then writer_verify; else "$workload" verify; fi; }

# --- one run -------------------------------------------------------------------------------------
# ms of the first acknowledgement that ends the outage: after FAULT_MS, at least 200 ms after the
# acknowledgement before it (a write whose answer was already on its way at the fault is not
# the service coming back), and from a server other than OLD (any server when OLD is empty).
first_ack_after() {
  local fault_ms=$1 old=$2
  awk -v t="$fault_ms" -v old="$old" '
    $2 > t && $2 - (previous > t ? previous : t) >= 200 && (old == "" || $3 != old) { print $2, $3; exit }
    { previous = $2 }' "$DRILL_RUN_DIR/acks" 2>/dev/null
}

results=()
one_run() {
  local run=$1 fault=$2
  export DRILL_RUN_DIR="$work/run-$run"
  mkdir -p "$DRILL_RUN_DIR"
  : >"$DRILL_RUN_DIR/acks"
  local primary old_node standby
  primary=$(pgc_primary "$cluster" "$monitor_host" "$monitor_port" "$(ns app)")
  old_node=$(node_of "$primary")
  if [[ "$old_node" == db1 ]]; then standby=db2; else standby=db1; fi
  say "run $run: fault '$fault' on the primary $old_node ($primary); load for 5 s first"
  workload_start
  sleep 5
  local before
  before=$(wc -l <"$DRILL_RUN_DIR/acks")
  local fault_ms
  fault_ms=$(now_ms)
  case "$fault" in
    kill) kill_host "$old_node" ;;
    cut) cut_host "$old_node" ;;
    kill-postgres) kill -KILL "$(head -1 "$cluster/$old_node/postmaster.pid")" ;;
  esac
  # The promotion, as the monitor reports it; then the first write acknowledged afterwards.
  local promoted_ms="" back_ms="" back_server="" expect_server="$primary"
  [[ "$fault" == kill-postgres ]] && expect_server=""
  for _ in $(seq 1 1800); do
    if [[ -z "$promoted_ms" ]]; then
      local now_primary
      now_primary=$(pgc_primary "$cluster" "$monitor_host" "$monitor_port" "$(ns app)")
      if [[ -n "$now_primary" && "$now_primary" != "$primary" ]]; then promoted_ms=$(now_ms); fi
    fi
    read -r back_ms back_server <<<"$(first_ack_after "$fault_ms" "$expect_server")"
    # kill-postgres: writes may come back on the same node (PostgreSQL restarted in place, nothing
    # promoted) or on the standby (the monitor failed over).
    [[ -n "$back_ms" && ( -n "$promoted_ms" || "$back_server" == "$primary" ) ]] && break
    sleep 0.1
  done
  local outage="-" promotion="-"
  [[ -n "$back_ms" ]] && outage=$(awk -v a="$back_ms" -v b="$fault_ms" 'BEGIN { printf "%.1f", (a - b) / 1000 }')
  [[ -n "$promoted_ms" ]] && promotion=$(awk -v a="$promoted_ms" -v b="$fault_ms" 'BEGIN { printf "%.1f", (a - b) / 1000 }')
  say "run $run: writes back after ${outage} s (the monitor reported the new primary after ${promotion} s); 5 s more load"
  sleep 5
  workload_stop
  local counts new_primary
  new_primary=$(pgc_primary "$cluster" "$monitor_host" "$monitor_port" "$(ns app)")
  counts=$(workload_verify)
  read -r acknowledged present duplicates missing <<<"$counts"
  say "run $run: on $(node_of "$new_primary") ($new_primary): acknowledged $acknowledged, present $present, duplicates $duplicates, missing $missing"
  results+=("$(printf '%-4s %-14s %-4s %-4s %10s %10s %8s %8s %6s %7s' "$run" "$fault" "$old_node" "$(node_of "$new_primary")" \
    "$promotion" "$outage" "$acknowledged" "$present" "$duplicates" "$missing")")
  # The faulted host comes back and rejoins as the standby (pg_rewind when it was ahead).
  case "$fault" in
    kill) pgc_run "$cluster" "$old_node" "$(ns "$old_node")" ;;
    cut) restore_host "$old_node" ;;
  esac
  say "run $run: $old_node back; waiting for the cluster to be a primary with its standby again"
  wait_healthy 180 || return 1
  # The rejoined standby is synchronous again: commits wait for it once more.
  local healthy_primary
  healthy_primary=$(pgc_primary "$cluster" "$monitor_host" "$monitor_port" "$(ns app)")
  pgc_check_sync "$cluster" "${healthy_primary%:*}" "${healthy_primary#*:}" "$(ns app)" || return 1
  [[ "$outage" != "-" && "$missing" == 0 && "$duplicates" == 0 ]]
}

# --- gateway host lost ---------------------------------------------------------------------------
# Under the same load, citizens register and sign in through gw1; gw1's host then dies (every
# process in it SIGKILLed, its cable pulled). Through gw2, each session must still open the
# account page with the same CSRF token and make a CSRF-checked change, and a new sign-in must
# work: nothing of a session lives only in one gateway's memory. The load goes on (the bank's
# notifications, which went to gw1, now reach the platform through gw2) and is checked as in
# the other runs.
gateway_result=
gateway_host_lost() {
  export DRILL_RUN_DIR="$work/run-gateway"
  mkdir -p "$DRILL_RUN_DIR"
  : >"$DRILL_RUN_DIR/acks"
  say "gateway run: load for 5 s; citizens sign in through gw1 ($(addr gw1))"
  workload_start
  sleep 5
  local signed_in
  signed_in=$("$workload" sessions-begin)
  say "gateway run: $signed_in citizens signed in through gw1; killing gw1's host"
  kill_host gw1
  cut_host gw1
  local total continued fresh
  read -r total continued fresh <<<"$("$workload" sessions-check)"
  say "gateway run: through gw2, $continued of $total sessions continued; a new sign-in on gw2: $([[ $fresh == 1 ]] && echo works || echo FAILED)"
  sleep 5
  workload_stop
  local acknowledged present duplicates missing
  read -r acknowledged present duplicates missing <<<"$(workload_verify)"
  say "gateway run: acknowledged $acknowledged, present $present, duplicates $duplicates, missing $missing"
  gateway_result="gateway host lost: $continued of $total sessions continued on gw2 (new sign-in there: $([[ $fresh == 1 ]] && echo yes || echo no)); load acknowledged $acknowledged, present $present, duplicates $duplicates, missing $missing"
  [[ "$signed_in" == "$DRILL_SIGNED_IN" && "$total" == "$DRILL_SIGNED_IN" && "$continued" == "$total" && "$fresh" == 1 \
     && "$missing" == 0 && "$duplicates" == 0 ]]
}

# --- the drill -----------------------------------------------------------------------------------
start_s=$(date +%s)
if [[ "$workload" == writer ]]; then
  gcc -O2 -Wall -o "$writer_bin" scripts/drill/drill-writer.c -I"$(pg_config --includedir)" -lpq
fi
make_hosts
say "hosts: monitor $(addr monitor), db1 $(addr db1), db2 $(addr db2), app $(addr app), client $(addr client) (namespaces $prefix-*)"
create_cluster
say "cluster ready after $(( $(date +%s) - start_s )) s; DVC_DATABASE for a service: ${DRILL_URL_PREFIX}dvc_<service>?target_session_attrs=read-write"
failed=0
for run in $(seq 1 "$runs"); do
  fault=${fault_list[$(( (run - 1) % ${#fault_list[@]} ))]}
  run_start=$(date +%s)
  one_run "$run" "$fault" || failed=$((failed + 1))
  say "run $run took $(( $(date +%s) - run_start )) s"
done
if [[ "$workload" != writer ]]; then
  gateway_host_lost || failed=$((failed + 1))
fi
echo
printf '%-4s %-14s %-4s %-4s %10s %10s %8s %8s %6s %7s\n' run fault from to "promoted s" "writes s" acked present dupes missing
printf '%s\n' "${results[@]}"
[[ -n "$gateway_result" ]] && echo "$gateway_result"
echo "total $(( $(date +%s) - start_s )) s; promoted s = fault to the monitor naming the new primary; writes s = fault to the first write acknowledged by it"
[[ $failed -eq 0 ]] || { say "$failed run(s) lost or duplicated an acknowledged write, never recovered, or lost a session"; exit 1; }
