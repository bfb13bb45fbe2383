#!/usr/bin/env bash
# The test command: installs what is missing, builds and runs every test (XCTest).
# Tests that need ../shared skip cleanly when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift test --skip-build --parallel --num-workers 2 2>&1 | grep -vE "^\[|Test Case '.*' (started|passed)" 
