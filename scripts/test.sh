#!/usr/bin/env bash
# The test command: installs what is missing, builds and runs every test (XCTest).
# Tests that need ../shared skip cleanly when it is absent. Ends with a line "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
log=$(mktemp)
set +e
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log" | grep -vE "^Test Case '.*' (started|passed)"
status=${PIPESTATUS[0]}
set -e
line=$(grep -E "^\s*Executed [0-9]+ tests?" "$log" | tail -1)
total=$(echo "$line" | grep -oE 'Executed [0-9]+' | grep -oE '[0-9]+' || echo 0)
failed=$(echo "$line" | grep -oE '[0-9]+ failures?' | grep -oE '^[0-9]+' || echo 0)
skipped=$(echo "$line" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0)
rm -f "$log"
echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
exit "$status"
