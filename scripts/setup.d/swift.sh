#!/usr/bin/env bash
# Makes the Swift toolchain that scripts/test.d/swift.sh uses, or reuses it: a minimal Debian 13
# ("trixie") root made with debootstrap, holding Debian's `swiftlang` (swiftc, the package manager,
# XCTest, Foundation). Kept outside the checkout; about a minute and 3.2 GB when made anew.
# Needs root (debootstrap, chroot, mount). Fails loudly, saying why, when the root cannot be made.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/swift-root.sh

[ -e "$SWIFT_ROOT_READY" ] && exit 0
fail() { echo "setup(swift): $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "making the Swift root needs root (debootstrap, chroot, mount); run as root or make $SWIFT_ROOT by hand (see ../shared/TOOLCHAIN.md)"
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "setup(swift): installing debootstrap"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null
fi

partial=$SWIFT_ROOT.partial
cleanup() { mountpoint -q "$partial/proc" && umount "$partial/proc"; true; }
trap cleanup EXIT
cleanup
rm -rf "$partial"
mkdir -p "$(dirname "$SWIFT_ROOT")"
echo "setup(swift): making a Debian 13 root in $SWIFT_ROOT (debootstrap, then swiftlang)"
debootstrap --variant=minbase trixie "$partial" >"$partial.log" 2>&1 \
  || { tail -20 "$partial.log" >&2; fail "debootstrap trixie failed (log: $partial.log)"; }
mount --bind /proc "$partial/proc"   # swift finds its runtime through /proc/self/exe
chroot "$partial" apt-get update -qq >>"$partial.log" 2>&1 \
  || { tail -20 "$partial.log" >&2; fail "apt-get update inside the root failed"; }
chroot "$partial" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    swiftlang libc6-dev libstdc++-14-dev >>"$partial.log" 2>&1 \
  || { tail -20 "$partial.log" >&2; fail "installing swiftlang inside the root failed"; }
chroot "$partial" swift --version >/dev/null 2>&1 || fail "swift does not run inside the new root"
chroot "$partial" apt-get clean
umount "$partial/proc"
rm -rf "$SWIFT_ROOT"
mv "$partial" "$SWIFT_ROOT"
rm -f "$partial.log"
touch "$SWIFT_ROOT_READY"
echo "setup(swift): ready: $(chroot "$SWIFT_ROOT" swift --version 2>/dev/null | head -1)"
