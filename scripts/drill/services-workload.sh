#!/usr/bin/env bash
# The failover drill's workload through the platform's own services (scripts/failover-drill.sh
# --workload scripts/drill/services-workload.sh; docs/postgres-cluster.md "Plugging in the
# services"): catalog-svc and notify-svc on SQLite, dossier-svc and payment-svc on the drill's
# PostgreSQL cluster, all on the app host; citizens' submissions from the client host with
# dvcctl, one after another, each with its own idempotency key and retried with the same key
# until dossier-svc answers, so a submission whose commit outcome was unknown is not made twice.
#
#   services-workload.sh start     the services (first time), then the load in the background
#   services-workload.sh stop      the load
#   services-workload.sh verify    "acknowledged present duplicates missing" in dvc_dossier
#   services-workload.sh teardown  the services
#
# The drill sets DRILL_RUN_DIR, DRILL_NETNS_APP, DRILL_NETNS_CLIENT, DRILL_URL_PREFIX,
# DRILL_URL_QUERY, DRILL_CLUSTER. DVC_BIN (default .build/release) holds the executables.
#
# Needs dossier-svc and payment-svc that keep their data in PostgreSQL when DVC_DATABASE says so
# (settings.openDatabase(..., postgres: true)); start refuses to go on when dossier-svc did not
# make its tables in dvc_dossier. Payments and state changes are the next steps (see the doc).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pg-cluster.sh

bin=${DVC_BIN:-$PWD/.build/release}
state=${DRILL_RUN_DIR:?}/..
services_dir="$state/services"
app_ip=$(ip -n "$DRILL_NETNS_APP" -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1] }')
catalog=$app_ip:7001 dossier=$app_ip:7002 payment=$app_ip:7003 notify=$app_ip:7004

say() { echo "services-workload: $*" >&2; }

# service NAME PORT [FLAGS...]: one service on the app host, until it prints "listening on".
service() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$services_dir/$name"
  ip netns exec "$DRILL_NETNS_APP" "$bin/$name" --listen "$app_ip:$port" --data-dir "$services_dir/$name" \
    --admin "$app_ip:$((port + 100))" "$@" >"$services_dir/$name.out" 2>"$services_dir/$name.log" &
  echo $! >"$services_dir/$name.pid"
  for _ in $(seq 1 300); do
    grep -q '^listening on ' "$services_dir/$name.out" 2>/dev/null && return 0
    kill -0 "$(cat "$services_dir/$name.pid")" 2>/dev/null || { tail -20 "$services_dir/$name.log" >&2; say "$name exited"; exit 1; }
    sleep 0.1
  done
  say "$name did not listen within 30 s"; exit 1
}

start_services() {
  [[ -f "$services_dir/dossier-svc.pid" ]] && return 0
  mkdir -p "$services_dir"
  [[ -x "$bin/dossier-svc" ]] || { say "no $bin/dossier-svc: swift build -c release (or DVC_BIN)"; exit 1; }
  service catalog-svc 7001
  service notify-svc 7004
  DVC_DATABASE="${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" service dossier-svc 7002 --catalog "$catalog" --notify "$notify"
  # A provider's settings: the load takes no online payment yet (docs/postgres-cluster.md), so
  # they point nowhere; payment-svc runs on its database and receives dossier-svc's events.
  printf 'vnpay_tmn_code=DRILLTMN1\nvnpay_hash_secret=drill-%s\nvnpay_pay_url=http://127.0.0.1:9/pay\nvnpay_api_url=http://127.0.0.1:9/api\n' \
    "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$services_dir/payment.env"
  DVC_DATABASE="${DRILL_URL_PREFIX}dvc_payment${DRILL_URL_QUERY}" service payment-svc 7003 --catalog "$catalog" --dossier "$dossier" \
    --notify "$notify" --config "$services_dir/payment.env"
  # dossier-svc really is on PostgreSQL: its table is in dvc_dossier.
  if [[ -z "$(pgc_as_postgres "$DRILL_CLUSTER" "$DRILL_NETNS_APP" -- psql -X -q -At -d "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" \
      -c "select to_regclass('dossier')" 2>/dev/null)" ]]; then
    say "dossier-svc did not make its tables in dvc_dossier: it does not keep its data in PostgreSQL yet"
    exit 1
  fi
  # A level-3 procedure without form fields and with at most two papers (as dossier-bench picks).
  ip netns exec "$DRILL_NETNS_CLIENT" "$bin/dvcctl" call "$catalog" /dvc.catalog.v1.CatalogService/ExportCatalog '{}' --compact \
    | python3 -c '
import json, sys
export = json.load(sys.stdin)
get = lambda o, *names: next((o[n] for n in names if n in o), [])
simple = {p["code"] for p in get(export, "procedures") if len(get(p, "documents")) <= 2
          and all(not get(f, "fields") for f in get(p, "forms"))}
level = next(l for l in get(export, "levels") if l.get("level", 0) >= 3 and get(l, "procedureCode", "procedure_code") in simple)
print(get(level, "agencyCode", "agency_code"), get(level, "procedureCode", "procedure_code"))' >"$services_dir/procedure"
}

# The load: submission n has idempotency key drill-<run>-<n>; its line in acks is
# "n epoch-ms dossier-svc dossier-id" once dossier-svc answered OK.
load() {
  local agency procedure run n=1 reply id
  read -r agency procedure <"$services_dir/procedure"
  run=$(basename "$DRILL_RUN_DIR")
  local pdf
  pdf=$(printf '%%PDF-1.4\n%% drill\n%%%%EOF\n' | base64 -w0)
  while [[ ! -f "$DRILL_RUN_DIR/stop" ]]; do
    reply=$(ip netns exec "$DRILL_NETNS_CLIENT" "$bin/dvcctl" call "$dossier" /dvc.dossier.v1.DossierService/SubmitDossier \
      "{\"agencyCode\": \"$agency\", \"procedureCode\": \"$procedure\", \"attachments\": [{\"name\": \"a.pdf\", \"content\": \"$pdf\"}, {\"name\": \"b.pdf\", \"content\": \"$pdf\"}]}" \
      -H "x-dvc-identity: citizen:001099$(printf '%06d' $((n % 1000000)))" -H "idempotency-key: drill-$run-$n" \
      --timeout 15 --compact 2>>"$DRILL_RUN_DIR/load.log") || { sleep 0.2; continue; }
    read -r id version < <(python3 -c 'import json, sys; d = json.load(sys.stdin)["dossier"]; print(d["id"], d.get("version", 1))' <<<"$reply")
    echo "$n $(date +%s%3N) dossier-svc $id" >>"$DRILL_RUN_DIR/acks"
    # The state change: the receiving officer receives it (1 -> 2), with an idempotency key of
    # its own, retried with the same key until dossier-svc answers, as the console does.
    while [[ ! -f "$DRILL_RUN_DIR/stop" ]]; do
      if ip netns exec "$DRILL_NETNS_CLIENT" "$bin/dvcctl" call "$dossier" /dvc.dossier.v1.DossierService/Act \
          "{\"dossierId\": \"$id\", \"action\": \"ACTION_RECEIVE\", \"expectedVersion\": \"$version\"}" \
          -H "x-dvc-identity: officer:tn01@$agency:receiver" -H "idempotency-key: drill-$run-$n-receive" \
          --timeout 15 --compact >/dev/null 2>>"$DRILL_RUN_DIR/load.log"; then
        echo "$n $(date +%s%3N) received $id" >>"$DRILL_RUN_DIR/state-acks"
        break
      fi
      sleep 0.2
    done
    n=$((n + 1))
  done
}

case "${1:-}" in
  start)
    start_services
    rm -f "$DRILL_RUN_DIR/stop"
    load &
    echo $! >"$DRILL_RUN_DIR/load.pid" ;;
  stop)
    touch "$DRILL_RUN_DIR/stop"
    pid=$(cat "$DRILL_RUN_DIR/load.pid")
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done ;;
  verify)
    run=$(basename "$DRILL_RUN_DIR")
    cut -d' ' -f4 "$DRILL_RUN_DIR/acks" | sort -u >"$DRILL_RUN_DIR/acked"
    pgc_as_postgres "$DRILL_CLUSTER" "$DRILL_NETNS_APP" -- psql -X -q -At -d "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" \
      -c "select id from dossier where idempotency_key like 'drill-$run-%'" | sort >"$DRILL_RUN_DIR/present"
    acknowledged=$(wc -l <"$DRILL_RUN_DIR/acked")
    present=$(sort -u "$DRILL_RUN_DIR/present" | comm -12 - "$DRILL_RUN_DIR/acked" | wc -l)
    duplicates=$(pgc_as_postgres "$DRILL_CLUSTER" "$DRILL_NETNS_APP" -- psql -X -q -At -d "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" \
      -c "select count(*) from (select idempotency_key from dossier where idempotency_key like 'drill-$run-%' group by idempotency_key having count(*) > 1) d")
    missing=$(sort -u "$DRILL_RUN_DIR/present" | comm -13 - "$DRILL_RUN_DIR/acked" | wc -l)
    # State changes: each acknowledged reception is in the dossier's history exactly once.
    touch "$DRILL_RUN_DIR/state-acks"
    cut -d' ' -f4 "$DRILL_RUN_DIR/state-acks" | sort -u >"$DRILL_RUN_DIR/received-acked"
    pgc_as_postgres "$DRILL_CLUSTER" "$DRILL_NETNS_APP" -- psql -X -q -At -d "${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" \
      -c "select h.dossier_id, count(*) from history h join dossier d on d.id = h.dossier_id where d.idempotency_key like 'drill-$run-%' and h.action = 1 group by h.dossier_id" \
      | sort >"$DRILL_RUN_DIR/received-present"
    state_acknowledged=$(wc -l <"$DRILL_RUN_DIR/received-acked")
    state_present=$(cut -d'|' -f1 "$DRILL_RUN_DIR/received-present" | comm -12 - "$DRILL_RUN_DIR/received-acked" | wc -l)
    state_duplicates=$(awk -F'|' '$2 > 1' "$DRILL_RUN_DIR/received-present" | wc -l)
    state_missing=$(cut -d'|' -f1 "$DRILL_RUN_DIR/received-present" | comm -13 - "$DRILL_RUN_DIR/received-acked" | wc -l)
    echo "state changes (receptions): acknowledged $state_acknowledged present $state_present duplicates $state_duplicates missing $state_missing" >&2
    echo "state changes: $state_acknowledged $state_present $state_duplicates $state_missing" >>"$DRILL_RUN_DIR/verify-details"
    # Both kinds count in the drill's table.
    echo "$((acknowledged + state_acknowledged)) $((present + state_present)) $((duplicates + state_duplicates)) $((missing + state_missing))" ;;
  teardown)
    for pid_file in "$services_dir"/*.pid; do
      [[ -f "$pid_file" ]] && kill -TERM "$(cat "$pid_file")" 2>/dev/null
    done
    true ;;
  *) echo "usage: services-workload.sh start|stop|verify|teardown" >&2; exit 64 ;;
esac
