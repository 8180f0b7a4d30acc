package dev.jeton

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.HashAlgorithm
import dev.jeton.ffi.OtpAccount
import dev.jeton.ffi.OtpKind
import dev.jeton.ffi.OtpParameters
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull

/** RFC 4226 Appendix D and RFC 6238 Appendix B, through the FFI. */
class RfcVectorsTest {
    @Test
    fun hotpMatchesRfc4226AppendixD() {
        val expected = listOf(
            "755224", "287082", "359152", "969429", "338314",
            "254676", "287922", "162583", "399871", "520489",
        )
        expected.forEachIndexed { counter, digits ->
            val parameters = Vectors.parameters(OtpKind.HOTP, HashAlgorithm.SHA1, 6).copy(counter = counter.toULong())
            OtpAccount.fromBytes(null, "rfc4226", Vectors.SHA1_SEED, parameters).use { account ->
                val code = account.codeAt(0u)
                assertEquals(digits, code.digits, "counter $counter")
                assertEquals(counter.toULong(), code.step)
                assertNull(code.secondsLeft)
            }
        }
    }

    @Test
    fun totpMatchesRfc6238AppendixB() {
        for ((time, sha1, sha256, sha512) in Vectors.RFC6238) {
            for ((algorithm, digits) in listOf(
                HashAlgorithm.SHA1 to sha1, HashAlgorithm.SHA256 to sha256, HashAlgorithm.SHA512 to sha512,
            )) {
                Vectors.rfc6238Account(algorithm).use { account ->
                    val code = account.codeAt(time.toULong())
                    assertEquals(digits, code.digits, "$algorithm at $time")
                    assertEquals((time / 30).toULong(), code.step)
                    assertEquals((30 - time % 30).toUInt(), code.secondsLeft)
                }
            }
        }
    }

    @Test
    fun oneBatchCallGivesEveryAccountsCode() {
        val accounts = HashAlgorithm.entries.map { Vectors.rfc6238Account(it) }
        for ((time, sha1, sha256, sha512) in Vectors.RFC6238) {
            val codes = Jeton.codes(accounts, time)
            assertEquals(listOf(sha1, sha256, sha512), codes.map { (it as CodeOutcome.Ready).code.digits })
        }
        accounts.forEach { it.close() }
    }

    @Test
    fun aUriWithTheRfcSeedGivesTheRfcCodes() {
        // Base32 of the RFC seed "12345678901234567890".
        val uri = "otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&digits=8"
        Jeton.account(uri).use { account ->
            assertEquals("94287082", account.codeAt(59u).digits)
            val details = account.details()
            assertEquals("ACME Co", details.issuer)
            assertEquals("alice@example.com", details.name)
            assertEquals(8.toUByte(), details.parameters.digits)
            Jeton.account(account.toUri()).use { again -> assertEquals(details, again.details()) }
        }
    }

    @Test
    fun verifyFindsTheStepOfATypedCode() {
        Vectors.rfc6238Account(HashAlgorithm.SHA1).use { account ->
            assertEquals(1uL, account.verify("94287082", 59u, 1u))
            assertEquals(1uL, account.verify("94287082", 89u, 1u))
            // Ten steps later. (Written as one literal: kotlinc 2.4 folds `59u + 300u` passed as a
            // ULong into a boxed Long, which fails at run time with a ClassCastException.)
            assertNull(account.verify("94287082", 359u, 1u))
            assertNull(account.verify("00000000", 59u, 1u))
        }
    }
}

/** The published test seeds and codes. */
internal object Vectors {
    val SHA1_SEED = "12345678901234567890".toByteArray()
    val SHA256_SEED = "12345678901234567890123456789012".toByteArray()
    val SHA512_SEED = "1234567890".repeat(6).plus("1234").toByteArray()

    data class TotpVector(val time: Long, val sha1: String, val sha256: String, val sha512: String)

    val RFC6238 = listOf(
        TotpVector(59, "94287082", "46119246", "90693936"),
        TotpVector(1111111109, "07081804", "68084774", "25091201"),
        TotpVector(1111111111, "14050471", "67062674", "99943326"),
        TotpVector(1234567890, "89005924", "91819424", "93441116"),
        TotpVector(2000000000, "69279037", "90698825", "38618901"),
        TotpVector(20000000000, "65353130", "77737706", "47863826"),
    )

    fun parameters(kind: OtpKind, algorithm: HashAlgorithm, digits: Int) =
        OtpParameters(kind, algorithm, digits.toUByte(), 30u, 0uL, 0uL)

    fun rfc6238Account(algorithm: HashAlgorithm): OtpAccount {
        val seed = when (algorithm) {
            HashAlgorithm.SHA1 -> SHA1_SEED
            HashAlgorithm.SHA256 -> SHA256_SEED
            HashAlgorithm.SHA512 -> SHA512_SEED
        }
        return OtpAccount.fromBytes("RFC 6238", algorithm.name, seed, parameters(OtpKind.TOTP, algorithm, 8))
    }
}
