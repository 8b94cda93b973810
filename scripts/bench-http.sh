#!/usr/bin/env bash
# The gateway over HTTP with wrk, side by side with the http-hello anchor (a bare Hummingbird
# hello-world: the HTTP ceiling of this machine) in one run. Release builds of catalog-svc,
# dossier-svc and the gateway run as separate processes on loopback with the seed catalog;
# the gateway's per-client limits are set out of reach (a benchmark is one address, one key).
#
# The anchor is a separate Swift package, not part of this repository (docs/performance.md,
# "The anchors"). It is looked for at $ANCHOR, by default a folder beside the checkout (below);
# without it only the gateway's figures are measured.
#
#   scripts/bench-http.sh                     DURATION=10 CONNECTIONS=64 THREADS=2 WARMUP=2
#   ANCHOR=/path/to/http-hello                the anchor's package
#   SCRATCH=/tmp/http-hello-scratch           where the anchor is built (first build ~3 min)
#
# Prints one JSON line per run (the anchor's format), then the ratios. Runs:
#   hello /                      the anchor
#   GET /thu-tuc/1.001193        a procedure's page (HTML, a catalog read behind it)
#   GET /thu-tuc?q=khai+sinh     a search page
#   POST GetProcedure (JSON)     a catalog read through the JSON API
#   POST SubmitDossier (JSON)    submissions with two 100 KB attachments, durable, as an agency
#                                system acting for a citizen (SUBMIT_CONNECTIONS, default 16)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
SUBMIT_CONNECTIONS=${SUBMIT_CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2}
SCRATCH=${SCRATCH:-/tmp/http-hello-scratch}
ANCHOR=${ANCHOR:-../shared/anchors/http-hello}

log() { echo "bench-http: $*" >&2; }
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y -qq wrk >&2
fi

for product in catalog-svc dossier-svc gateway; do swift build -c release --product "$product" >&2; done
bin=$(swift build -c release --show-bin-path)
if [[ -d "$ANCHOR" ]]; then
  swift build -c release --package-path "$ANCHOR" --scratch-path "$SCRATCH" >&2
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a program with its output in $work/NAME.out and waits for the line starting with
# PREFIX; sets `address` to what follows it. (Not in a $(...) subshell: `pids` must keep
# every process for the clean-up.)
start() {
  local name=$1 prefix=$2; shift 2
  "$@" > "$work/$name.out" 2> "$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 200); do
    local line
    line=$(grep -m1 "^$prefix" "$work/$name.out" 2>/dev/null || true)
    if [[ -n "$line" ]]; then address=${line#"$prefix"}; return; fi
    sleep 0.05
  done
  log "$name did not start:"; cat "$work/$name.err" >&2; exit 1
}

printf 'rate_per_address=1000000000\nrate_per_person=1000000000\nrate_per_key=1000000000\n' > "$work/gateway.conf"
start catalog "listening on " "$bin/catalog-svc" --listen 127.0.0.1:0 --data-dir "$work/catalog" --log-level warning
catalog=$address
start dossier "listening on " "$bin/dossier-svc" --listen 127.0.0.1:0 --data-dir "$work/dossier" \
  --catalog "$catalog" --log-level warning
dossier=$address
start gateway "listening on " "$bin/gateway" --listen 127.0.0.1:0 --http 127.0.0.1:0 --data-dir "$work/gateway" \
  --catalog "$catalog" --dossier "$dossier" --config "$work/gateway.conf" --log-level warning
http=""
for _ in $(seq 1 100); do
  http=$(grep -m1 "^http listening on " "$work/gateway.out" | sed 's/^http listening on //' || true)
  [[ -n "$http" ]] && break; sleep 0.05
done
key=$("$bin/gateway" api-key create --data-dir "$work/gateway" --agency 000.01.20.H26 --scopes citizens --label bench-http 2>/dev/null)

out="$work/results"
export WRK_REPORT="$PWD/Benchmarks/http/report.lua"
# run IMPL LABEL URL SCRIPT CONNECTIONS
run() {
  local impl=$1 label=$2 url=$3 script=$4 connections=$5
  timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$connections" -d"${WARMUP}s" -s "$script" "$url" >/dev/null
  log "$impl $label (loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
  WRK_IMPL=$impl WRK_PATH=$label WRK_CONNECTIONS=$connections \
    timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --latency -s "$script" "$url" \
    | grep '^{' | tee -a "$out"
}

if [[ -d "$ANCHOR" ]]; then
  start hello "listening on " "$SCRATCH/release/http-hello" --port 0
  run hummingbird-hello / "http://$address/" Benchmarks/http/get.lua "$CONNECTIONS"
  kill "${pids[-1]}"
else
  log "no anchor at $ANCHOR: the gateway's figures only"
fi
run gateway "GET /thu-tuc/1.001193" "http://$http/thu-tuc/1.001193" Benchmarks/http/get.lua "$CONNECTIONS"
run gateway "GET /thu-tuc?q=khai+sinh" "http://$http/thu-tuc?q=khai+sinh" Benchmarks/http/get.lua "$CONNECTIONS"
run gateway "POST GetProcedure (JSON)" "http://$http/api/v1/dvc.gateway.v1.PublicService/GetProcedure" \
  Benchmarks/http/json-call.lua "$CONNECTIONS"
WRK_API_KEY=$key WRK_ATTACHMENT_BYTES=100000 run gateway "POST SubmitDossier (JSON, 2x100 KB)" \
  "http://$http/api/v1/dvc.gateway.v1.DossierService/SubmitDossier" Benchmarks/http/submit.lua "$SUBMIT_CONNECTIONS"

python3 - "$out" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
bad = [r for r in runs if r["errors"] or r["non_2xx"]]
hello = next((r for r in runs if r["impl"] == "hummingbird-hello"), None)
for r in runs:
    if r["impl"] == "gateway":
        share = f" = {100 * r['rps'] / hello['rps']:.0f}% of hello-world" if hello else ""
        print(f"{r['path']}: {r['rps']:.0f}/s, p99 {r['p99_us'] / 1000:.1f} ms{share}")
for r in bad:
    print(f"{r['path']}: {r['errors']} socket errors, {r['non_2xx']} non-2xx answers")
sys.exit(1 if bad else 0)
PY
