#!/usr/bin/env bash
# What can be checked of the Swift side without a Swift toolchain: the generated C header
# compiles with clang (-Werror), and every Swift file (generated bindings, shell, tests,
# Package.swift) parses with tree-sitter-swift. Ends with "swift-check: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/jvm-tools.sh
bash scripts/setup.d/swift-check.sh || exit 1
# The Kotlin suite generates the bindings just before this runs; generate them if it did not.
[ -f build/bindings/swift/JetonFFI.h ] || bash scripts/bindings.sh --features jeton-ffi/test-hooks || exit 1

passed=0
failed=0
if clang -fsyntax-only -Werror -Wall -x c-header build/bindings/swift/JetonFFI.h; then
  echo "ok   build/bindings/swift/JetonFFI.h (clang)"
  passed=$((passed + 1))
else
  echo "FAIL build/bindings/swift/JetonFFI.h (clang)"
  failed=$((failed + 1))
fi
mapfile -t swift_files < <(ls build/bindings/swift/*.swift; find ios -name '*.swift' -not -path '*/.build/*' -not -path '*/Generated/*' | sort)
parse_log=$(mktemp)
"$JETON_TOOLS/swift-check-venv/bin/python" scripts/swift_parse.py "${swift_files[@]}" | tee "$parse_log"
passed=$((passed + $(grep -c '^ok ' "$parse_log")))
failed=$((failed + $(grep -c '^FAIL ' "$parse_log")))
rm -f "$parse_log"
[ ${#swift_files[@]} -gt 5 ] || { echo "swift-check: too few Swift files found"; failed=$((failed + 1)); }
echo "swift-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
