package dev.jeton.android

import android.content.pm.PackageManager
import android.content.Context
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.security.keystore.UserNotAuthenticatedException
import dev.jeton.AesGcmKeyWrapper
import dev.jeton.ffi.KeyWrapException
import java.security.KeyStore
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The vault's device key: an AES-256-GCM key created in the AndroidKeyStore, in StrongBox when
 * the phone has one, that never leaves the keystore. With [requireUserAuthentication] the key
 * works only within [authenticationSeconds] of the user unlocking the phone or passing a
 * biometric prompt, and is invalidated when biometrics are re-enrolled (the vault then opens
 * with its passphrase: [KeyWrapException.KeyGone]).
 */
class KeystoreKeyWrapper(
    private val context: Context,
    private val alias: String = "dev.jeton.vault-key",
    private val requireUserAuthentication: Boolean = false,
    private val authenticationSeconds: Int = 30,
) : AesGcmKeyWrapper(KeyHolder(context, alias, requireUserAuthentication, authenticationSeconds)::key) {

    override fun classify(error: Exception): KeyWrapException = when (error) {
        is KeyPermanentlyInvalidatedException -> KeyWrapException.KeyGone()
        is UserNotAuthenticatedException ->
            KeyWrapException.Failed("unlock the phone or confirm with biometrics, then try again")
        else -> super.classify(error)
    }

    /** Deletes the key (e.g. when the user turns device unlock off). */
    fun deleteKey() {
        KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }.deleteEntry(alias)
    }

    private class KeyHolder(
        private val context: Context,
        private val alias: String,
        private val requireUserAuthentication: Boolean,
        private val authenticationSeconds: Int,
    ) {
        fun key(): SecretKey {
            val store = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
            (store.getEntry(alias, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
            val strongBox = Build.VERSION.SDK_INT >= Build.VERSION_CODES.P &&
                context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
            return try {
                generate(strongBox)
            } catch (e: StrongBoxUnavailableException) {
                generate(false)
            }
        }

        private fun generate(strongBox: Boolean): SecretKey {
            val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
            if (strongBox && Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) spec.setIsStrongBoxBacked(true)
            if (requireUserAuthentication) {
                spec.setUserAuthenticationRequired(true)
                spec.setInvalidatedByBiometricEnrollment(true)
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                    spec.setUserAuthenticationParameters(
                        authenticationSeconds,
                        KeyProperties.AUTH_BIOMETRIC_STRONG or KeyProperties.AUTH_DEVICE_CREDENTIAL,
                    )
                } else {
                    @Suppress("DEPRECATION")
                    spec.setUserAuthenticationValidityDurationSeconds(authenticationSeconds)
                }
            }
            val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
            generator.init(spec.build())
            return generator.generateKey()
        }
    }

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
    }
}
