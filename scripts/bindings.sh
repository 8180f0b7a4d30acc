#!/usr/bin/env bash
# Builds the host library of jeton-ffi and generates its Kotlin and Swift bindings in library
# mode (from the metadata inside the library) into build/bindings/{kotlin,swift}. Never commit
# the output. Usage: scripts/bindings.sh [--features test-hooks] [--release]
# The library must not be stripped: a `strip = true` release build loses the UniFFI metadata
# ("No UniFFI metadata found"). Release builds here keep it (the workspace does not strip).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo_cmd=$(command -v jcargo || command -v cargo)

profile=debug
build_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --features) build_args+=(--features "$2"); shift 2 ;;
    --release) build_args+=(--release); profile=release; shift ;;
    *) echo "bindings.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

"$cargo_cmd" build --locked -q -p jeton-ffi -p uniffi-bindgen "${build_args[@]}"
case "$(uname -s)" in
  Darwin) lib=target/$profile/libjeton_ffi.dylib ;;
  *) lib=target/$profile/libjeton_ffi.so ;;
esac
out=build/bindings
rm -rf "$out/kotlin" "$out/swift"
for language in kotlin swift; do
  target/$profile/uniffi-bindgen generate --no-format --library "$lib" \
    --language "$language" --out-dir "$out/$language" >/dev/null
done
echo "bindings: $lib -> $out/kotlin, $out/swift"
