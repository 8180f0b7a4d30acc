package dev.jeton

import dev.jeton.ffi.KeyBytes
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
    /** Seals [vaultKey], reading it into an array that is cleared at once. */
    override fun wrap(vaultKey: KeyBytes): ByteArray = translate {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key())
        val iv = cipher.iv
        check(iv.size == IV_BYTES) { "the cipher chose a ${iv.size}-byte IV" }
        val sealed = vaultKey.withBytes { cipher.doFinal(it) }
        ByteBuffer.allocate(1 + iv.size + sealed.size).put(VERSION).put(iv).put(sealed).array()
    }

    /** Opens what [wrap] sealed; the opened key goes to Rust and this side's array is cleared. */
    override fun unwrap(wrapped: ByteArray): KeyBytes = translate {
        if (wrapped.size < 1 + IV_BYTES + TAG_BITS / 8 || wrapped[0] != VERSION) {
            throw KeyWrapException.Failed("this slot was not written by AesGcmKeyWrapper")
        }
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, wrapped, 1, IV_BYTES))
        cipher.doFinal(wrapped, 1 + IV_BYTES, wrapped.size - 1 - IV_BYTES).moveIntoKeyBytes()
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

    private inline fun <T> translate(block: () -> T): T =
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
