#!/usr/bin/env bash
# Schemathesis (PyPI) for the property-based API suite (scripts/test.d/schemathesis.sh), in a
# venv under ${JETON_TOOLS:-$HOME/.cache/jeton-tools} (outside the repository, never committed).
# Pinned so that a run is reproducible. Idempotent: quick when it is there.
set -euo pipefail
SCHEMATHESIS_VERSION=4.32.5
venv=${JETON_TOOLS:-$HOME/.cache/jeton-tools}/schemathesis-venv
if [ -x "$venv/bin/schemathesis" ] &&
  [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  exit 0
fi
echo "setup: installing schemathesis $SCHEMATHESIS_VERSION into $venv"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
"$venv/bin/schemathesis" --version
