#!/usr/bin/env bash
# The gateway over HTTP with wrk, each answer beside its ceiling, in one run. Release builds of
# catalog-svc, dossier-svc and the gateway run as separate processes on loopback with the seed
# catalog; the gateway's per-client limits are set out of reach (a benchmark is one address,
# one key, one citizen).
#
# Reads are compared with http-ceiling (Benchmarks/http-ceiling): a bare Hummingbird route that
# answers with the very bytes the gateway answered (the page's HTML, the JSON), from memory —
# the fastest this machine's HTTP stack sends that many bytes. Submissions are compared with
# the binary RPC's rate through the same gateway (dossier-bench --gateway), the same dossier
# each way: two PDF attachments of 100 KB, different in every request, committed durably.
#
#   scripts/bench-http.sh          DURATION=10 CONNECTIONS=64 SUBMIT_CONNECTIONS=32 THREADS=2 WARMUP=2
#   ONLY=reads | ONLY=submissions  one half only
#   ANCHOR=/path/to/http-hello     also the 13-byte hello-world of a separate Hummingbird package
#                                  (docs/performance.md, "The anchors"); not needed for the ratios
#
# Prints one JSON line per run, then the ratios with their targets (docs/performance.md):
#   GET /thu-tuc/1.001193                a procedure's page (HTML, a catalog read behind it)  ≥ 60% of its ceiling
#   GET /thu-tuc?q=khai+sinh             a search page                                       (reported)
#   POST GetProcedure (JSON)             a catalog read through the JSON API                  ≥ 60% of its ceiling
#   POST /nop-ho-so (portal form)        a signed-in citizen's browser posting the form       ≥ 70% of the RPC's rate
#   POST SubmitDossier (JSON, multipart) an agency system, files as multipart parts           ≥ 70% of the RPC's rate
#   POST SubmitDossier (JSON, base64)    an agency system, files in base64 inside the JSON    (reported)
#   RPC SubmitDossier                    an agency system over the binary RPC (the baseline)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
SUBMIT_CONNECTIONS=${SUBMIT_CONNECTIONS:-32}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2}
SCRATCH=${SCRATCH:-/tmp/http-hello-scratch}
ANCHOR=${ANCHOR:-}
ONLY=${ONLY:-}
# The dossier every submission sends: a level-4 procedure whose forms declare no fields.
AGENCY=000.01.20.H26
PROCEDURE=1.004873

log() { echo "bench-http: $*" >&2; }
command -v wrk >/dev/null || scripts/install-deps.sh

for product in catalog-svc dossier-svc gateway dossier-bench http-ceiling; do
  swift build -c release --product "$product" >&2
done
bin=$(swift build -c release --show-bin-path)
if [[ -n "$ANCHOR" ]]; then
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

printf 'rate_per_address=1000000000\nrate_per_person=1000000000\nrate_per_key=1000000000\nrate_per_upload=1000000000\nlarge_bodies_per_caller=1000000\nsign_in_per_address_per_minute=1000000000\n' > "$work/gateway.conf"
# The hanoi-2020 seed, whose agencies and procedures the measured requests name.
DVC_SEED=hanoi-2020 start catalog "listening on " "$bin/catalog-svc" --listen 127.0.0.1:0 --data-dir "$work/catalog" --log-level warning
catalog=$address
start dossier "listening on " "$bin/dossier-svc" --listen 127.0.0.1:0 --data-dir "$work/dossier" \
  --catalog "$catalog" --log-level warning
dossier=$address
start gateway "listening on " "$bin/gateway" --listen 127.0.0.1:0 --http 127.0.0.1:0 --data-dir "$work/gateway" \
  --catalog "$catalog" --dossier "$dossier" --config "$work/gateway.conf" --log-level warning
rpc=$address
http=""
for _ in $(seq 1 100); do
  http=$(grep -m1 "^http listening on " "$work/gateway.out" | sed 's/^http listening on //' || true)
  [[ -n "$http" ]] && break; sleep 0.05
done
key=$("$bin/gateway" api-key create --data-dir "$work/gateway" --agency "$AGENCY" --scopes citizens --label bench-http 2>/dev/null)

# A citizen signed in with a browser session, for the portal's form: the cookie and the CSRF
# token the form carries.
api="http://$http/api/v1"
curl -sf -o /dev/null -H 'Content-Type: application/json' "$api/citizens" \
  -d '{"id":"001099012345","password":"Hoa sen 2026!","full_name":"Nguyễn Văn An"}'
signin=$(curl -sf -D "$work/signin.headers" -H 'Content-Type: application/json' "$api/sessions" \
  -d '{"id":"001099012345","password":"Hoa sen 2026!","kind":"browser"}')
cookie=$(grep -i '^set-cookie:' "$work/signin.headers" | sed 's/^[Ss]et-[Cc]ookie: *//; s/;.*//')
csrf=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["csrf_token"])' "$signin")

out="$work/results"
export WRK_REPORT="$PWD/Benchmarks/http/report.lua"
export WRK_SUBMISSION="$PWD/Benchmarks/http/submission.lua"
export WRK_AGENCY=$AGENCY WRK_PROCEDURE=$PROCEDURE WRK_ATTACHMENT_BYTES=100000
# run IMPL LABEL URL SCRIPT CONNECTIONS
run() {
  local impl=$1 label=$2 url=$3 script=$4 connections=$5
  timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$connections" -d"${WARMUP}s" -s "$script" "$url" >/dev/null
  log "$impl $label (loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
  WRK_IMPL=$impl WRK_PATH=$label WRK_CONNECTIONS=$connections \
    timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --latency -s "$script" "$url" \
    | grep '^{' | tee -a "$out"
}

# ceiling NAME FILE CONTENT-TYPE: starts http-ceiling answering with FILE's bytes; sets `address`.
ceiling() {
  start "ceiling-$1" "listening on " "$bin/http-ceiling" --file "$2" --content-type "$3"
}

if [[ -n "$ANCHOR" ]]; then
  start hello "listening on " "$SCRATCH/release/http-hello" --port 0
  run hummingbird-hello / "http://$address/" Benchmarks/http/get.lua "$CONNECTIONS"
  kill "${pids[-1]}"
fi

if [[ "$ONLY" != submissions ]]; then
# A procedure's page and its ceiling (the same HTML bytes).
curl -sf -o "$work/page.html" "http://$http/thu-tuc/1.001193"
run gateway "GET /thu-tuc/1.001193" "http://$http/thu-tuc/1.001193" Benchmarks/http/get.lua "$CONNECTIONS"
ceiling page "$work/page.html" "text/html; charset=utf-8"
run ceiling "GET /thu-tuc/1.001193" "http://$address/thu-tuc/1.001193" Benchmarks/http/get.lua "$CONNECTIONS"
kill "${pids[-1]}"

run gateway "GET /thu-tuc?q=khai+sinh" "http://$http/thu-tuc?q=khai+sinh" Benchmarks/http/get.lua "$CONNECTIONS"

# The JSON API's GetProcedure and its ceiling (the same JSON bytes, the request's body read).
curl -sf -o "$work/procedure.json" -H 'Content-Type: application/json' \
  -d '{"agencyCode":"000.01.20.H26","procedureCode":"1.001193"}' "$api/dvc.gateway.v1.PublicService/GetProcedure"
run gateway "POST GetProcedure (JSON)" "$api/dvc.gateway.v1.PublicService/GetProcedure" \
  Benchmarks/http/json-call.lua "$CONNECTIONS"
ceiling json "$work/procedure.json" "application/json; charset=utf-8"
run ceiling "POST GetProcedure (JSON)" "http://$address/api/v1/dvc.gateway.v1.PublicService/GetProcedure" \
  Benchmarks/http/json-call.lua "$CONNECTIONS"
kill "${pids[-1]}"
fi

if [[ "$ONLY" != reads ]]; then
# Submissions, the same dossier every way, SUBMIT_CONNECTIONS at a time.
WRK_COOKIE=$cookie WRK_CSRF=$csrf WRK_ORIGIN="http://$http" \
  run gateway "POST /nop-ho-so (portal form)" "http://$http/nop-ho-so/$PROCEDURE?co_quan=$AGENCY" \
  Benchmarks/http/portal-submit.lua "$SUBMIT_CONNECTIONS"
WRK_API_KEY=$key run gateway "POST SubmitDossier (JSON, multipart)" "$api/dvc.gateway.v1.DossierService/SubmitDossier" \
  Benchmarks/http/submit-multipart.lua "$SUBMIT_CONNECTIONS"
WRK_API_KEY=$key run gateway "POST SubmitDossier (JSON, base64)" "$api/dvc.gateway.v1.DossierService/SubmitDossier" \
  Benchmarks/http/submit.lua "$SUBMIT_CONNECTIONS"
log "rpc SubmitDossier (loadavg $(cut -d' ' -f1-3 /proc/loadavg))"
"$bin/dossier-bench" --gateway "$rpc" --api-key "$key" --agency "$AGENCY" --procedure "$PROCEDURE" \
  --concurrency "$SUBMIT_CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" | grep '^{' | tee -a "$out"
fi

python3 - "$out" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
http = [r for r in runs if "path" in r]
bad = [r for r in http if r["errors"] or r["non_2xx"]]
def find(impl, path):
    return next((r for r in http if r["impl"] == impl and r["path"] == path), None)
rpc = next((r for r in runs if r.get("impl") == "dossier.SubmitDossier"), None)
rpc_rate = rpc and (rpc.get("calls_per_sec") or rpc.get("rps"))
hello = find("hummingbird-hello", "/")
failed = []
for r in http:
    if r["impl"] != "gateway":
        continue
    line = f"{r['path']}: {r['rps']:.0f}/s, p99 {r['p99_us'] / 1000:.1f} ms"
    ceiling = find("ceiling", r["path"])
    if ceiling:
        share = 100 * r["rps"] / ceiling["rps"]
        line += f" = {share:.0f}% of its ceiling ({ceiling['rps']:.0f}/s, the same bytes from memory; target ≥ 60%)"
        if share < 60: failed.append(r["path"])
    elif "SubmitDossier" in r["path"] or "nop-ho-so" in r["path"]:
        if rpc_rate:
            share = 100 * r["rps"] / rpc_rate
            line += f" = {share:.0f}% of the binary RPC's {rpc_rate:.0f}/s"
            if "base64" not in r["path"]:
                line += " (target ≥ 70%)"
                if share < 70: failed.append(r["path"])
    if hello:
        line += f"; {100 * r['rps'] / hello['rps']:.0f}% of the 13-byte hello-world"
    print(line)
if rpc_rate:
    print(f"RPC SubmitDossier through the gateway: {rpc_rate:.0f}/s")
for r in bad:
    print(f"{r['path']}: {r['errors']} socket errors, {r['non_2xx']} non-2xx answers")
for path in failed:
    print(f"below target: {path}")
sys.exit(1 if bad else 0)
PY
