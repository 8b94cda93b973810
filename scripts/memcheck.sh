#!/usr/bin/env bash
# Runs every encode and decode path of DVCProto, the Swift layer over protobuf-c, under
# valgrind's memcheck (Tools/codec-memcheck: every generated message type, populated and
# refused, plus AllKinds with 1 MiB bytes and the RPC headers), and fails on any definite or
# indirect leak, double free or invalid read or write.
#
#   scripts/memcheck.sh [-c release|debug] [rounds]   default: release build, 20 rounds
#   scripts/memcheck.sh --self-test                   shows that a planted leak makes it FAIL
#
# Needs valgrind (Debian: apt-get install valgrind). Prints one line starting with
# "memcheck: PASS" or "memcheck: FAIL" and exits 0 or 1 accordingly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

config=release
rounds=20
self_test=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -c) config="$2"; shift 2 ;;
    --self-test) self_test=1; rounds=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) rounds="$1"; shift ;;
  esac
done

fail() { echo "memcheck: FAIL ($*)"; exit 1; }

command -v valgrind >/dev/null || fail "valgrind is not installed: apt-get install valgrind"
command -v strip >/dev/null || fail "strip is not installed: apt-get install binutils"

swift build -c "$config" --product codec-memcheck >&2 || fail "codec-memcheck does not build"
bin="$(swift build -c "$config" --show-bin-path)/codec-memcheck"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Valgrind 3.19 (Debian 12) cannot read the DWARF 5 debug info Swift 6 emits and gives up
# ("unhandled dwarf2 abbrev form code 0x25 ... I can't recover"). A copy without debug info
# keeps its symbol table, so reports still name the functions involved.
cp "$bin" "$work/codec-memcheck"
strip --strip-debug "$work/codec-memcheck"

args=("$rounds")
[[ $self_test -eq 1 ]] && args+=(--plant-leak)

# No suppressions: the Swift runtime's metadata caches show up only as "possibly lost" and
# "still reachable", which --errors-for-leak-kinds=definite,indirect does not count.
status=0
valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=1 --log-file="$work/valgrind.log" \
  "$work/codec-memcheck" "${args[@]}" > "$work/output.txt" 2>&1 || status=$?

cat "$work/output.txt"
summary=$(grep -o 'ERROR SUMMARY: [0-9,]* errors from [0-9,]* contexts' "$work/valgrind.log" || true)
definite=$(grep -o 'definitely lost: [0-9,]* bytes in [0-9,]* blocks' "$work/valgrind.log" || echo "definitely lost: 0 bytes")
indirect=$(grep -o 'indirectly lost: [0-9,]* bytes in [0-9,]* blocks' "$work/valgrind.log" || echo "indirectly lost: 0 bytes")
details="$config build, $rounds rounds; $summary; $definite; $indirect"

# Every generated message type must be in the tool's list.
generated=$(grep -h '^extension .*: ProtoMessage, CBackedMessage' Shared/DVCProto/Generated/*.swift | wc -l)
listed=$(grep -o '[0-9]* message types' "$work/output.txt" | grep -o '^[0-9]*' || echo 0)

if [[ $self_test -eq 1 ]]; then
  if [[ $status -ne 0 ]] && grep -q 'definitely lost: [1-9]' "$work/valgrind.log"; then
    echo "memcheck: PASS (self-test: the planted leak was reported; $details)"
    exit 0
  fi
  fail "self-test: the planted leak went unnoticed; $details"
fi

if [[ $status -ne 0 || -z "$summary" ]]; then
  # Show valgrind's report: the errors and leak records with their stacks.
  grep -v '^==[0-9]*== *$' "$work/valgrind.log" | grep -v '^### unhandled dwarf' | tail -n 200
  fail "$details"
fi
if [[ "$listed" -ne "$generated" ]]; then
  fail "Tools/codec-memcheck lists $listed message types, the generated code has $generated: add the new ones"
fi
echo "memcheck: PASS ($listed message types; $details)"
