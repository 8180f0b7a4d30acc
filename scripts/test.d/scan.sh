#!/usr/bin/env bash
# The scanner's regression suite: a CI-sized synthetic corpus (scripts/scan/corpus.py, seeded,
# generated here and never committed) read by Jeton's scanner; each category must stay at or above
# its threshold in scripts/scan/thresholds.json, with no misread. Ends with "scan: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.d/scan.sh
py=target/scan-venv/bin/python
corpus=target/scan-corpus-ci
if [ ! -f "$corpus/manifest.jsonl" ]; then
  "$py" scripts/scan/corpus.py --out "$corpus" --per-category 6 --no-code 6 --seed 7
fi
# The dev profile (dependencies optimized) is built already by the cargo tests.
cargo build --quiet --locked -p jeton-core --example scan_corpus
# A generous budget: the suite checks what the pipeline can read, not how fast this machine is.
"$py" scripts/scan/bench.py --corpus "$corpus" --binary target/debug/examples/scan_corpus \
  --budget-ms 5000 --check scripts/scan/thresholds.json
