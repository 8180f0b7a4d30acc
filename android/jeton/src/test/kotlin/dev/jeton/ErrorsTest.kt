package dev.jeton

import dev.jeton.ffi.JetonException

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.HashAlgorithm
import dev.jeton.ffi.OtpAccount
import dev.jeton.ffi.OtpKind
import dev.jeton.ffi.panicInsideJeton
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.test.assertFailsWith

/** Bad input gets a typed exception whose message says what to fix. */
class ErrorsTest {
    @Test
    fun aWebAddressIsNotAnAccount() {
        val e = assertFailsWith<JetonException.InvalidUri> { Jeton.account("https://example.com/login") }
        assertTrue(e.message!!.contains("otpauth://"), e.message)
    }

    @Test
    fun aGoogleExportIsToBeImported() {
        val e = assertFailsWith<JetonException.InvalidUri> { Jeton.account("otpauth-migration://offline?data=CjEKCkhlbGxv") }
        assertTrue(e.message!!.contains("import"), e.message)
    }

    @Test
    fun aSecretThatIsNotBase32NamesTheCharacter() {
        val e = assertFailsWith<JetonException.InvalidSecret> { Jeton.account("otpauth://totp/a?secret=JBSW1Y3DP") }
        assertTrue(e.message!!.contains("'1'"), e.message)
        assertFailsWith<JetonException.InvalidSecret> {
            OtpAccount.fromBase32(null, "a", "   ", Vectors.parameters(OtpKind.TOTP, HashAlgorithm.SHA1, 6))
        }
        assertFailsWith<JetonException.InvalidSecret> {
            OtpAccount.fromBytes(null, "a", ByteArray(0), Vectors.parameters(OtpKind.TOTP, HashAlgorithm.SHA1, 6))
        }
    }

    @Test
    fun impossibleParametersAreRefused() {
        val e = assertFailsWith<JetonException.InvalidParameters> { Jeton.account("otpauth://totp/a?secret=JBSWY3DP&digits=12") }
        assertTrue(e.message!!.contains("12"), e.message)
        assertFailsWith<JetonException.InvalidParameters> {
            OtpAccount.fromBytes(null, "a", Vectors.SHA1_SEED, Vectors.parameters(OtpKind.TOTP, HashAlgorithm.SHA1, 0))
        }
        assertFailsWith<JetonException.InvalidParameters> {
            OtpAccount.fromBytes(null, "a", Vectors.SHA1_SEED, Vectors.parameters(OtpKind.STEAM, HashAlgorithm.SHA1, 6))
        }
        assertFailsWith<JetonException.InvalidParameters> {
            OtpAccount.fromBytes(null, "a", Vectors.SHA1_SEED, Vectors.parameters(OtpKind.TOTP, HashAlgorithm.SHA1, 6).copy(period = 0u))
        }
    }

    @Test
    fun anUnboundedVerifyWindowIsRefused() {
        Vectors.rfc6238Account(HashAlgorithm.SHA1).use { account ->
            val e = assertFailsWith<JetonException.InvalidParameters> { account.verify("94287082", 59u, 4_000_000_000u) }
            assertTrue(e.message!!.contains("4000000000"), e.message)
        }
    }

    @Test
    fun aTimeBeforeT0FailsThatAccountOnlyInABatch() {
        val late = OtpAccount.fromBytes(null, "late", Vectors.SHA1_SEED, Vectors.parameters(OtpKind.TOTP, HashAlgorithm.SHA1, 8).copy(t0 = 1000uL))
        val usual = Vectors.rfc6238Account(HashAlgorithm.SHA1)
        assertFailsWith<JetonException.InvalidParameters> { late.codeAt(59u) }
        val codes = Jeton.codes(listOf(late, usual), 59)
        assertTrue(codes[0] is CodeOutcome.Failed)
        assertTrue((codes[0] as CodeOutcome.Failed).reason.contains("before"))
        assertEquals("94287082", (codes[1] as CodeOutcome.Ready).code.digits)
        late.close()
        usual.close()
    }

    @Test
    fun aPanicInsideTheCoreArrivesAsAnInternalErrorAndTheLibraryGoesOn() {
        val e = assertFailsWith<JetonException.Internal> { panicInsideJeton("deliberate test panic") }
        assertTrue(e.message!!.contains("deliberate test panic"), e.message)
        repeat(3) { assertFailsWith<JetonException.Internal> { panicInsideJeton("again $it") } }
        Vectors.rfc6238Account(HashAlgorithm.SHA1).use { assertEquals("94287082", it.codeAt(59u).digits) }
    }

    @Test
    fun theHierarchyIsSealedSoAWhenIsExhaustive() {
        val e: JetonException = assertFailsWith<JetonException> { Jeton.account("nope") }
        val kind = when (e) {
            is JetonException.InvalidUri -> "uri"
            is JetonException.InvalidSecret -> "secret"
            is JetonException.InvalidParameters -> "parameters"
            is JetonException.WrongPassphrase, is JetonException.Locked, is JetonException.ChangedElsewhere,
            is JetonException.VaultFile,
            is JetonException.Damaged, is JetonException.Keystore, is JetonException.NoSuchAccount -> "vault"
            is JetonException.InvalidImage -> "image"
            is JetonException.InvalidFile, is JetonException.PasswordRequired -> "file"
            is JetonException.SyncStorage, is JetonException.SyncRefused, is JetonException.SyncState,
            is JetonException.Pairing -> "sync"
            is JetonException.Internal -> "internal"
        }
        assertEquals("uri", kind)
    }
}
