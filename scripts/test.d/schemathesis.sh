#!/usr/bin/env bash
# Property-based fuzzing of omnivox-sim's JSON API against its own description,
# docs/omnivox-sim.openapi.yaml: Schemathesis generates valid and invalid requests for every
# operation (anonymous and with a logged-in session) and runs all its checks: no 5xx, every
# status, header, content type and body as the spec says. Bounded by --max-examples so the run
# stays well under 90 s. Ends with "schemathesis: N passed, N failed", N counting API
# operations (an operation fails when any check fails on any generated request).
set -uo pipefail
cd "$(dirname "$0")/../.."
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-40}
SEED=${SCHEMATHESIS_SEED:-20261202}
fail() {
  echo "$1" >&2
  echo "schemathesis: 0 passed, 1 failed"
  exit 1
}
bash scripts/setup.d/schemathesis.sh || fail "cannot install schemathesis"
schemathesis=${JETON_TOOLS:-$HOME/.cache/jeton-tools}/schemathesis-venv/bin/schemathesis
${CARGO:-cargo} build --quiet --locked -p jeton-harness --bin omnivox-sim || fail "cannot build omnivox-sim"
bin=${CARGO_TARGET_DIR:-target}/debug/omnivox-sim

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$bin" --data "$work/data" --listen "127.0.0.1:$port" --allow-user-creation >"$work/sim.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS "$url/api/openapi.yaml" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$url/api/openapi.yaml" >/dev/null || fail "omnivox-sim did not start: $(cat "$work/sim.log")"

# A session for the operations behind a bearer token (without one they would all stop at 401).
curl -fsS -H 'content-type: application/json' \
  -d '{"id":"fuzz.staff","role":"staff","password":"correct horse battery"}' \
  "$url/api/users" >/dev/null || fail "cannot create the fuzzing account"
token=$(curl -fsS -H 'content-type: application/json' \
  -d '{"id":"fuzz.staff","password":"correct horse battery"}' "$url/api/login" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])') || fail "cannot log in"

started=$(date +%s)
"$schemathesis" run docs/omnivox-sim.openapi.yaml --url "$url" \
  --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
  --phases examples,coverage,fuzzing --generation-database none \
  --header "Authorization: Bearer $token" --no-color \
  --report junit --report-junit-path "$work/junit.xml" 2>&1 | tail -n 60
status=${PIPESTATUS[0]}
echo "schemathesis took $(($(date +%s) - started)) s (max-examples $MAX_EXAMPLES, seed $SEED)"
if grep -q 'panicked' "$work/sim.log"; then
  echo "omnivox-sim panicked:" >&2
  grep -A3 'panicked' "$work/sim.log" >&2
  status=1
fi
read -r passed failed < <(python3 - "$work/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
except (OSError, ET.ParseError):
    print(0, 1)
    sys.exit()
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(passed, failed)
PY
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "schemathesis: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
