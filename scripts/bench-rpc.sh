#!/usr/bin/env bash
# The RPC benchmark side by side with its anchors, in one run: rpc-bench (the platform's RPC,
# one connection), then the grpc-echo anchor's grpc-swift 2 and raw SwiftNIO ping-pong, all at
# 1 and 64 calls in flight, 256-byte payloads. JSON lines on stdout, then the ratios.
#
# The anchor is a separate Swift package, not part of this repository (what it is and how to
# rebuild an equivalent: docs/performance.md, "The anchors"). It is run when $ANCHOR names
# its folder; without it only rpc-bench runs.
#
#   scripts/bench-rpc.sh                      DURATION=10 by default
#   ANCHOR=/path/to/grpc-echo                 the anchor's package (its run-baseline.sh is run)
#   SCRATCH=/tmp/grpc-echo-scratch            where the anchor is built (first build ~11 min)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-10}
SCRATCH=${SCRATCH:-/tmp/grpc-echo-scratch}
ANCHOR=${ANCHOR:-}

swift build -c release --product rpc-interop-server >&2
swift build -c release --product rpc-bench >&2
bin=$(swift build -c release --show-bin-path)

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin/rpc-bench" --duration "$DURATION" | tee -a "$out"
if [[ -n "$ANCHOR" && -d "$ANCHOR" ]]; then
  SCRATCH="$SCRATCH" DURATION="$DURATION" "$ANCHOR/run-baseline.sh" | tee -a "$out"
else
  echo "bench-rpc: no anchor (ANCHOR=${ANCHOR:-unset}); only rpc-bench ran" >&2
fi

python3 - "$out" <<'PY'
import json, sys
runs = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        runs[(r["impl"], r["concurrency"])] = r
ours, grpc, raw = "dvc-rpc", "grpc-swift-2", "nio-raw-tcp"
def get(impl, c): return runs.get((impl, c))
if get(ours, 64) and get(grpc, 64):
    print(f"C=64: dvc-rpc {get(ours,64)['rps']:.0f}/s = {get(ours,64)['rps']/get(grpc,64)['rps']:.1f}x grpc-swift-2 (target >= 10x)")
if get(ours, 64) and get(raw, 64):
    print(f"C=64: dvc-rpc = {100*get(ours,64)['rps']/get(raw,64)['rps']:.0f}% of raw ping-pong (target >= 60%)")
if get(ours, 1) and get(raw, 1):
    print(f"C=1: dvc-rpc p50 {get(ours,1)['p50_us']} us = {get(ours,1)['p50_us']/get(raw,1)['p50_us']:.2f}x raw ping-pong's {get(raw,1)['p50_us']} us (target <= 2.5x)")
PY
