#!/usr/bin/env bash
# Brings the whole platform up on this machine, on loopback, and keeps it running until
# Ctrl-C: installs missing system packages, builds (release), starts catalog-svc,
# notify-svc, payment-svc, dossier-svc and the gateway, each with its SQLite file under
# ./data/<service>, wired to one another, and prints their addresses.
#
# Environment: DVC_PORT_BASE (default 7000: gateway 7000, catalog 7001, dossier 7002,
# payment 7003, notify 7004, the gateway's HTTP side 7080, the demo payment provider 7090;
# each service's admin side — /healthz, /readyz, /metrics — at its port + 100: 7100-7104),
# DVC_DATA_ROOT (default ./data), DVC_LOG_FORMAT (default text), DVC_SEED (the catalog a fresh
# data folder starts with: hanoi-2025, the default, the two-tier city since 1 July 2025;
# hanoi-2020, the three-tier city; or a province's own seed file; docs/seed-catalog.md),
# DVC_ONE_STOP_FORMS (the one-stop forms dossier-svc issues: 2018, Circular 01/2018/TT-VPCP, with
# the hanoi-2020 seed; 2025, Circular 03/2025/TT-VPCP, with any other; docs/dossier.md),
# DVC_NATIONAL_PORTAL (1: also the connector to the national portal, national-portal-sync at
# 7005 with its portal side at 7085, and the sandbox national portal with its payment platform
# at 7091; off by default, docs/national-portal.md), DVC_NATIONAL_PAY_AGENCIES (with it: the
# agency codes whose fees are paid through the national payment platform, comma-separated),
# DVC_DATABASE (postgres: dossier-svc, payment-svc and the gateway keep their data in PostgreSQL,
# a primary with a synchronous standby made and started by scripts/pg-cluster.sh under
# DVC_DATA_ROOT/postgres, ports DVC_PG_PORT_BASE, default 5480-5482, databases dvc_dossier,
# dvc_payment, dvc_gateway; catalog-svc and notify-svc stay on SQLite; docs/postgres-cluster.md;
# unset or sqlite: every service on its SQLite file, as before).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

echo "up: building (swift build -c release; the first build takes a few minutes)" >&2
swift build -c release >&2
bin=$(swift build -c release --show-bin-path)

base=${DVC_PORT_BASE:-7000}
data=${DVC_DATA_ROOT:-$PWD/data}
export DVC_LOG_FORMAT=${DVC_LOG_FORMAT:-text}
logs="$data/logs"
mkdir -p "$logs"

# The seed: chosen once, when the data folder is new (catalog-svc loads it into an empty
# database only); a later DVC_SEED that differs is reported, not applied.
seed=${DVC_SEED:-hanoi-2025}
if [ -f "$data/.seed" ] && [ "$(cat "$data/.seed")" != "$seed" ]; then
  echo "up: $data was started with seed $(cat "$data/.seed"); DVC_SEED=$seed applies only to a new data folder (DVC_DATA_ROOT)" >&2
  seed=$(cat "$data/.seed")
fi
case "$seed" in
  hanoi-2020) seed_file=Services/catalog-svc/CatalogService/Seed/catalog.json; export DVC_SEED=$seed ;;
  hanoi-2025) seed_file=Services/catalog-svc/CatalogService/Seed/hanoi-2025.json; export DVC_SEED=$seed ;;
  none) seed_file=; export DVC_SEED=none ;;
  *) seed_file=$(realpath "$seed"); export DVC_SEED=$seed_file ;;
esac
[ -f "$data/.seed" ] || echo "$seed" > "$data/.seed"
# The forms go with the city the seed describes: the three-tier city of 2020 issued the 2018
# set; since Decree 118/2025/NĐ-CP (1 July 2025) the 2025 set applies.
if [ -z "${DVC_ONE_STOP_FORMS:-}" ]; then
  if [ "$seed" = hanoi-2020 ]; then export DVC_ONE_STOP_FORMS=2018; else export DVC_ONE_STOP_FORMS=2025; fi
fi

# The database: DVC_DATABASE=postgres is up.sh's own choice, never passed on as it is; the
# services that keep their data in PostgreSQL are each given their own database's URL.
database=${DVC_DATABASE:-sqlite}
unset DVC_DATABASE
case "$database" in
  sqlite) ;;
  postgres) ;;
  *) echo "up: DVC_DATABASE=$database: up.sh takes postgres (a local PostgreSQL cluster) or sqlite (the default)" >&2; exit 64 ;;
esac
pg_dir="$data/postgres"
pg_started=0
# The URL of each service's own database (none: its SQLite file), set below for postgres.
declare -A service_database=()
# with_database SERVICE COMMAND...: COMMAND with DVC_DATABASE set to SERVICE's database, if any.
with_database() {
  local name=$1
  shift
  if [ -n "${service_database[$name]:-}" ]; then
    env "DVC_DATABASE=${service_database[$name]}" "$@"
  else
    "$@"
  fi
}

pids=()
stop() {
  local code=${1:-0}
  trap - INT TERM EXIT
  echo "up: stopping (SIGTERM; each service drains its calls in flight)" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$pg_started" = 1 ]; then
    echo "up: stopping the PostgreSQL cluster ($pg_dir)" >&2
    PGC_PORT_BASE=$pg_port_base scripts/pg-cluster.sh stop "$pg_dir" || true
  fi
  echo "up: stopped" >&2
  exit "$code"
}
trap 'stop 0' INT TERM
trap 'stop 1' EXIT

# start NAME PORT [FLAGS...]: starts one service, waits for its "listening on" line.
start() {
  local name=$1 port=$2
  shift 2
  local listen=(--listen "127.0.0.1:$port" --data-dir "$data/$name" --admin "127.0.0.1:$((port + 100))")
  case "$name" in payment-sandbox|national-portal-sandbox) listen=(--listen "127.0.0.1:$port") ;; esac
  # env execs the service: $! stays the service's own pid.
  local database_env=()
  if [ -n "${service_database[$name]:-}" ]; then database_env=(env "DVC_DATABASE=${service_database[$name]}"); fi
  "${database_env[@]}" "$bin/$name" "${listen[@]}" "$@" \
    >"$logs/$name.out" 2>"$logs/$name.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    if grep -q '^listening on ' "$logs/$name.out" 2>/dev/null; then
      if [ "$name" = payment-sandbox ] || [ "$name" = national-portal-sandbox ]; then
        printf '  %-12s %s\n' "$name" "$(sed -n 's/^listening on //p' "$logs/$name.out")"
      else
        printf '  %-12s %s   admin http://127.0.0.1:%s/metrics\n' "$name" \
          "$(sed -n 's/^listening on //p' "$logs/$name.out")" "$((port + 100))"
      fi
      return 0
    fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "up: $name exited; its log ($logs/$name.log):" >&2
      tail -20 "$logs/$name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "up: $name did not start listening within 10 s; see $logs/$name.log" >&2
  exit 1
}

catalog=127.0.0.1:$((base + 1))
dossier=127.0.0.1:$((base + 2))
payment=127.0.0.1:$((base + 3))
notify=127.0.0.1:$((base + 4))

echo "Dịch vụ công trực tuyến: services on loopback (binary RPC, wire protocol v1); catalog seed: $seed; one-stop forms: $DVC_ONE_STOP_FORMS"
http=127.0.0.1:$((base + 80))
provider=http://127.0.0.1:$((base + 90))
# The portal's address as citizens reach it: the QR code on every signed document links to
# <public_url>/xac-minh/<code> (docs/signatures.md). Set DVC_PUBLIC_URL behind a proxy.
public_url=${DVC_PUBLIC_URL:-http://$http}
# The demo payment provider's shared secret, made on first start and kept with the data
# (payment-svc reads it from its --config file; the sandbox from its environment).
config="$data/payment-svc.env"
if [ ! -f "$config" ]; then
  umask 077
  secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf 'vnpay_tmn_code=DVCDEMO\nvnpay_hash_secret=%s\n' "$secret" > "$config"
  umask 022
fi
secret=$(sed -n 's/^vnpay_hash_secret=//p' "$config")
sed -i '/^vnpay_pay_url=\|^vnpay_api_url=/d' "$config"
printf 'vnpay_pay_url=%s/paymentv2/vpcpay.html\nvnpay_api_url=%s/merchant_webapi/api/transaction\n' "$provider" "$provider" >> "$config"

# The national portal (optional): the connector's address for dossier-svc's events, the
# sandbox portal's secrets made on first start and kept with the data, and the national payment
# platform beside the VNPay-style provider for the agencies named.
national=${DVC_NATIONAL_PORTAL:-0}
connector=127.0.0.1:$((base + 5))
portal=http://127.0.0.1:$((base + 91))
sed -i '/^dvcqg_pay_/d' "$config"
if [ "$national" = 1 ]; then
  portal_secrets="$data/national-portal.secrets"
  if [ ! -f "$portal_secrets" ]; then
    umask 077
    for name in PORTAL PROVINCE PAY; do
      printf '%s=%s\n' "$name" "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    done > "$portal_secrets"
    umask 022
  fi
  portal_secret=$(sed -n 's/^PORTAL=//p' "$portal_secrets")
  province_secret=$(sed -n 's/^PROVINCE=//p' "$portal_secrets")
  pay_secret=$(sed -n 's/^PAY=//p' "$portal_secrets")
  printf 'dvcqg_pay_merchant_code=DVCQGDEMO\ndvcqg_pay_secret=%s\ndvcqg_pay_url=%s/thanh-toan/pay\ndvcqg_pay_api_url=%s/thanh-toan/refund\ndvcqg_pay_agencies=%s\n' \
    "$pay_secret" "$portal" "$portal" "${DVC_NATIONAL_PAY_AGENCIES:-}" >> "$config"
fi

pg_port_base=${DVC_PG_PORT_BASE:-5480}
if [ "$database" = postgres ]; then
  if [ -d "$pg_dir/monitor" ]; then
    echo "up: starting the PostgreSQL cluster in $pg_dir (a primary with its synchronous standby)" >&2
    PGC_PORT_BASE=$pg_port_base scripts/pg-cluster.sh start "$pg_dir" >/dev/null
  else
    echo "up: making the PostgreSQL cluster in $pg_dir (a primary with its synchronous standby; about 30 s)" >&2
    PGC_PORT_BASE=$pg_port_base scripts/pg-cluster.sh create "$pg_dir" >/dev/null
  fi
  pg_started=1
  for service in dossier payment gateway; do
    name=$service; [ "$service" = gateway ] || name=$service-svc
    service_database[$name]=$(PGC_PORT_BASE=$pg_port_base scripts/pg-cluster.sh url "$pg_dir" "dvc_$service")
  done
  echo "PostgreSQL (dossier-svc, payment-svc, gateway): $(PGC_PORT_BASE=$pg_port_base scripts/pg-cluster.sh url "$pg_dir" "dvc_<service>")"
fi

start catalog-svc $((base + 1))
start notify-svc $((base + 4))
if [ "$national" = 1 ]; then
  DVC_PUBLIC_URL=$public_url DVC_NATIONAL_PORTAL_SYNC=$connector start dossier-svc $((base + 2)) --catalog "$catalog" --notify "$notify"
  DVCQG_PORTAL_SECRET=$portal_secret DVCQG_PROVINCE_SECRET=$province_secret DVCQG_PAY_SECRET=$pay_secret \
    start national-portal-sandbox $((base + 91)) --connector-url "http://127.0.0.1:$((base + 85))" --province DVCDEMO \
    --merchant-code DVCQGDEMO
  DVC_NATIONAL_PORTAL_URL=$portal DVC_NATIONAL_PORTAL_CLIENT=DVCDEMO \
    DVC_NATIONAL_PORTAL_SIGNING_SECRET=$province_secret DVC_NATIONAL_PORTAL_VERIFY_SECRET=$portal_secret \
    start national-portal-sync $((base + 5)) --dossier "$dossier" --http "127.0.0.1:$((base + 85))"
else
  DVC_PUBLIC_URL=$public_url start dossier-svc $((base + 2)) --catalog "$catalog" --notify "$notify"
fi
SANDBOX_HASH_SECRET=$secret start payment-sandbox $((base + 90)) --terminal-code DVCDEMO --ipn-url "http://$http/payment/vnpay/ipn"
start payment-svc $((base + 3)) --catalog "$catalog" --dossier "$dossier" --notify "$notify" --config "$config"
# The gateway's own settings (overload and rate limits, sessions; docs/gateway.md): written
# once with the defaults spelled out, then the operator's to edit.
gateway_config="$data/gateway.conf"
if [ ! -f "$gateway_config" ]; then
  cat > "$gateway_config" <<'CONF'
# The gateway's settings (docs/gateway.md "Overload and rate limits", "People over HTTP").
# max_in_flight=256
# rate_per_address=100
# rate_per_person=20
# rate_per_key=1000
# trusted_proxies=
# session_max_seconds=43200
# session_idle_seconds=1800
CONF
fi
start gateway "$base" --catalog "$catalog" --dossier "$dossier" --payment "$payment" --notify "$notify" --http "$http" \
  --config "$gateway_config"
echo
echo "Portal (citizens):        http://$http/"
echo "Officers' console:        http://$http/can-bo"
echo "Public statistics:        http://$http/thong-ke"
echo "Gateway (agency systems, binary RPC): 127.0.0.1:$base"
echo "Gateway JSON API: http://$http/api/v1 (OpenAPI document: http://$http/api/v1/openapi.json)"
echo "Demo payment provider (not real money): $provider"
if [ "$national" = 1 ]; then
  # The sandbox pays and confirms to the gateway's callback for the national payment platform.
  curl -fsS "$portal/sandbox/payment?ipn_url=http%3A%2F%2F$http%2Fpayment%2Fdvcqg%2Fipn" >/dev/null
  echo "Sandbox national portal (a stand-in for Cổng DVCQG; submit with POST $portal/sandbox/submit): $portal"
fi
# A demo agency system on first start: a key of Sở Tư pháp that may act for citizens and its
# officers (docs/gateway.md). Shown once; `gateway api-key list` shows the keys afterwards.
# Demo officers on first start (every role, the agency's administrator too), their passwords
# shown once: the officers' side of the platform can be tried at once. A small seed gets one
# per agency; a large one (hanoi-2025: 126 wards and communes, each with its centre) one per
# agency that is not a commune, a centre or a police office, plus the city's centre and two of
# its branches, the first four communes with their centres, and four police offices.
demo_agencies() {
  [ -n "$seed_file" ] || return 0
  python3 - "$seed_file" <<'PY'
import json, sys
agencies = json.load(open(sys.argv[1]))["agencies"]
if len(agencies) > 40:
    kind = {a["code"]: a["kind"] for a in agencies}
    communes = [a["code"] for a in agencies if a["kind"] == "ward-commune"][:4]
    offices = [a["code"] for a in agencies if a["kind"] == "police" and kind.get(a["parentCode"]) == "police"][:4]
    branches = [a["code"] for a in agencies if a["kind"] == "service-centre" and kind.get(a["parentCode"]) == "service-centre"][:2]
    def shown(a):
        if a["kind"] == "ward-commune":
            return a["code"] in communes
        if a["kind"] == "service-centre":
            # the city's centre, two of its branches, the first communes' centres
            return kind.get(a["parentCode"]) == "city" or a["code"] in branches or a["parentCode"] in communes
        if a["kind"] == "police":
            return kind.get(a["parentCode"]) != "police" or a["code"] in offices
        return True
    agencies = [a for a in agencies if shown(a)]
print(" ".join(a["code"] for a in agencies))
PY
}
officers_made="$data/gateway/.demo-officers"
if [ ! -f "$officers_made" ]; then
  echo "Demo officers (shown once; sign in at http://$http/can-bo/dang-nhap, or POST /api/v1/sessions {\"officer_id\", \"password\"}):"
  printf '  %-16s %-14s %s\n' "agency" "officer" "password"
  n=0
  for agency in $(demo_agencies); do
    n=$((n + 1))
    line=$(with_database gateway "$bin/gateway" officer create --data-dir "$data/gateway" --agency "$agency" --id "demo.$n" \
      --roles receiver,processor,approver,admin --full-name "Cán bộ thử nghiệm $n" 2>/dev/null) || continue
    printf '  %-16s %-14s %s\n' "$agency" "demo.$n" "$(printf '%s' "$line" | cut -f4)"
  done
  touch "$officers_made"
fi
# Sở Tư pháp (000.00.07.H26, in both Hà Nội seeds); skipped for a seed without it.
if [ -z "$(with_database gateway "$bin/gateway" api-key list --data-dir "$data/gateway" 2>/dev/null)" ] \
    && [[ " $(demo_agencies) " == *" 000.00.07.H26 "* ]]; then
  demo_key=$(with_database gateway "$bin/gateway" api-key create --data-dir "$data/gateway" --agency 000.00.07.H26 \
    --scopes citizens,officers --label "demo: Sở Tư pháp" 2>/dev/null)
  # A key acts only for its agency's real officers: Sở Tư pháp's demo officer (demo.<n>, n its
  # place among the demo agencies, as numbered above).
  demo_officer=$(demo_agencies | tr ' ' '\n' | grep -n '^000\.00\.07\.H26$' | cut -d: -f1 | sed 's/^/demo./')
  echo "Demo agency-system key (Sở Tư pháp, shown once): $demo_key"
  echo "  e.g. .build/release/dvcctl call 127.0.0.1:$base /dvc.gateway.v1.DossierService/ListDossiers '{}' \\"
  echo "         -H 'authorization: $demo_key' -H 'x-dvc-on-behalf-of: officer:$demo_officer:receiver'"
fi
echo "Data: $data   Logs: $logs"
echo "Press Ctrl-C to stop."

# Wait until a service dies or Ctrl-C arrives.
wait -n "${pids[@]}" || true
echo "up: a service exited unexpectedly; see $logs" >&2
stop 1
