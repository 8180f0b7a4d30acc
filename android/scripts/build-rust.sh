#!/usr/bin/env bash
# Builds the Rust core (jeton-ffi) for the Android ABIs with cargo-ndk into
# jeton/build/generated/jniLibs, and generates the Kotlin bindings from the host build into
# jeton/build/generated/uniffi/kotlin. Needs the Android NDK (ANDROID_NDK_HOME) and:
#   cargo install cargo-ndk
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
# Usage: android/scripts/build-rust.sh [--debug]
set -euo pipefail
android=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$android/.." && pwd)
profile=release
cargo_profile=(--release)
if [ "${1:-}" = "--debug" ]; then profile=debug; cargo_profile=(); fi

cd "$repo"
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o "$android/jeton/build/generated/jniLibs" \
  build -p jeton-ffi --locked "${cargo_profile[@]}"

# Bindings come from the unstripped host library (a stripped library has no UniFFI metadata).
bash scripts/bindings.sh
rm -rf "$android/jeton/build/generated/uniffi/kotlin"
mkdir -p "$android/jeton/build/generated/uniffi"
cp -r build/bindings/kotlin "$android/jeton/build/generated/uniffi/kotlin"
echo "android: jniLibs ($profile) and Kotlin bindings in $android/jeton/build/generated"
