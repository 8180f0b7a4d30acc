package dev.jeton

import dev.jeton.ffi.KeyWrapException
import dev.jeton.ffi.KeyWrapper
import java.nio.ByteBuffer
import java.security.GeneralSecurityException
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Wraps the vault key with AES-256-GCM under a key the platform keeps. The wrapped form is
 * `0x01 || 12-byte IV || ciphertext || 16-byte tag`; the cipher picks the IV (as the Android
 * Keystore requires). Android's [dev.jeton.android.KeystoreKeyWrapper] supplies a key that never
 * leaves the keystore; on the JVM any AES [SecretKey] works.
 */
open class AesGcmKeyWrapper(private val key: () -> SecretKey) : KeyWrapper {
    /** Seals [vaultKey], then clears that copy of it (the caller's array). */
    override fun wrap(vaultKey: ByteArray): ByteArray = translate {
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, key())
            val iv = cipher.iv
            check(iv.size == IV_BYTES) { "the cipher chose a ${iv.size}-byte IV" }
            val sealed = cipher.doFinal(vaultKey)
            ByteBuffer.allocate(1 + iv.size + sealed.size).put(VERSION).put(iv).put(sealed).array()
        } finally {
            vaultKey.fill(0)
        }
    }

    /**
     * Opens what [wrap] sealed. The key it returns is handed to Rust, which copies it into its
     * own zeroized memory; the generated bindings give no hook to clear the returned array after
     * that copy, so it is left to the garbage collector (the one copy this side cannot wipe).
     */
    override fun unwrap(wrapped: ByteArray): ByteArray = translate {
        if (wrapped.size < 1 + IV_BYTES + TAG_BITS / 8 || wrapped[0] != VERSION) {
            throw KeyWrapException.Failed("this slot was not written by AesGcmKeyWrapper")
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, wrapped, 1, IV_BYTES))
        cipher.doFinal(wrapped, 1 + IV_BYTES, wrapped.size - 1 - IV_BYTES)
    }

    /**
     * Turns a platform failure into a [KeyWrapException]. A tag that does not verify means this
     * key cannot open the slot (a different or regenerated key): [KeyWrapException.KeyGone],
     * which tells the user to use the passphrase. Subclasses add platform-specific cases.
     */
    protected open fun classify(error: Exception): KeyWrapException = when (error) {
        is KeyWrapException -> error
        is AEADBadTagException -> KeyWrapException.KeyGone()
        else -> KeyWrapException.Failed("${error.javaClass.simpleName}: ${error.message}")
    }

    private inline fun translate(block: () -> ByteArray): ByteArray =
        try {
            block()
        } catch (e: GeneralSecurityException) {
            throw classify(e)
        } catch (e: KeyWrapException) {
            throw e
        } catch (e: IllegalStateException) {
            throw classify(e)
        }

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val VERSION: Byte = 1
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
