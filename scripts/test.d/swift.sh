#!/usr/bin/env bash
# The Swift half, compiled and tested on every change: makes or reuses the Debian 13 root with
# Debian's `swiftlang` (scripts/setup.d/swift.sh), generates the Swift bindings from the host build
# of the core, then inside the root: `swift build` with warnings as errors, `swift test`, and
# `swift test --sanitize=thread`. Ends with "swift: N passed, N failed". Never passes by skipping:
# no root, no pass. Mounts are always undone (trap), even on failure or interruption.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
source scripts/lib/swift-root.sh

fail() { echo "swift: $*" >&2; echo "swift: 0 passed, 1 failed"; exit 1; }
bash scripts/setup.d/swift.sh || fail "no Swift toolchain: the Debian 13 root could not be made (see above)"
[ -e "$SWIFT_ROOT_READY" ] || fail "no Swift toolchain in $SWIFT_ROOT"
command -v qrencode >/dev/null || fail "qrencode is missing (scripts/setup installs it): the scan tests need its PNG"
bash ios/generate.sh || fail "generating the Swift bindings failed"
command -v oathtool >/dev/null || fail "oathtool is missing (scripts/setup installs it): the README example is checked against it"
# The README example's codes for the next 20 minutes, from an independent implementation
# (the QR code of ios/generate.sh: RFC 6238's SHA-1 secret, 8 digits).
oathtool --totp=sha1 --digits=8 --window=40 --now="@$(date +%s)" \
  3132333435363738393031323334353637383930 >ios/build/oathtool-window.txt \
  || fail "oathtool could not compute the README example's codes"

swift_root_enter "$repo"
chroot "$SWIFT_ROOT" swift --version 2>&1 | head -1

passed=0
failed=0
skipped=0
# Counts the test cases of one run from XCTest's per-test lines ("Test Case '...' passed",
# "failed", "skipped"); a run that reports no test case at all counts as a failure.
count() {
  local p f s
  p=$(grep -cE "^Test Case '.*' passed" "$1")
  f=$(grep -cE "^Test Case '.*' failed" "$1")
  s=$(grep -cE "^Test Case '.*' skipped" "$1")
  if [ $((p + f + s)) -eq 0 ]; then
    echo "swift: $2 ran no test"
    failed=$((failed + 1))
    return
  fi
  echo "swift: $2: $p passed, $f failed, $s skipped"
  failed=$((failed + f))
  # The sanitizer run repeats the same tests: the total counts each test once.
  if [ "$3" = first ]; then
    passed=$((passed + p))
    skipped=$((skipped + s))
  fi
}

log=$(mktemp)
step() { # name, command inside the root
  echo "--- swift $1"
  if in_root "$2" 2>&1 | tee "$log"; then return 0; fi
  # Swift 6.0.3's package manager itself has been seen to crash (signal 11) while building,
  # before any test ran: that is the tool, not our code, so it gets one more try, said aloud.
  if grep -q '^\*\*\* Program crashed' "$log" && ! grep -q "^Test Case '" "$log"; then
    echo "swift: the Swift tool crashed before any test ran; trying $1 once more"
    if in_root "$2" 2>&1 | tee "$log"; then return 0; fi
  fi
  echo "swift: $1 FAILED"
  return 1
}
build_ok=1
step build "swift build --build-tests -Xswiftc -warnings-as-errors" || build_ok=0
if [ "$build_ok" -eq 1 ]; then
  step test "swift test --skip-build" || true
  count "$log" "swift test" first
  step "test --sanitize=thread" "swift test --sanitize=thread --scratch-path .build-tsan" || true
  if grep -q 'ThreadSanitizer' "$log"; then
    echo "swift: ThreadSanitizer reported a data race"
    failed=$((failed + 1))
  fi
  count "$log" "swift test --sanitize=thread" again
else
  failed=$((failed + 1))
fi
rm -f "$log"
echo "swift: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
