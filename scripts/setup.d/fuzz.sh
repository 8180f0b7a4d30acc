#!/usr/bin/env bash
# The fuzz targets (fuzz/, see docs/fuzzing.md) need a nightly toolchain and cargo-fuzz.
# Idempotent: quick when both are there.
set -euo pipefail
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "setup: installing the nightly toolchain (for cargo-fuzz)"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "setup: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
