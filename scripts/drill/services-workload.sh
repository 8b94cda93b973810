#!/usr/bin/env bash
# The failover drill's workload through the platform's own services (scripts/failover-drill.sh
# --workload scripts/drill/services-workload.sh; docs/postgres-cluster.md "Plugging in the
# services"): catalog-svc and notify-svc on SQLite, dossier-svc and payment-svc on the drill's
# PostgreSQL cluster, all on the app host; two gateways on the hosts gw1 and gw2, sharing
# dvc_gateway; the payment provider (payment-sandbox, the bank) on the client host. Each
# citizen, one after another from the client host, with dvcctl and curl:
#
#   1. submits a level-4 dossier (idempotency key drill-<run>-<n>),
#   2. which the receiving officer receives (Act RECEIVE, key drill-<run>-<n>-receive),
#   3. asks for the fee's payment (CreatePayment, key drill-<run>-<n>-pay),
#   4. and pays it at the bank, which notifies the platform (IPN, twice) through gw1 (through
#      gw2 once gw1 is lost, as a load balancer's health check would send it).
#
# Every call is retried with the same key until answered, so one whose commit outcome was
# unknown is not made twice; the bank sends a notification again for up to five minutes until
# the platform confirms it.
#
#   services-workload.sh start           the services (first time), then the load in the background
#   services-workload.sh stop            the load
#   services-workload.sh verify          "acknowledged present duplicates missing" over dossiers,
#                                        receptions, payments asked for and payments the bank took
#   services-workload.sh sessions-begin  citizens register and sign in through gw1
#   services-workload.sh sessions-check  their sessions through gw2: "signed-in continued"
#   services-workload.sh teardown        the services
#
# The drill sets DRILL_RUN_DIR, DRILL_NETNS_APP, DRILL_NETNS_CLIENT, DRILL_NETNS_GW1,
# DRILL_NETNS_GW2, DRILL_URL_PREFIX, DRILL_URL_QUERY, DRILL_CLUSTER. DVC_BIN (default
# .build/release) holds the executables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/pg-cluster.sh

bin=${DVC_BIN:-$PWD/.build/release}
state=${DRILL_RUN_DIR:?}/..
services_dir="$state/services"
host_ip() { ip -n "$1" -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1] }'; }
app_ip=$(host_ip "$DRILL_NETNS_APP")
client_ip=$(host_ip "$DRILL_NETNS_CLIENT")
catalog=$app_ip:7001 dossier=$app_ip:7002 payment=$app_ip:7003 notify=$app_ip:7004
bank=http://$client_ip:7090
gw1=http://$(host_ip "$DRILL_NETNS_GW1" 2>/dev/null || true):7080
gw2=http://$(host_ip "$DRILL_NETNS_GW2" 2>/dev/null || true):7080
psql_on() { pgc_as_postgres "$DRILL_CLUSTER" "$DRILL_NETNS_APP" -- psql -X -q -At -d "${DRILL_URL_PREFIX}$1${DRILL_URL_QUERY}" -c "$2"; }

say() { echo "services-workload: $*" >&2; }

# on_host NETNS NAME COMMAND...: a process on a host, until it prints "listening on"; NAME
# names its pid, output and log files.
on_host() {
  local netns=$1 name=$2
  shift 2
  ip netns exec "$netns" "$@" >"$services_dir/$name.out" 2>"$services_dir/$name.log" &
  echo $! >"$services_dir/$name.pid"
  for _ in $(seq 1 300); do
    grep -q 'listening on ' "$services_dir/$name.out" 2>/dev/null && return 0
    kill -0 "$(cat "$services_dir/$name.pid")" 2>/dev/null || { tail -20 "$services_dir/$name.log" >&2; say "$name exited"; exit 1; }
    sleep 0.1
  done
  say "$name did not listen within 30 s"; exit 1
}

# service NAME PORT [FLAGS...]: one service on the app host.
service() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$services_dir/$name"
  on_host "$DRILL_NETNS_APP" "$name" "$bin/$name" --listen "$app_ip:$port" --data-dir "$services_dir/$name" \
    --admin "$app_ip:$((port + 100))" "$@"
}

# gateway HOST NETNS: a gateway on its own host, its people, sessions and keys in dvc_gateway.
gateway() {
  local name=$1 netns=$2 ip
  ip=$(host_ip "$netns")
  mkdir -p "$services_dir/$name"
  DVC_DATABASE="${DRILL_URL_PREFIX}dvc_gateway${DRILL_URL_QUERY}" on_host "$netns" "$name" "$bin/gateway" \
    --listen "$ip:7000" --http "$ip:7080" --admin "$ip:7100" --data-dir "$services_dir/$name" \
    --catalog "$catalog" --dossier "$dossier" --payment "$payment" --notify "$notify"
}

start_services() {
  [[ -f "$services_dir/dossier-svc.pid" ]] && return 0
  mkdir -p "$services_dir"
  [[ -x "$bin/dossier-svc" ]] || { say "no $bin/dossier-svc: swift build -c release (or DVC_BIN)"; exit 1; }
  service catalog-svc 7001
  service notify-svc 7004
  DVC_DATABASE="${DRILL_URL_PREFIX}dvc_dossier${DRILL_URL_QUERY}" service dossier-svc 7002 --catalog "$catalog" --notify "$notify"
  # The bank: the provider's sandbox on the client host (outside the platform), sending its
  # notifications to gw1, twice each, and again for up to five minutes until the platform
  # confirms them.
  local secret
  secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  SANDBOX_HASH_SECRET=$secret on_host "$DRILL_NETNS_CLIENT" payment-sandbox "$bin/payment-sandbox" --listen "$client_ip:7090" \
    --terminal-code DRILLTMN1 --ipn-url "$gw1/payment/vnpay/ipn" --ipn-retry-seconds 300
  ip netns exec "$DRILL_NETNS_CLIENT" curl -fsS "$bank/sandbox/behaviour?outcome=approve&ipn=twice" >/dev/null
  printf 'vnpay_tmn_code=DRILLTMN1\nvnpay_hash_secret=%s\nvnpay_pay_url=%s/paymentv2/vpcpay.html\nvnpay_api_url=%s/merchant_webapi/api/transaction\npayment_return_url=%s/payment/vnpay/return\n' \
    "$secret" "$bank" "$bank" "$gw2" >"$services_dir/payment.env"
  DVC_DATABASE="${DRILL_URL_PREFIX}dvc_payment${DRILL_URL_QUERY}" service payment-svc 7003 --catalog "$catalog" --dossier "$dossier" \
    --notify "$notify" --config "$services_dir/payment.env"
  gateway gw1 "$DRILL_NETNS_GW1"
  gateway gw2 "$DRILL_NETNS_GW2"
  # dossier-svc really is on PostgreSQL: its table is in dvc_dossier.
  # The three really are on PostgreSQL: their tables are in their databases.
  local database table
  for database in dvc_dossier:dossier dvc_payment:payment dvc_gateway:session; do
    table=${database#*:}
    database=${database%%:*}
    if [[ -z "$(psql_on "$database" "select to_regclass('$table')" 2>/dev/null)" ]]; then
      say "no table $table in $database: its service does not keep its data in PostgreSQL"
      exit 1
    fi
  done
  # A level-4 procedure with a fee, without form fields and with at most two papers.
  ip netns exec "$DRILL_NETNS_CLIENT" "$bin/dvcctl" call "$catalog" /dvc.catalog.v1.CatalogService/ExportCatalog '{}' --compact \
    | python3 -c '
import json, sys
export = json.load(sys.stdin)
get = lambda o, *names: next((o[n] for n in names if n in o), [])
simple = {p["code"] for p in get(export, "procedures") if len(get(p, "documents")) <= 2 and get(p, "fees")
          and all(not get(f, "fields") for f in get(p, "forms"))}
level = next(l for l in get(export, "levels") if l.get("level", 0) >= 4 and get(l, "procedureCode", "procedure_code") in simple)
print(get(level, "agencyCode", "agency_code"), get(level, "procedureCode", "procedure_code"))' >"$services_dir/procedure"
}

# The load: citizen n's submission has idempotency key drill-<run>-<n>; its line in acks is
# "n epoch-ms dossier-svc dossier-id" once dossier-svc answered OK. Receptions go to state-acks,
# payments asked for to pay-acks ("n epoch-ms payment payment-id order-id").
load() {
  local agency procedure run n=1 reply id version citizen answer payment_id order_id pay_url
  read -r agency procedure <"$services_dir/procedure"
  run=$(basename "$DRILL_RUN_DIR")
  local pdf
  pdf=$(printf '%%PDF-1.4\n%% drill\n%%%%EOF\n' | base64 -w0)
  while [[ ! -f "$DRILL_RUN_DIR/stop" ]]; do
    citizen=001099$(printf '%06d' $((n % 1000000)))
    reply=$(ip netns exec "$DRILL_NETNS_CLIENT" "$bin/dvcctl" call "$dossier" /dvc.dossier.v1.DossierService/SubmitDossier \
      "{\"agencyCode\": \"$agency\", \"procedureCode\": \"$procedure\", \"attachments\": [{\"name\": \"a.pdf\", \"content\": \"$pdf\"}, {\"name\": \"b.pdf\", \"content\": \"$pdf\"}]}" \
      -H "x-dvc-identity: citizen:$citizen" -H "idempotency-key: drill-$run-$n" \
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
    # The fee: the citizen asks to pay (a retry with the key gives the same payment) ...
    while [[ ! -f "$DRILL_RUN_DIR/stop" ]]; do
      if answer=$(ip netns exec "$DRILL_NETNS_CLIENT" "$bin/dvcctl" call "$payment" /dvc.payment.v1.PaymentService/CreatePayment \
          "{\"dossierId\": \"$id\"}" -H "x-dvc-identity: citizen:$citizen" -H "idempotency-key: drill-$run-$n-pay" \
          --timeout 15 --compact 2>>"$DRILL_RUN_DIR/load.log"); then
        read -r payment_id order_id pay_url < <(python3 -c 'import json, sys; p = json.load(sys.stdin); print(p["id"], p["orderId"], p["redirectUrl"])' <<<"$answer")
        echo "$n $(date +%s%3N) payment $payment_id $order_id" >>"$DRILL_RUN_DIR/pay-acks"
        # ... and pays at the bank: the browser opens the payment page; the bank approves,
        # notifies the platform and sends the browser back (not followed).
        ip netns exec "$DRILL_NETNS_CLIENT" curl -s -o /dev/null --max-time 30 "$pay_url" 2>>"$DRILL_RUN_DIR/load.log" || true
        break
      fi
      sleep 0.2
    done
    n=$((n + 1))
  done
}

# counts ACKED_FILE PRESENT_FILE: "acknowledged present missing" of two sorted lists of ids.
counts() {
  local acknowledged present missing
  acknowledged=$(sort -u "$1" | wc -l)
  present=$(sort -u "$2" | comm -12 - <(sort -u "$1") | wc -l)
  missing=$(sort -u "$2" | comm -13 - <(sort -u "$1") | wc -l)
  echo "$acknowledged $present $missing"
}

# bank_pending: how many of the bank's notifications are still being sent again.
bank_pending() {
  ip netns exec "$DRILL_NETNS_CLIENT" curl -fsS "$bank/sandbox/ipn-pending" | python3 -c 'import json, sys; print(json.load(sys.stdin)["pending"])'
}

# wait_zero WHAT SECONDS COMMAND...: until COMMAND prints 0 (asked every second); prints the
# last value it printed.
wait_zero() {
  local what=$1 seconds=$2 value=
  shift 2
  for _ in $(seq 1 "$seconds"); do
    value=$("$@" 2>/dev/null || echo '?')
    [[ "$value" == 0 ]] && break
    sleep 1
  done
  [[ "$value" == 0 ]] || say "$what: still $value after $seconds s"
  echo "$value"
}

verify() {
  local run=$1 d=$DRILL_RUN_DIR
  touch "$d/acks" "$d/state-acks" "$d/pay-acks"
  : >"$d/verify-details"
  # Submissions: each acknowledged dossier once, under its key.
  cut -d' ' -f4 "$d/acks" | sort -u >"$d/acked"
  psql_on dvc_dossier "select id from dossier where idempotency_key like 'drill-$run-%'" | sort >"$d/present"
  local acknowledged present missing duplicates
  read -r acknowledged present missing <<<"$(counts "$d/acked" "$d/present")"
  duplicates=$(psql_on dvc_dossier "select count(*) from (select idempotency_key from dossier where idempotency_key like 'drill-$run-%' group by idempotency_key having count(*) > 1) d")
  echo "submissions: $acknowledged $present $duplicates $missing" >>"$d/verify-details"
  # State changes: each acknowledged reception is in the dossier's history exactly once.
  cut -d' ' -f4 "$d/state-acks" | sort -u >"$d/received-acked"
  psql_on dvc_dossier "select h.dossier_id, count(*) from history h join dossier d on d.id = h.dossier_id where d.idempotency_key like 'drill-$run-%' and h.action = 1 group by h.dossier_id" \
    | sort >"$d/received-present"
  cut -d'|' -f1 "$d/received-present" >"$d/received-ids"
  local s_ack s_present s_missing s_dup
  read -r s_ack s_present s_missing <<<"$(counts "$d/received-acked" "$d/received-ids")"
  s_dup=$(awk -F'|' '$2 > 1' "$d/received-present" | wc -l)
  echo "receptions: $s_ack $s_present $s_dup $s_missing" >>"$d/verify-details"
  # Payments asked for: each acknowledged payment once; one payment per dossier.
  cut -d' ' -f4 "$d/pay-acks" | sort -u >"$d/pay-acked"
  psql_on dvc_payment "select id from payment where idempotency_key like 'drill-$run-%'" | sort >"$d/pay-present"
  local p_ack p_present p_missing p_dup
  read -r p_ack p_present p_missing <<<"$(counts "$d/pay-acked" "$d/pay-present")"
  p_dup=$(psql_on dvc_payment "select count(*) from (select dossier_id from payment where idempotency_key like 'drill-$run-%' group by dossier_id having count(*) > 1) d")
  echo "payments: $p_ack $p_present $p_dup $p_missing" >>"$d/verify-details"
  # Payments the bank took: once it has no notification left to send again, every order of
  # this run it approved (its settlement file) is paid in dvc_payment with one receipt,
  # announced once to dossier-svc, and settled on the dossier there once the outboxes have
  # delivered everything. The platform answered the bank "confirmed" (00) or "already
  # confirmed" (02) for those it heard of; one the bank gave up on would be missing here.
  local pending_p pending_d
  wait_zero "the bank's notifications still being sent again" 330 bank_pending >/dev/null
  pending_p=$(wait_zero "dvc_payment's outbox" 120 psql_on dvc_payment "select count(*) from outbox where delivered_at is null")
  pending_d=$(wait_zero "dvc_dossier's outbox" 120 psql_on dvc_dossier "select count(*) from outbox where delivered_at is null")
  cut -d' ' -f5 "$d/pay-acks" | sort -u >"$d/run-orders"
  for day in $(TZ=Asia/Ho_Chi_Minh date +%Y%m%d) $(TZ=Asia/Ho_Chi_Minh date -d yesterday +%Y%m%d); do
    ip netns exec "$DRILL_NETNS_CLIENT" curl -fsS "$bank/sandbox/settlement?date=$day" | tail -n +2 | cut -d, -f1
  done | sort -u | comm -12 - "$d/run-orders" >"$d/approved"
  ip netns exec "$DRILL_NETNS_CLIENT" curl -fsS "$bank/sandbox/ipn-log" | python3 -c '
import json, sys
orders = set(open(sys.argv[1]).read().split())
for record in json.load(sys.stdin):
    if record["orderID"] not in orders:
        continue
    answer = (json.loads(record["merchantAnswer"]) if record["merchantAnswer"].startswith("{") else {}).get("RspCode")
    print(record["orderID"], file=sys.stdout if record["responseCode"] == "00" and answer in ("00", "02") else sys.stderr)' \
    "$d/run-orders" 2>"$d/unanswered" | sort -u >"$d/confirmed"
  local in_list
  in_list=$(sed "s/.*/'&'/" "$d/approved" | paste -sd,)
  [[ -n "$in_list" ]] || in_list="''"
  psql_on dvc_payment "select p.order_id || '|' || p.dossier_id from payment p join receipt r on r.payment_id = p.id where p.state = 2 and p.order_id in ($in_list)" \
    | sort >"$d/paid"
  local settled=0 dossier_list
  dossier_list=$(cut -d'|' -f2 "$d/paid" | sed "s/.*/'&'/" | paste -sd,)
  [[ -n "$dossier_list" ]] && settled=$(psql_on dvc_dossier "select count(*) from dossier where fee_settled = 1 and id in ($dossier_list)")
  local c_ack c_paid c_missing c_dup
  cut -d'|' -f1 "$d/paid" >"$d/paid-orders"
  read -r c_ack c_paid c_missing <<<"$(counts "$d/approved" "$d/paid-orders")"
  c_dup=$(psql_on dvc_payment "select count(*) from (select aggregate_id from outbox where type = 'payment.paid' and destination = 'dossier-svc' and aggregate_id in (select id from payment where order_id in ($in_list)) group by aggregate_id having count(*) > 1) d")
  # Paid but not settled on its dossier counts as missing too.
  local unsettled=$((c_paid - settled))
  echo "payments taken by the bank: $c_ack $c_paid $c_dup $((c_missing + unsettled)) (confirmed to the bank $(comm -12 "$d/confirmed" "$d/approved" | wc -l); settled on the dossier $settled; notifications sent again $(wc -l <"$d/unanswered"); outboxes pending: payment $pending_p dossier $pending_d)" >>"$d/verify-details"
  # The drill's line: all four kinds summed; an outbox left undelivered counts as missing.
  # (A count that never came, "?", counts as one.)
  [[ "$pending_p" =~ ^[0-9]+$ ]] || pending_p=1
  [[ "$pending_d" =~ ^[0-9]+$ ]] || pending_d=1
  local pending=$((pending_p + pending_d))
  grep -v '^$' "$d/verify-details" | sed 's/^/services-workload: /' >&2
  echo "$((acknowledged + s_ack + p_ack + c_ack)) $((present + s_present + p_present + c_paid)) $((duplicates + s_dup + p_dup + c_dup)) $((missing + s_missing + p_missing + c_missing + unsettled + pending))"
}

# sign_in GATEWAY ID: the portal's sign-in form with the drill's password; prints the session
# cookie it set ("__Host-dvc_session=…"), nothing when refused.
sign_in() {
  local headers
  headers=$(ip netns exec "$DRILL_NETNS_CLIENT" curl -s -D - -o /dev/null -H "Origin: $1" --data-urlencode "id=$2" \
    --data-urlencode "password=Hoa sen 2026!" "$1/dang-nhap" || true)
  (grep -io '^set-cookie: __Host-dvc_session=[^;]*' <<<"$headers" || true) | head -1 | sed 's/^[^:]*: //' | tr -d '\r'
}

# sessions-begin: citizens register and sign in through gw1, as the portal's forms do; each
# line of sessions is "id cookie csrf-token".
sessions_begin() {
  local d=$DRILL_RUN_DIR i id cookie page csrf
  : >"$d/sessions"
  for i in $(seq 1 "${DRILL_SIGNED_IN:-10}"); do
    id=00109808$(printf '%04d' "$i")
    ip netns exec "$DRILL_NETNS_CLIENT" curl -s -o /dev/null -H "Origin: $gw1" --data-urlencode "id=$id" \
      --data-urlencode "full_name=Công dân thử $i" --data-urlencode "password=Hoa sen 2026!" "$gw1/dang-ky" || true
    cookie=$(sign_in "$gw1" "$id")
    page=$(ip netns exec "$DRILL_NETNS_CLIENT" curl -s -H "Cookie: $cookie" "$gw1/tai-khoan" || true)
    csrf=$( (grep -o 'name="csrf_token" value="[^"]*"' <<<"$page" || true) | head -1 | sed 's/.*value="//; s/"$//')
    [[ -n "$cookie" && -n "$csrf" ]] && echo "$id $cookie $csrf" >>"$d/sessions"
  done
  wc -l <"$d/sessions"
}

# sessions-check: with gw1 gone, the bank's notifications go to gw2 (the load balancer's health
# check), and each session goes on through gw2: the account page (the same CSRF token) and a
# CSRF-checked POST; then a sign-in made on gw2. Prints "signed-in continued new-sign-in" (the
# last 1 or 0).
sessions_check() {
  local d=$DRILL_RUN_DIR id cookie csrf page status continued=0 total=0 fresh=0
  ip netns exec "$DRILL_NETNS_CLIENT" curl -fsS "$bank/sandbox/behaviour?ipn_url=$gw2/payment/vnpay/ipn" >/dev/null
  while read -r id cookie csrf; do
    total=$((total + 1))
    page=$(ip netns exec "$DRILL_NETNS_CLIENT" curl -s -H "Cookie: $cookie" "$gw2/tai-khoan" || true)
    grep -q "value=\"$csrf\"" <<<"$page" || { echo "$id: the account page on gw2 lacks the session" >>"$d/sessions.log"; continue; }
    status=$(ip netns exec "$DRILL_NETNS_CLIENT" curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Origin: $gw2" -H "Cookie: $cookie" \
      --data-urlencode "csrf_token=$csrf" --data-urlencode "viec=ket-thuc-phien" "$gw2/tai-khoan" || true)
    if [[ "$status" == "303 "*"/tai-khoan?xong=phien" ]]; then continued=$((continued + 1)); else echo "$id: POST on gw2 answered $status" >>"$d/sessions.log"; fi
  done <"$d/sessions"
  read -r id _ <"$d/sessions" || true
  [[ -n "${id:-}" && -n "$(sign_in "$gw2" "$id")" ]] && fresh=1
  echo "$total $continued $fresh"
}

case "${1:-}" in
  start)
    start_services
    rm -f "$DRILL_RUN_DIR/stop"
    load &
    echo $! >"$DRILL_RUN_DIR/load.pid" ;;
  stop)
    # The citizen in progress finishes (a call may take its 15 s deadline, a payment page 30 s);
    # after two minutes the load is stopped outright, so verify never reads a file still growing.
    touch "$DRILL_RUN_DIR/stop"
    pid=$(cat "$DRILL_RUN_DIR/load.pid")
    for _ in $(seq 1 1200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "the load did not stop within 2 minutes; killing it"
      pkill -KILL -P "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null
    fi
    true ;;
  verify) verify "$(basename "$DRILL_RUN_DIR")" ;;
  sessions-begin) sessions_begin ;;
  sessions-check) sessions_check ;;
  teardown)
    for pid_file in "$services_dir"/*.pid; do
      [[ -f "$pid_file" ]] && kill -TERM "$(cat "$pid_file")" 2>/dev/null
    done
    true ;;
  *) echo "usage: services-workload.sh start|stop|verify|sessions-begin|sessions-check|teardown" >&2; exit 64 ;;
esac
