#!/usr/bin/env bash
# cargo-deny (crates.io) for the licence, ban and source checks (scripts/test.d/deny.sh), built
# once into ${JETON_TOOLS:-$HOME/.cache/jeton-tools}/cargo-deny (outside the repository, never
# committed). Pinned so that a run is reproducible. Idempotent: quick when it is there.
set -euo pipefail
CARGO_DENY_VERSION=0.18.3
root=${JETON_TOOLS:-$HOME/.cache/jeton-tools}/cargo-deny
if [ -x "$root/bin/cargo-deny" ] &&
  [ "$("$root/bin/cargo-deny" --version 2>/dev/null)" = "cargo-deny $CARGO_DENY_VERSION" ]; then
  exit 0
fi
echo "setup: installing cargo-deny $CARGO_DENY_VERSION into $root"
mkdir -p "$root"
cargo install --locked --root "$root" --version "$CARGO_DENY_VERSION" cargo-deny
"$root/bin/cargo-deny" --version
