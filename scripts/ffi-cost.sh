#!/usr/bin/env bash
# Measures the cost of the FFI from Kotlin (JNA) and from Swift (release build, in the Debian 13
# root of scripts/test.d/swift.sh) and the same work in Rust, side by side, for
# docs/performance.md. Compiles the Kotlin classes first when scripts/test.d/kotlin.sh has not.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/jvm-tools.sh
[ -d build/kotlin/classes/dev/jeton ] || bash scripts/test.d/kotlin.sh >/dev/null
lib=$KOTLINC_HOME/lib
# The classes were compiled against bindings of the test-hooks build: load a release build
# with the same feature (UniFFI checks every function's checksum when the library loads).
jcargo build --locked -q --release -p jeton-ffi --features test-hooks
echo "== Kotlin (JNA -> release build of jeton-ffi)"
java -Djna.library.path="$PWD/target/release" \
  -cp "build/kotlin/classes:$JNA_JAR:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-stdlib.jar" dev.jeton.FfiCostKt
echo "== Swift (release build -> release build of jeton-ffi)"
source scripts/lib/swift-root.sh
fail() { echo "ffi-cost: $*" >&2; exit 1; }
bash scripts/setup.d/swift.sh
bash ios/generate.sh >/dev/null
swift_root_enter "$PWD"
SWIFT_LIB_DIR=target/release in_root "swift build -c release --product TickBench >/dev/null && .build/release/TickBench"
undo_mounts
echo "== Rust (the same calls without the FFI)"
jcargo bench --locked -p jeton-ffi --bench ffi_cost -- --noplot 2>&1 | grep -B1 "time:" | grep -v "^--" || true
