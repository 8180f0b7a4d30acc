package dev.jeton

import dev.jeton.ffi.KeyBytes

/**
 * Runs [block] on a copy of this key's bytes and clears the copy afterwards, even if [block]
 * throws. This is how a [dev.jeton.ffi.KeyWrapper] reads the vault key it is asked to wrap.
 */
inline fun <T> KeyBytes.withBytes(block: (ByteArray) -> T): T {
    val bytes = bytes()
    try {
        return block(bytes)
    } finally {
        bytes.fill(0)
    }
}

/**
 * Hands this array to Rust as [KeyBytes] and clears it: how a [dev.jeton.ffi.KeyWrapper]
 * returns the vault key it unwrapped, leaving no copy on the JVM heap.
 */
fun ByteArray.moveIntoKeyBytes(): KeyBytes =
    try {
        KeyBytes(this)
    } finally {
        fill(0)
    }
