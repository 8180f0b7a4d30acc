//! UniFFI's bindings generator, built from the same `uniffi` version as `jeton-ffi` so the
//! generated Kotlin and Swift always match the library's metadata. See `scripts/bindings.sh`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
