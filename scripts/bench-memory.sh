#!/usr/bin/env bash
# Resident memory of every service: idle, under load, after the load; then the gateway
# holding 5,000 idle connections on its binary RPC port and 5,000 on its HTTP port.
# The platform is the README's first command (scripts/up.sh, release build) on its own ports
# and data folder; the load is wrk on the gateway (procedure pages, 64 connections, and
# dossier submissions with two 100 KB attachments, 16 connections) for LOAD seconds.
#
#   scripts/bench-memory.sh          LOAD=15 IDLE_CONNECTIONS=5000 DVC_PORT_BASE=7700
#
# Prints one JSON line per measurement: {"service", "phase", "rss_mib"} (and the connections'
# counts), then a summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LOAD=${LOAD:-15}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-5000}
base=${DVC_PORT_BASE:-7700}
data=$(mktemp -d)
log() { echo "bench-memory: $*" >&2; }
command -v wrk >/dev/null || { sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"; $sudo apt-get install -y -qq wrk >&2; }
ulimit -n $((IDLE_CONNECTIONS * 2 + 1000))

# A benchmark is one address and one key: the gateway's per-client limits out of reach.
printf 'rate_per_address=1000000000\nrate_per_person=1000000000\nrate_per_key=1000000000\nrate_per_upload=1000000000\nlarge_bodies_per_caller=1000000\nsign_in_per_address_per_minute=1000000000\n' > "$data/gateway.conf"
DVC_SEED=hanoi-2020 DVC_PORT_BASE=$base DVC_DATA_ROOT=$data scripts/up.sh > "$data/up.out" 2> "$data/up.err" &
up=$!
cleanup() { kill -TERM "$up" 2>/dev/null || true; wait "$up" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 3600); do
  grep -q "Press Ctrl-C to stop" "$data/up.out" 2>/dev/null && break
  kill -0 "$up" 2>/dev/null || { log "up.sh failed:"; tail -20 "$data/up.err" >&2; exit 1; }
  sleep 0.5
done
bin=$(swift build -c release --show-bin-path)
http=127.0.0.1:$((base + 80))
declare -A ports=([gateway]=$base [catalog-svc]=$((base + 1)) [dossier-svc]=$((base + 2)) [payment-svc]=$((base + 3)) [notify-svc]=$((base + 4)))
pid_of() { pgrep -f "^$bin/$1 --listen 127.0.0.1:${ports[$1]} " | head -1; }
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$(pid_of "$1")/status"; }
report() { # phase
  for service in catalog-svc dossier-svc payment-svc notify-svc gateway; do
    echo "{\"service\":\"$service\",\"phase\":\"$1\",\"rss_mib\":$(rss_mib "$service")}"
  done
}

sleep 3
report idle

# Under load: sample every half second, keep each service's peak.
key=$("$bin/gateway" api-key create --data-dir "$data/gateway" --agency 000.01.20.H26 --scopes citizens --label bench-memory 2>/dev/null)
export WRK_REPORT="$PWD/Benchmarks/http/report.lua"
# The dossier each submission sends (Benchmarks/http/submission.lua): a level-4 procedure
# without form fields, two attachments whose bytes differ in every request.
export WRK_SUBMISSION="$PWD/Benchmarks/http/submission.lua" WRK_AGENCY=000.01.20.H26 WRK_PROCEDURE=1.004873
WRK_IMPL=gateway WRK_PATH=page WRK_CONNECTIONS=64 wrk -t1 -c64 -d"${LOAD}s" -s Benchmarks/http/get.lua \
  "http://$http/thu-tuc/1.001193" > "$data/wrk-page.out" &
pages=$!
WRK_IMPL=gateway WRK_PATH=submit WRK_CONNECTIONS=16 WRK_API_KEY=$key WRK_ATTACHMENT_BYTES=100000 \
  wrk -t1 -c16 -d"${LOAD}s" -s Benchmarks/http/submit.lua \
  "http://$http/api/v1/dvc.gateway.v1.DossierService/SubmitDossier" > "$data/wrk-submit.out" &
submits=$!
declare -A peak
while kill -0 "$pages" 2>/dev/null || kill -0 "$submits" 2>/dev/null; do
  for service in "${!ports[@]}"; do
    now=$(rss_mib "$service")
    [[ -z "${peak[$service]:-}" ]] || awk "BEGIN { exit !($now <= ${peak[$service]}) }" || peak[$service]=$now
    [[ -n "${peak[$service]:-}" ]] || peak[$service]=$now
  done
  sleep 0.5
done
for service in catalog-svc dossier-svc payment-svc notify-svc gateway; do
  echo "{\"service\":\"$service\",\"phase\":\"peak under load\",\"rss_mib\":${peak[$service]}}"
done
grep -h '^{' "$data/wrk-page.out" "$data/wrk-submit.out" >&2 || true
sleep 3
report "after load"

# The gateway holding idle connections: first on its RPC port, then on its HTTP port.
for kind in rpc http; do
  port=$base; [[ $kind == http ]] && port=$((base + 80))
  before=$(rss_mib gateway)
  coproc HOLD { python3 Benchmarks/memory/idle_connections.py --port "$port" --count "$IDLE_CONNECTIONS" --kind "$kind" --hold 300; }
  read -r connected <&"${HOLD[0]}"
  sleep 2
  held=$(rss_mib gateway)
  echo "{\"service\":\"gateway\",\"phase\":\"$IDLE_CONNECTIONS idle $kind connections\",\"rss_mib\":$held,\"before_mib\":$before,\"clients\":$connected}"
  eval "exec ${HOLD[1]}>&-"
  read -r ended <&"${HOLD[0]}" || true
  wait "$HOLD_PID" 2>/dev/null || true
  log "$ended"
  sleep 2
done
