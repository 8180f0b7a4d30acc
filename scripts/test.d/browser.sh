#!/usr/bin/env bash
# The real-browser suite: headless Chromium over WebDriver walks the whole enrolment on
# omnivox-sim's pages (tests/harness/tests/browser.rs). Ends with "browser: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.d/browser.sh || { echo "browser: 0 passed, 1 failed"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cargo test -p jeton-harness --test browser --locked -- --ignored >"$out" 2>&1
status=$?
# Show the run without cargo's own summary line, which scripts/test would count a second time.
grep -v '^test result:' "$out"
passed=$(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1/p' "$out" | tail -1)
failed=$(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\2/p' "$out" | tail -1)
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "browser: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$passed" -gt 0 ]
