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

# One run at a time per root: the /proc and /dev mounts are shared by every run.
exec {lock}>"$SWIFT_ROOT.lock"
flock "$lock"
# The checkout appears inside the root at a path named after it, so two checkouts never collide.
inside=/mnt/jeton-$(printf '%s' "$repo" | sha256sum | cut -c1-12)
mounted=()
undo_mounts() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}
trap undo_mounts EXIT
trap 'undo_mounts; exit 130' INT TERM
bind() {
  mkdir -p "$2"
  mountpoint -q "$2" && umount "$2"
  mount --bind "$1" "$2" || fail "cannot bind-mount $1 on $2"
  mounted+=("$2")
}
bind /proc "$SWIFT_ROOT/proc"   # swift finds its runtime through /proc/self/exe
bind /dev "$SWIFT_ROOT/dev"
bind "$repo" "$SWIFT_ROOT$inside"
# The shared fixtures (real camera frames), read-only, when this machine has them.
fixtures_inside=""
for candidate in ../shared ../../shared; do
  if [ -d "$candidate/fixtures/other-apps-exports" ]; then
    fixtures_inside=$inside-fixtures
    bind "$(cd "$candidate/fixtures/other-apps-exports" && pwd)" "$SWIFT_ROOT$fixtures_inside"
    mount -o remount,bind,ro "$SWIFT_ROOT$fixtures_inside" || fail "cannot make the fixtures read-only"
    break
  fi
done

in_root() {
  chroot "$SWIFT_ROOT" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
    LD_LIBRARY_PATH="$inside/target/debug" JETON_FIXTURES="$fixtures_inside" bash -c "cd '$inside/ios' && $1"
}
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
