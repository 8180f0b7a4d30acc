#!/usr/bin/env bash
# Every fuzz target of fuzz/ (cargo-fuzz, libFuzzer, AddressSanitizer, overflow checks) built once
# and run for a bounded time from its seeds in fuzz/corpus/<target>/ (plus, when present, small
# files of ../shared/fixtures). A crash, a leak, a timeout (10 s per input) or 2 GB of memory
# fails the target; its input is kept in fuzz/artifacts/<target>/ and printed in base64.
# Ends with "fuzz: N passed, N failed". JETON_FUZZ_SECONDS sets the time per target (default 10).
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.d/fuzz.sh || { echo "fuzz: setup failed" >&2; exit 1; }
seconds=${JETON_FUZZ_SECONDS:-10}
# The sanitizer build of every dependency is ~10 CPU-minutes cold: keep it outside the checkout,
# where the next run (even from a fresh clone) reuses it.
export CARGO_TARGET_DIR=${JETON_TOOLS:-$HOME/.cache/jeton-tools}/fuzz-target

if ! (cd fuzz && cargo +nightly fuzz build -O -a); then
  echo "fuzz: the targets do not build"
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi
bin=$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release
work=$CARGO_TARGET_DIR/corpus
fixtures=${JETON_SHARED_FIXTURES:-../shared/fixtures}

# Extra seeds from the shared fixtures (never copied into the repository): small exports for the
# importer, small photos for the image scanner.
extra_seeds() {
  local target=$1 dir=$work/$1-fixtures
  case $target in
    import_detect) src=$fixtures/other-apps-exports max=16384 ;;
    scan_image) src=$fixtures/qr-photos-zxing-cpp max=50000 ;;
    *) return ;;
  esac
  [ -d "$src" ] || return
  mkdir -p "$dir"
  # Named after their path: the photo folders reuse names (1.png, 13.webp), and one copy over
  # another would drop a seed.
  local file rel
  while IFS= read -r -d '' file; do
    rel=${file#"$src"/}
    cp "$file" "$dir/${rel//\//_}"
  done < <(find "$src" -type f -size -"$max"c ! -name '*.md' ! -name '*.txt' -print0)
  echo "$dir"
}

passed=0
failed=0
for target in $(cd fuzz && cargo +nightly fuzz list); do
  # A fresh corpus each run: replaying a corpus grown by earlier runs is not bounded by
  # -max_total_time, and would make this suite slower every time.
  rm -rf "${work:?}/$target"
  mkdir -p "$work/$target" "fuzz/artifacts/$target"
  log=$work/$target.log
  seeds=(fuzz/corpus/"$target")
  extra=$(extra_seeds "$target")
  [ -n "$extra" ] && seeds+=("$extra")
  # New inputs go to the first directory (under target/, never committed); seeds are read only.
  if "$bin/$target" "$work/$target" "${seeds[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target/" \
    >"$log" 2>&1; then
    passed=$((passed + 1))
    stats=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1 runs/p' "$log")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    echo "fuzz: $target ok ($stats, $cov)"
  else
    failed=$((failed + 1))
    echo "!!! fuzz: $target FAILED"
    tail -40 "$log"
    for crash in "fuzz/artifacts/$target"/*; do
      [ -f "$crash" ] || continue
      echo "input $crash (base64):"
      base64 -w0 "$crash" | head -c 4000
      echo
    done
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
