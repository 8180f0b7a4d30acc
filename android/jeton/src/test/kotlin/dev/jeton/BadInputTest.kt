package dev.jeton

import dev.jeton.ffi.JetonException

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.HashAlgorithm
import dev.jeton.ffi.OtpAccount
import dev.jeton.ffi.OtpKind
import dev.jeton.ffi.OtpParameters
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.nio.charset.CharacterCodingException
import kotlin.random.Random
import kotlin.test.assertFailsWith

/**
 * Random and hostile input thrown at every entry point: each call either returns or throws a
 * [JetonException]; nothing else escapes and the process does not crash.
 */
class BadInputTest {
    private val random = Random(20261129)

    private fun hostileStrings(): List<String> = buildList {
        add("")
        add("\u0000")
        add("otpauth://")
        add("otpauth://totp/")
        add("otpauth://totp/a?secret=")
        add("otpauth://totp/%ff%fe?secret=JBSWY3DP")
        add("otpauth://totp/a?secret=JBSWY3DP&period=-1&digits=999999999999&counter=x")
        add("otpauth://hotp/a?secret=JBSWY3DP&counter=18446744073709551616")
        add("otpauth://totp/a?secret=" + "A".repeat(10_000))
        add("x".repeat(1_000_000))
        add("🔑".repeat(5000))
        add("otpauth://totp/\uD800?secret=JBSWY3DP")
        repeat(300) {
            val length = random.nextInt(0, 200)
            add(String(CharArray(length) { random.nextInt(0, 0x3000).toChar() }))
            add("otpauth://totp/" + String(CharArray(length) { "aZ2:?&=%/#+ -7".random(random) }))
        }
    }

    private fun wellFormed(text: String) = text.indices.all { i ->
        val c = text[i]
        when {
            c.isHighSurrogate() -> i + 1 < text.length && text[i + 1].isLowSurrogate()
            c.isLowSurrogate() -> i > 0 && text[i - 1].isHighSurrogate()
            else -> true
        }
    }

    /**
     * Runs [call] on [inputs]; it must return or throw a [JetonException]. Text that is not
     * well-formed UTF-16 (a lone surrogate) cannot become a Rust string: the generated bindings
     * refuse it before the call with a [CharacterCodingException], which is accepted here.
     */
    private fun survives(what: String, vararg inputs: String, call: () -> Unit) {
        try {
            call()
        } catch (e: CharacterCodingException) {
            assertTrue(inputs.any { !wellFormed(it) }, "$what: $e for well-formed text")
        } catch (e: JetonException) {
            assertTrue(!e.message.isNullOrBlank(), "$what: an error without a message")
            assertTrue(e !is JetonException.Internal, "$what: an internal error: ${e.message}")
        }
    }

    @Test
    fun uriParsingSurvivesAnything() {
        for (text in hostileStrings()) survives("fromUri", text) { OtpAccount.fromUri(text).close() }
    }

    @Test
    fun theShellTurnsIllFormedTextIntoATypedError() {
        val e = assertFailsWith<JetonException.InvalidUri> { Jeton.account("otpauth://totp/\uD800?secret=JBSWY3DP") }
        assertTrue(e.message!!.contains("Unicode"), e.message)
    }

    @Test
    fun base32SecretsSurviveAnything() {
        val parameters = Vectors.parameters(OtpKind.TOTP, HashAlgorithm.SHA1, 6)
        for (text in hostileStrings()) {
            survives("fromBase32 secret", text) { OtpAccount.fromBase32(text, text, text, parameters).close() }
        }
    }

    @Test
    fun everyParameterCombinationSurvives() {
        val values = listOf(0uL, 1uL, 29uL, 30uL, 59uL, 1uL shl 32, ULong.MAX_VALUE - 1uL, ULong.MAX_VALUE)
        repeat(2000) {
            val parameters = OtpParameters(
                OtpKind.entries.random(random),
                HashAlgorithm.entries.random(random),
                random.nextInt(0, 256).toUByte(),
                listOf(0u, 1u, 30u, UInt.MAX_VALUE).random(random),
                values.random(random),
                values.random(random),
            )
            val seed = random.nextBytes(random.nextInt(0, 100))
            survives("fromBytes $parameters") {
                OtpAccount.fromBytes(null, "", seed, parameters).use { account ->
                    val unix = values.random(random)
                    survives("codeAt $unix") { account.codeAt(unix) }
                    val typed = hostileStrings().random(random)
                    survives("verify $unix", typed) { account.verify(typed, unix, random.nextInt(0, 2000).toUInt()) }
                    val outcome = Jeton.codes(listOf(account), unix.toLong()).single()
                    assertTrue(outcome is CodeOutcome.Ready || outcome is CodeOutcome.Failed)
                }
            }
        }
    }

    @Test
    fun verifyWithAHugeWindowStaysBounded() {
        Vectors.rfc6238Account(HashAlgorithm.SHA1).use { account ->
            survives("verify huge window") { account.verify("94287082", ULong.MAX_VALUE, 3u) }
            survives("verify huge window") { account.verify("", 0u, 10_000u) }
        }
    }
}
