#!/usr/bin/env bash
# The platform's test command (README, .ci/run): installs missing system packages, checks
# that the generated protobuf code matches proto/, builds everything, runs every test
# target, then runs the protobuf-c layer under valgrind, then fuzzes the frame decoder and the
# protobuf-c layer for a bounded time (scripts/fuzz.sh; about a minute on 2 cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

echo "== generated code"
proto/generate.sh --check
# The seeds' form templates, and the hanoi-2025 seed generated from the hanoi-2020 procedures.
python3 Services/catalog-svc/Seed/make-forms.py --check
python3 Services/catalog-svc/Seed/make-hanoi-2025.py --check

echo "== build"
# The integration tests start the real executables, so everything is built first.
swift build --build-tests

echo "== tests"
# Serially: the suites measure deadlines and start processes, and on 2 cores running them
# side by side made timing checks flaky; serially the whole run takes about 20 s.
swift test --skip-build --no-parallel

echo "== memory check"
scripts/memcheck.sh

echo "== fuzzing"
# 20 s per target, both at once; longer by hand: scripts/fuzz.sh 3600 (docs/fuzzing.md).
scripts/fuzz.sh 20
