#!/usr/bin/env bash
# cargo-deny's licence, ban and source checks of every dependency, against deny.toml. The
# advisories check needs its database from GitHub, which is out of reach here (see deny.toml).
# Ends with "deny: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.d/deny.sh || { echo "deny: setup failed" >&2; exit 1; }
deny=${JETON_TOOLS:-$HOME/.cache/jeton-tools}/cargo-deny/bin/cargo-deny
if "$deny" --offline check licenses bans sources; then
  echo "deny: 1 passed, 0 failed"
else
  echo "!!! deny: licenses/bans/sources FAILED"
  echo "deny: 0 passed, 1 failed"
  exit 1
fi
