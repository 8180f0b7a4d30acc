#!/usr/bin/env bash
# Builds build/JetonFFI.xcframework (device arm64; simulator arm64 + x86_64) from the staticlib
# of jeton-ffi, with the generated C header and module map, and copies the generated Swift into
# Sources/Jeton/Generated. Needs macOS with Xcode and:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
set -euo pipefail
ios=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$ios/.." && pwd)
cd "$repo"

for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build --locked --release -p jeton-ffi --target "$target"
done
# Bindings from an unstripped host build (a stripped library carries no UniFFI metadata).
bash scripts/bindings.sh --release

headers=$ios/build/headers
rm -rf "$headers" "$ios/build/JetonFFI.xcframework" "$ios/build/sim"
mkdir -p "$headers" "$ios/build/sim"
cp build/bindings/swift/JetonFFI.h "$headers/"
# Xcode wants the module map named module.modulemap inside the framework's headers.
cp build/bindings/swift/JetonFFI.modulemap "$headers/module.modulemap"

lipo -create target/aarch64-apple-ios-sim/release/libjeton_ffi.a target/x86_64-apple-ios/release/libjeton_ffi.a \
  -output "$ios/build/sim/libjeton_ffi.a"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libjeton_ffi.a -headers "$headers" \
  -library "$ios/build/sim/libjeton_ffi.a" -headers "$headers" \
  -output "$ios/build/JetonFFI.xcframework"

mkdir -p "$ios/Sources/Jeton/Generated"
cp build/bindings/swift/Jeton.swift "$ios/Sources/Jeton/Generated/Jeton.swift"
echo "ios: build/JetonFFI.xcframework and Sources/Jeton/Generated/Jeton.swift"
