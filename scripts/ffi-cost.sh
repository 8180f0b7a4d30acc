#!/usr/bin/env bash
# Measures the cost of the FFI from Kotlin (JNA) and the same work in Rust, for
# docs/performance.md. Compiles the Kotlin classes first when scripts/test.d/kotlin.sh has not.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/jvm-tools.sh
[ -d build/kotlin/classes/dev/jeton ] || bash scripts/test.d/kotlin.sh >/dev/null
lib=$KOTLINC_HOME/lib
echo "== Kotlin (JNA -> debug build of jeton-ffi, deps at opt-level 3)"
java -Djna.library.path="$PWD/target/debug" \
  -cp "build/kotlin/classes:$JNA_JAR:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-stdlib.jar" dev.jeton.FfiCostKt
echo "== Rust (the same calls without the FFI)"
jcargo bench --locked -p jeton-ffi --bench ffi_cost -- --noplot 2>&1 | grep -E "^[a-z].*time:|time:" || true
