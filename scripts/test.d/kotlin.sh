#!/usr/bin/env bash
# The Kotlin suite on the JVM: builds the host library of jeton-ffi (with its test hooks),
# generates the Kotlin bindings, compiles them with the platform-neutral Kotlin shell and its
# JUnit 5 tests in one kotlinc run, compiles the Android-only sources against the real Android
# framework classes (compile-only), then runs JUnit through JNA.
# Ends with "kotlin: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/jvm-tools.sh
bash scripts/setup.d/kotlin.sh

bash scripts/bindings.sh --features jeton-ffi/test-hooks

out=build/kotlin
rm -rf "$out"
mkdir -p "$out"
lib=$KOTLINC_HOME/lib
deps="$JNA_JAR:$lib/kotlinx-coroutines-core-jvm.jar"
test_deps="$JUNIT_CONSOLE_JAR:$lib/kotlin-test.jar:$lib/kotlin-test-junit5.jar"
shell=android/jeton/src/main/kotlin/dev/jeton

echo "kotlinc: generated bindings + shell + tests"
if ! "$KOTLINC" -jvm-target 17 -nowarn -d "$out/classes" -cp "$deps:$test_deps" \
  build/bindings/kotlin "$shell"/*.kt android/jeton/src/test/kotlin; then
  echo "kotlin: 0 passed, 1 failed"
  exit 1
fi

# Android-only sources, against android-all (compile-only). Runs beside the JUnit run below.
echo "kotlinc: Android-only sources against android-all $ANDROID_ALL_VERSION"
"$KOTLINC" -jvm-target 17 -d "$out/android-classes" -cp "$out/classes:$deps:$ANDROID_ALL_JAR" \
  "$shell"/android >"$out/android-compile.log" 2>&1 &
android_pid=$!

# A QR code drawn by an independent encoder, and the shared camera-frame fixtures when present.
qrencode -o "$out/qrencode.png" -s 6 \
  'otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8'
# A Google Authenticator export of two QR codes, written and drawn independently of the core.
bash scripts/scan/google-export.sh "$out"
fixtures=""
for candidate in ../shared ../../shared; do
  if [ -d "$candidate/fixtures/other-apps-exports" ]; then
    fixtures=$(cd "$candidate/fixtures/other-apps-exports" && pwd)
    break
  fi
done

junit_log=$out/junit.log
set +e
RUST_BACKTRACE=0 java -Xms384m -Xmx384m -XX:+AlwaysPreTouch -Djna.library.path="$PWD/target/debug" \
  -Djeton.qrencode.png="$PWD/$out/qrencode.png" -Djeton.migration.dir="$PWD/$out" -Djeton.fixtures="$fixtures" -jar "$JUNIT_CONSOLE_JAR" \
  --disable-banner --details=tree --fail-if-no-tests \
  --class-path "$out/classes:$deps:$test_deps:$lib/kotlin-stdlib.jar" \
  --scan-class-path "$out/classes" 2>&1 | tee "$junit_log"
junit_status=${PIPESTATUS[0]}
wait "$android_pid"
android_status=$?
set -e

cat "$out/android-compile.log"
passed=$(sed -nE 's/^\[ *([0-9]+) tests successful *\]$/\1/p' "$junit_log" | tail -1)
failed=$(sed -nE 's/^\[ *([0-9]+) tests failed *\]$/\1/p' "$junit_log" | tail -1)
passed=${passed:-0}
failed=${failed:-0}
if [ "$android_status" -ne 0 ]; then
  echo "kotlin: the Android-only sources do not compile against android-all"
  failed=$((failed + 1))
fi
if [ "$junit_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "kotlin: $passed passed, $failed failed"
[ "$junit_status" -eq 0 ] && [ "$android_status" -eq 0 ]
