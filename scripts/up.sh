#!/usr/bin/env bash
# Brings the whole platform up on this machine, on loopback, and keeps it running until
# Ctrl-C: installs missing system packages, builds (release), starts catalog-svc,
# notify-svc, payment-svc, dossier-svc and the gateway, each with its SQLite file under
# ./data/<service>, wired to one another, and prints their addresses.
#
# Environment: DVC_PORT_BASE (default 7000: gateway 7000, catalog 7001, dossier 7002,
# payment 7003, notify 7004), DVC_DATA_ROOT (default ./data), DVC_LOG_FORMAT (default text).
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

pids=()
stop() {
  local code=${1:-0}
  trap - INT TERM EXIT
  echo "up: stopping (SIGTERM; each service drains its calls in flight)" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "up: stopped" >&2
  exit "$code"
}
trap 'stop 0' INT TERM
trap 'stop 1' EXIT

# start NAME PORT [FLAGS...]: starts one service, waits for its "listening on" line.
start() {
  local name=$1 port=$2
  shift 2
  "$bin/$name" --listen "127.0.0.1:$port" --data-dir "$data/$name" "$@" \
    >"$logs/$name.out" 2>"$logs/$name.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    if grep -q '^listening on ' "$logs/$name.out" 2>/dev/null; then
      printf '  %-12s %s\n' "$name" "$(sed -n 's/^listening on //p' "$logs/$name.out")"
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

echo "Dịch vụ công trực tuyến: services on loopback (binary RPC, wire protocol v1)"
start catalog-svc $((base + 1))
start notify-svc $((base + 4))
start payment-svc $((base + 3)) --catalog "$catalog"
start dossier-svc $((base + 2)) --catalog "$catalog" --payment "$payment" --notify "$notify"
start gateway "$base" --catalog "$catalog" --dossier "$dossier" --payment "$payment" --notify "$notify"
echo
echo "Gateway (agency systems, binary RPC): 127.0.0.1:$base"
# A demo agency system on first start: a key of Sở Tư pháp that may act for citizens and its
# officers (docs/gateway.md). Shown once; `gateway api-key list` shows the keys afterwards.
if [ -z "$("$bin/gateway" api-key list --data-dir "$data/gateway" 2>/dev/null)" ]; then
  demo_key=$("$bin/gateway" api-key create --data-dir "$data/gateway" --agency 000.00.07.H26 \
    --scopes citizens,officers --label "demo: Sở Tư pháp" 2>/dev/null)
  echo "Demo agency-system key (Sở Tư pháp, shown once): $demo_key"
  echo "  e.g. .build/release/dvcctl call 127.0.0.1:$base /dvc.gateway.v1.DossierService/ListDossiers '{}' \\"
  echo "         -H 'authorization: $demo_key' -H 'x-dvc-on-behalf-of: officer:demo:receiver'"
fi
echo "Data: $data   Logs: $logs"
echo "Press Ctrl-C to stop."

# Wait until a service dies or Ctrl-C arrives.
wait -n "${pids[@]}" || true
echo "up: a service exited unexpectedly; see $logs" >&2
stop 1
