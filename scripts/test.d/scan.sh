#!/usr/bin/env bash
# The scanner's regression suite: a CI-sized synthetic corpus (scripts/scan/corpus.py, seeded,
# generated here and never committed) read by Jeton's scanner; each category must stay at or above
# its threshold in scripts/scan/thresholds.json, with no misread and no code given twice (the
# screenshots of several codes, "multi_grid", must give every code: 41 at seed 7) ("scan: N
# passed, N failed"). Then the real photos of ../shared/fixtures/qr-photos-zxing-cpp (skipped
# when absent): at least PHOTO_FLOOR images read, no wrong text ("scan-photos: N passed, N
# failed"). Then text decoding against segno's codes in every mode and character set
# ("scan-charsets: N passed, N failed"). All three always run.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.d/scan.sh
py=target/scan-venv/bin/python
corpus=target/scan-corpus-ci
if [ ! -f "$corpus/manifest.jsonl" ]; then
  "$py" scripts/scan/corpus.py --out "$corpus" --per-category 10 --no-code 10 --seed 7
fi
# The dev profile (dependencies optimized) is built already by the cargo tests.
cargo build --quiet --locked -p jeton-core --example scan_corpus
# A generous budget: the suite checks what the pipeline can read, not how fast this machine is.
status=0
"$py" scripts/scan/bench.py --corpus "$corpus" --binary target/debug/examples/scan_corpus \
  --budget-ms 5000 --check scripts/scan/thresholds.json || status=1
# Just below today's count (docs/performance.md, "Real photos"); the same example and budget.
PHOTO_FLOOR=131
"$py" scripts/scan/photos.py --example target/debug/examples/scan_corpus --budget-ms 5000 \
  --check-floor "$PHOTO_FLOOR" || status=1
"$py" scripts/scan/charsets.py --example target/debug/examples/scan_corpus || status=1
exit "$status"
