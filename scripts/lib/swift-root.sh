# Where the Swift toolchain lives: a minimal Debian 13 root with `swiftlang`, kept outside the
# checkout and reused between runs; and how to run in it. Sourced by scripts/setup.d/swift.sh,
# scripts/test.d/swift.sh and scripts/ffi-cost.sh.
JETON_TOOLS=${JETON_TOOLS:-$HOME/.cache/jeton-tools}
SWIFT_ROOT=${SWIFT_ROOT:-$JETON_TOOLS/swift-root}
# Written last by the set-up, so a half-made root is never taken for a ready one.
SWIFT_ROOT_READY=$SWIFT_ROOT/.jeton-swift-ready

mounted=()
undo_mounts() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}

bind() {
  mkdir -p "$2"
  mountpoint -q "$2" && umount "$2"
  mount --bind "$1" "$2" || fail "cannot bind-mount $1 on $2"
  mounted+=("$2")
}

# Enters the root for the checkout at $1 (callers define `fail MESSAGE`): takes the root's lock
# (one run at a time: the /proc and /dev mounts are shared), bind-mounts /proc, /dev, the
# checkout and, when present, the shared fixtures (read-only), and undoes every mount on exit
# or interruption (trap).
swift_root_enter() {
  local repo=$1 candidate
  exec {swift_root_lock}>"$SWIFT_ROOT.lock"
  flock "$swift_root_lock"
  # The checkout appears inside the root at a path named after it, so two checkouts never collide.
  inside=/mnt/jeton-$(printf '%s' "$repo" | sha256sum | cut -c1-12)
  trap undo_mounts EXIT
  trap 'undo_mounts; exit 130' INT TERM
  bind /proc "$SWIFT_ROOT/proc" # swift finds its runtime through /proc/self/exe
  bind /dev "$SWIFT_ROOT/dev"
  bind "$repo" "$SWIFT_ROOT$inside"
  fixtures_inside=""
  for candidate in "$repo/../shared" "$repo/../../shared"; do
    if [ -d "$candidate/fixtures/other-apps-exports" ]; then
      fixtures_inside=$inside-fixtures
      bind "$(cd "$candidate/fixtures/other-apps-exports" && pwd)" "$SWIFT_ROOT$fixtures_inside"
      mount -o remount,bind,ro "$SWIFT_ROOT$fixtures_inside" || fail "cannot make the fixtures read-only"
      break
    fi
  done
}

# Runs a shell command in the checkout's ios/ inside the root, with the host library of
# $SWIFT_LIB_DIR (default target/debug) on the library path.
in_root() {
  chroot "$SWIFT_ROOT" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
    LD_LIBRARY_PATH="$inside/${SWIFT_LIB_DIR:-target/debug}" JETON_FIXTURES="$fixtures_inside" \
    bash -c "cd '$inside/ios' && $1"
}
