#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, through swiftc -sanitize=fuzzer,address) of the code that
# reads bytes from the network. Two targets, sources in Fuzz/:
#
#   frame-decoder  the real FrameDecoder (Shared/RPCNIO) fed a byte stream in arbitrary chunks,
#                  then what server and client do with a decoded frame's header and metadata
#   proto-decode   DVCProto's decode path (WireValidator, protobuf-c unpack, conversion to
#                  Swift values) for every message type, with an encode/decode round trip
#
#   scripts/fuzz.sh [SECONDS]      build both, run each SECONDS (default 20, both at once on
#                                  2 cores); what CI runs after the memory check
#   scripts/fuzz.sh 3600           the longer run by hand
#   scripts/fuzz.sh --merge [S]    also add the inputs that reached new coverage to the
#                                  committed corpus (Fuzz/corpus/<target>/), minimised
#   scripts/fuzz.sh --seeds        rewrite the seed corpus with the real encoders, then stop
#   scripts/fuzz.sh --only TARGET  one target
#
# Every run starts from Fuzz/corpus/<target>/ and Fuzz/regressions/<target>/ plus what earlier
# local runs found (.build-fuzz/corpus/<target>/). Any crash, assertion, leak, timeout (10 s per
# input) or allocation over the limit fails the run: the input is saved under
# test-artifacts/fuzz/<target>/, and belongs in Fuzz/regressions/<target>/ once fixed (the
# tests FrameFuzzRegressionTests and ProtoFuzzRegressionTests replay that folder). Replay one
# input: SWIFT_BACKTRACE=enable=no .build-fuzz/<target> FILE
#
# The frame-decoder target links NIOCore and RPCCore from the debug build (swift build builds
# them first if needed); its own sources and DVCProto for proto-decode are compiled here with
# coverage instrumentation. Prints one line per target starting with "fuzz: PASS" or
# "fuzz: FAIL" and exits 0 or 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=20
merge=0
seeds=0
targets=(frame-decoder proto-decode)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --merge) merge=1; shift ;;
    --seeds) seeds=1; shift ;;
    --only) targets=("$2"); shift 2 ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) seconds="$1"; shift ;;
  esac
done

out=.build-fuzz
artifacts=test-artifacts/fuzz
mkdir -p "$out"
fail() { echo "fuzz: FAIL ($*)"; exit 1; }

# swiftc and clang of the Swift toolchain: they carry libFuzzer's runtime.
swiftc_bin=$(command -v swiftc) || fail "swiftc not found"
clang_bin="$(dirname "$(readlink -f "$swiftc_bin")")/clang"
[[ -x "$clang_bin" ]] || clang_bin=$(command -v clang) || fail "clang not found"

sanitize=(-sanitize=fuzzer,address)
# lld: gold prints a warning per sanitizer symbol it cannot export.
link=(-use-ld=lld)

# Rebuilds only when an input changed: the stamp is a hash of the sources and this script.
up_to_date() {
  local stamp="$out/$1.stamp" hash
  shift
  hash=$(cat "$0" "$@" | sha256sum | cut -d' ' -f1)
  [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]] && return 0
  echo "$hash" > "$stamp.new"
  return 1
}
stamp_done() { mv "$out/$1.stamp.new" "$out/$1.stamp"; }

build_proto_decode() {
  local dir="$out/proto-decode.build"
  local dvcproto=(Shared/DVCProto/*/*.swift)
  local cfiles=(proto/CProtos/dvc/*/v1/*.c)
  local harness=(Fuzz/ProtoDecode/*.swift Fuzz/Seeds/*.swift)
  if up_to_date proto-decode "${dvcproto[@]}" "${cfiles[@]}" "${harness[@]}" && [[ -x "$out/proto-decode" ]]; then
    return 0
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  local c
  for c in "${cfiles[@]}"; do
    # Named by the whole path: two packages have files of the same name (dossier/v1/drafts.pb-c.c
    # and gateway/v1/drafts.pb-c.c), whose objects would overwrite each other.
    local object="${c%.c}"
    "$clang_bin" -c -O1 -g -fsanitize=address -I proto/CProtos/include "$c" -o "$dir/${object//\//_}.o"
  done
  # DVCProto as its own module, instrumented, so the harness imports it as the services do.
  swiftc -c -wmo -parse-as-library -module-name DVCProto "${sanitize[@]}" -Onone -gline-tables-only \
    -I proto/CProtos/include -I Shared/CProtobufC \
    -emit-module-path "$dir/DVCProto.swiftmodule" -o "$dir/DVCProto.o" "${dvcproto[@]}"
  swiftc -parse-as-library -module-name ProtoDecodeFuzz "${sanitize[@]}" "${link[@]}" -Onone -g \
    -I "$dir" -I proto/CProtos/include -I Shared/CProtobufC \
    "${harness[@]}" "$dir"/*.o -lprotobuf-c -o "$out/proto-decode"
  stamp_done proto-decode
}

build_frame_decoder() {
  local dir="$out/frame-decoder.build"
  # The decoder's own files; the rest of RPCNIO (server, client, TLS) is not needed to parse.
  local decoder=(Shared/RPCNIO/Frame.swift Shared/RPCNIO/FrameDecoder.swift
                 Shared/RPCNIO/ProtocolViolation.swift Shared/RPCNIO/FrameEncoder.swift)
  local harness=(Fuzz/FrameDecoder/*.swift Fuzz/Seeds/*.swift)
  swift build --target RPCCore >&2
  swift build --target NIOCore >&2
  local bin
  bin=$(swift build --show-bin-path)
  # NIOCore and RPCCore with everything they depend on, as compiled by swift build.
  local modules=(NIOCore NIOConcurrencyHelpers _NIOBase64 _NIODataStructures CNIOAtomics CNIOLinux
                 CNIODarwin CNIOWindows CNIOWASI CNIOOpenBSD CNIOFreeBSD DequeModule ContainersPreview
                 InternalCollectionsUtilities Atomics _AtomicsShims RPCCore DVCProto CProtos Logging)
  local objects=() m
  for m in "${modules[@]}"; do
    [[ -d "$bin/$m.build" ]] || continue
    while IFS= read -r -d '' o; do objects+=("$o"); done < <(find "$bin/$m.build" -name '*.o' -print0)
  done
  if up_to_date frame-decoder "${decoder[@]}" "${harness[@]}" "${objects[@]}" && [[ -x "$out/frame-decoder" ]]; then
    return 0
  fi
  # The C modules NIOCore's interface refers to, found through their module maps.
  local maps=() map
  while IFS= read -r -d '' map; do maps+=(-Xcc "-fmodule-map-file=$map"); done \
    < <(find "$bin" -maxdepth 2 -path '*.build/module.modulemap' -print0)
  local includes=() inc
  while IFS= read -r -d '' inc; do includes+=(-Xcc -I -Xcc "$inc"); done \
    < <(find .build/checkouts/swift-nio/Sources .build/checkouts/swift-atomics/Sources -maxdepth 2 -name include -type d -print0)
  mkdir -p "$dir"
  swiftc -parse-as-library -module-name FrameDecoderFuzz "${sanitize[@]}" "${link[@]}" -Onone -g \
    -I "$bin/Modules" -I proto/CProtos/include -I Shared/CProtobufC "${maps[@]}" "${includes[@]}" \
    -module-cache-path "$dir/ModuleCache" \
    "${decoder[@]}" "${harness[@]}" "${objects[@]}" -lprotobuf-c -o "$out/frame-decoder"
  stamp_done frame-decoder
}

max_len() { [[ "$1" == frame-decoder ]] && echo 8192 || echo 4096; }

# The largest single allocation an input may cause, in MB. The frame decoder gets 1: its
# inputs are at most 8 KiB, so any allocation near a frame's announced length (up to 16 MiB)
# would be the decoder reserving memory for bytes that never came.
malloc_limit() { [[ "$1" == frame-decoder ]] && echo 1 || echo 64; }

run_target() {
  local target="$1" log="$out/$1.log"
  local work="$out/corpus/$target"
  mkdir -p "$work" "$artifacts/$target" "Fuzz/corpus/$target" "Fuzz/regressions/$target"
  local status=0
  "$out/$target" "$work" "Fuzz/corpus/$target" "Fuzz/regressions/$target" \
    -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb="$(malloc_limit "$target")" \
    -artifact_prefix="$artifacts/$target/" -print_final_stats=1 -print_pcs=0 \
    > "$log" 2>&1 || status=$?
  local runs cov
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 || true)
  if [[ $status -ne 0 ]]; then
    # libFuzzer's report: the error, the stack and the saved input's path.
    grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' "$log" | tail -n 80
    echo "fuzz: FAIL $target (exit $status after $runs runs; $cov; input saved in $artifacts/$target/)"
    return 1
  fi
  if [[ $merge -eq 1 ]]; then
    "$out/$target" -merge=1 -max_len="$(max_len "$target")" "Fuzz/corpus/$target" "$work" \
      > "$out/$target.merge.log" 2>&1 || { tail -n 20 "$out/$target.merge.log"; echo "fuzz: FAIL $target (merge)"; return 1; }
  fi
  echo "fuzz: PASS $target ($seconds s, $runs runs; $cov)"
}

# Swift's own crash backtracer reads the stack under AddressSanitizer, which reports that as
# an error and hangs; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no

build_started=$SECONDS
pids=()
for target in "${targets[@]}"; do
  case "$target" in
    frame-decoder) build_frame_decoder > "$out/build-frame-decoder.log" 2>&1 & pids+=($!) ;;
    proto-decode) build_proto_decode > "$out/build-proto-decode.log" 2>&1 & pids+=($!) ;;
    *) fail "unknown target $target (frame-decoder, proto-decode)" ;;
  esac
done
i=0
for target in "${targets[@]}"; do
  if ! wait "${pids[$i]}"; then
    tail -n 40 "$out/build-$target.log"
    fail "$target does not build"
  fi
  i=$((i + 1))
done
echo "fuzz: built ${targets[*]} in $((SECONDS - build_started)) s"

if [[ $seeds -eq 1 ]]; then
  for target in "${targets[@]}"; do
    rm -rf "Fuzz/corpus/$target" && mkdir -p "Fuzz/corpus/$target"
    DVC_FUZZ_WRITE_SEEDS="Fuzz/corpus/$target" "$out/$target"
    echo "fuzz: wrote $(ls "Fuzz/corpus/$target" | wc -l) seeds to Fuzz/corpus/$target"
  done
  exit 0
fi

pids=()
for target in "${targets[@]}"; do
  run_target "$target" > "$out/$target.result" 2>&1 & pids+=($!)
done
status=0
i=0
for target in "${targets[@]}"; do
  wait "${pids[$i]}" || status=1
  cat "$out/$target.result"
  i=$((i + 1))
done
exit $status
