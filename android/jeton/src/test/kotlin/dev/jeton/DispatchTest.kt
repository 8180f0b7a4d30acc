package dev.jeton

import dev.jeton.ffi.JetonException
import dev.jeton.ffi.KdfParameters
import dev.jeton.ffi.KeyBytes
import dev.jeton.ffi.KeyWrapper
import dev.jeton.ffi.ScannedContent
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.concurrent.Executors
import javax.crypto.KeyGenerator
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The shell's slow calls run on the dispatcher it was given, never on the caller's thread, and
 * the Rust side does not hold the vault while they run: the ticker keeps getting codes.
 */
class DispatchTest {
    @TempDir
    lateinit var dir: File

    private val cheap = KdfParameters(memoryKib = 8u, iterations = 1u, parallelism = 1u)
    private val rfcUri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8"

    private fun path(name: String = "vault.jeton") = File(dir, name).path

    private fun namedDispatcher(name: String) =
        Executors.newSingleThreadExecutor { Thread(it, name) }.asCoroutineDispatcher()

    /** A keystore that takes [millis] (a biometric prompt) and notes the thread it ran on. */
    private class SlowKeystore(private val millis: Long) : KeyWrapper {
        private val inner = AesGcmKeyWrapper(KeyGenerator.getInstance("AES").apply { init(256) }.generateKey().let { k -> { k } })
        val threads = mutableListOf<String>()
        override fun wrap(vaultKey: KeyBytes): ByteArray = inner.wrap(vaultKey).also { pause() }
        override fun unwrap(wrapped: ByteArray): KeyBytes = inner.unwrap(wrapped).also { pause() }
        private fun pause() {
            threads += Thread.currentThread().name
            Thread.sleep(millis)
        }
    }

    @Test
    fun slowCallsRunOnTheInjectedDispatcher() = blockingTest {
        namedDispatcher("jeton-cpu").use { cpu ->
            val keystore = SlowKeystore(0)
            JetonVault.create(path(), "correct horse", cheap, cpu = cpu).use { vault ->
                vault.accounts.addUri(rfcUri)
                vault.addPlatformSlot(keystore)
                val backup = vault.exportBackup("backup passphrase")
                vault.lock()
                vault.unlock(keystore)
                assertEquals(listOf("jeton-cpu", "jeton-cpu"), keystore.threads)
                // An encrypted file without its password: the shell can ask for it.
                assertFailsWith<JetonException.PasswordRequired> { vault.importFile(backup) }
                assertEquals(listOf("ACME (alice)"), vault.importFile(backup, "backup passphrase").duplicates)
                val tick = vault.codeTicks(Clock { 59_000L }).first()
                assertEquals("94287082", tick.rows.single().code)
            }
        }
    }

    @Test
    fun theTickerKeepsTickingWhileAnUnlockOrAPassphraseChangeRuns() = blockingTest {
        namedDispatcher("jeton-cpu").use { cpu ->
            val keystore = SlowKeystore(400)
            // Default Argon2id costs for the passphrase change: the slow part must not hold the vault.
            JetonVault.create(path(), "correct horse", cheap, cpu = cpu).use { vault ->
                vault.accounts.addUri(rfcUri)
                vault.addPlatformSlot(keystore)
                keystore.threads.clear()
                vault.lock()

                val unlocking = async(cpu) { vault.unlock(keystore) }
                var longest = 0L
                var answers = 0
                while (!unlocking.isCompleted) {
                    val asked = System.nanoTime()
                    // Locked until the keystore returns: the answer must come at once all the same.
                    runCatching { vault.codeRowsAt(59) }
                    longest = maxOf(longest, System.nanoTime() - asked)
                    answers++
                    Thread.sleep(5)
                }
                unlocking.await()
                assertTrue(answers >= 10, "$answers answers during a 400 ms keystore call")
                assertTrue(longest < 200_000_000L, "the ticker waited ${longest / 1_000_000} ms during the unlock")

                val changing = async(cpu) { vault.changePassphrase("a new passphrase") }
                val started = System.nanoTime()
                longest = 0L
                answers = 0
                while (!changing.isCompleted) {
                    val asked = System.nanoTime()
                    assertEquals("94287082", vault.codeRowsAt(59).single().code)
                    longest = maxOf(longest, System.nanoTime() - asked)
                    answers++
                    Thread.sleep(2)
                }
                changing.await()
                val whole = System.nanoTime() - started
                assertTrue(answers >= 3, "$answers codes during the change")
                assertTrue(longest * 2 < whole, "the ticker waited ${longest / 1_000_000} of ${whole / 1_000_000} ms")
            }
            JetonVault.open(path(), cpu = cpu).use { it.unlock("a new passphrase") }
        }
    }

    @Test
    fun framesAndImagesAreScannedOffTheCallersThread() = blockingTest {
        namedDispatcher("jeton-scan").use { scan ->
            assertEquals(emptyList(), Jeton.scan(LumaFrame(320, 240, ByteArray(320 * 240) { 0x7f }), dispatcher = scan))
            val png = File(System.getProperty("jeton.qrencode.png") ?: error("run through scripts/test.d/kotlin.sh"))
            val codes = Jeton.scan(png.readBytes(), dispatcher = scan)
            val account = (codes.single().content as ScannedContent.Account).account
            assertEquals("ACME (alice)", account.details().label)
        }
    }
}
