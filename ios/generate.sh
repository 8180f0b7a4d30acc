#!/usr/bin/env bash
# Generates the Swift bindings from the host build of the core and puts them where Package.swift
# expects them on Linux (Sources/Jeton/Generated, Sources/JetonFFI). Then, with a Swift toolchain:
#   cd ios && LD_LIBRARY_PATH=../target/debug swift test
# The tests use the test-hooks feature (a deliberate panic); shipped builds never enable it.
set -euo pipefail
ios=$(cd "$(dirname "$0")" && pwd)
cd "$ios/.."
bash scripts/bindings.sh --features jeton-ffi/test-hooks
mkdir -p "$ios/Sources/Jeton/Generated"
cp build/bindings/swift/Jeton.swift "$ios/Sources/Jeton/Generated/Jeton.swift"
cp build/bindings/swift/JetonFFI.h "$ios/Sources/JetonFFI/JetonFFI.h"
mkdir -p "$ios/build"
qrencode -o "$ios/build/qrencode.png" -s 6 \
  'otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8' 2>/dev/null \
  || echo "generate.sh: qrencode missing; the PNG scan test will be skipped"
bash scripts/scan/google-export.sh "$ios/build" 2>/dev/null \
  || echo "generate.sh: qrencode or python3 missing; the Google export scan test will fail"
echo "ios: bindings in Sources/Jeton/Generated and Sources/JetonFFI"
