package dev.jeton

import dev.jeton.ffi.AutoBackupOutcome
import dev.jeton.ffi.AutoBackupSetting
import dev.jeton.ffi.JetonException
import dev.jeton.ffi.KdfParameters
import dev.jeton.ffi.KeyBytes
import dev.jeton.ffi.KeyWrapException
import dev.jeton.ffi.KeyWrapper
import dev.jeton.ffi.OtpKind
import dev.jeton.ffi.VaultCode
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/** The vault through the FFI, with key wrappers written in Kotlin. */
class VaultTest {
    @TempDir
    lateinit var dir: File

    private val cheap = KdfParameters(memoryKib = 8u, iterations = 1u, parallelism = 1u)
    private val rfcUri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8"
    private val hotpUri = "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0"

    private fun path(name: String = "vault.jeton") = File(dir, name).path

    private fun aesKey(): SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    @Test
    fun aVaultKeepsItsAccountsAcrossCloseAndPassphraseUnlock() = blockingTest {
        val alice: String
        JetonVault.create(path(), "correct horse", cheap).use { vault ->
            alice = vault.accounts.addUri(rfcUri)
            vault.accounts.addUri(hotpUri)
            val codes = vault.accounts.codesAt(59u)
            assertEquals("94287082", ((codes[0] as VaultCode.Ready).code.digits))
            assertTrue(codes[1] is VaultCode.CounterBased)
        }
        JetonVault.open(path()).use { vault ->
            assertTrue(vault.isLocked)
            assertFailsWith<JetonException.Locked> { vault.accounts.list() }
            val e = assertFailsWith<JetonException.WrongPassphrase> { vault.unlock("wrong horse") }
            assertTrue(e.message!!.contains("passphrase"), e.message)
            vault.unlock("correct horse")
            val list = vault.accounts.list()
            assertEquals(listOf("ACME (alice)", "Bank (bob)"), list.map { it.label })
            assertEquals(alice, list[0].id)
            assertEquals(OtpKind.HOTP, list[1].kind)
            vault.accounts.get(alice).use { assertEquals("94287082", it.codeAt(59u).digits) }
        }
    }

    @Test
    fun hotpCodesFollowRfc4226AndTheCounterIsSaved() = blockingTest {
        val id: String
        JetonVault.create(path(), "password", cheap).use { vault ->
            id = vault.accounts.addUri(hotpUri)
            assertEquals(listOf("755224", "287082", "359152"), List(3) { vault.accounts.nextHotp(id).digits })
        }
        JetonVault.open(path()).use { vault ->
            vault.unlock("password")
            assertEquals("969429", vault.accounts.nextHotp(id).digits)
        }
    }

    @Test
    fun updateRenameReorderRemove() = blockingTest {
        JetonVault.create(path(), "password", cheap).use { vault ->
            val a = vault.accounts.addUri(rfcUri)
            val b = vault.accounts.addUri(hotpUri)
            vault.accounts.rename(a, "ACME Corp", "alice@acme")
            vault.accounts.reorder(listOf(b))
            assertEquals(listOf(b, a), vault.accounts.list().map { it.id })
            assertEquals("ACME Corp (alice@acme)", vault.accounts.list()[1].label)
            assertEquals(listOf(a), vault.accounts.search("corp").map { it.id })
            Jeton.account("otpauth://totp/New:carol?secret=JBSWY3DPEHPK3PXP").use { vault.accounts.update(a, it) }
            assertEquals("New (carol)", vault.accounts.list()[1].label)
            vault.accounts.remove(b)
            assertEquals(listOf(a), vault.accounts.list().map { it.id })
            assertFailsWith<JetonException.NoSuchAccount> { vault.accounts.remove(b) }
        }
    }

    @Test
    fun aKeyWrapperWrittenInKotlinUnlocksTheVault() = blockingTest {
        val key = aesKey()
        val wrapper = AesGcmKeyWrapper { key }
        JetonVault.create(path(), "password", cheap).use { vault ->
            vault.accounts.addUri(rfcUri)
            vault.keys.addPlatformSlot(wrapper)
            assertEquals(1u, vault.keys.platformSlotCount())
        }
        JetonVault.open(path()).use { vault ->
            vault.unlock(wrapper)
            assertFalse(vault.isLocked)
            assertEquals("94287082", (vault.accounts.codesAt(59u).single() as VaultCode.Ready).code.digits)
            vault.lock()
            assertTrue(vault.isLocked)
        }
        // The wrapped key on disk is not the key itself: another AES key cannot open it, and
        // the vault says to use the passphrase.
        JetonVault.open(path()).use { vault ->
            val e = assertFailsWith<JetonException.Keystore> { vault.unlock(AesGcmKeyWrapper { aesKey() }) }
            assertTrue(e.message!!.contains("passphrase"), e.message)
            vault.unlock("password")
        }
    }

    @Test
    fun aVaultsCodesCrossAsOneSheetAndReadAsRows() = blockingTest {
        JetonVault.create(path(), "password", cheap).use { vault ->
            val totp = vault.accounts.addUri(rfcUri)
            val hotp = vault.accounts.addUri(hotpUri)
            val rows = vault.codeRowsAt(59)
            // RFC 6238 (SHA-1, 8 digits, T = 59 s): 94287082, 1 s left in its step.
            assertEquals(listOf(CodeRow(totp, "94287082", 1), CodeRow(hotp, null, 0)), rows)
            assertEquals(
                (vault.accounts.codesAt(59u)[0] as VaultCode.Ready).code.digits,
                rows[0].code,
            )
        }
    }

    @Test
    fun aKeyWrapperMayCallBackIntoTheVaultWhileItRuns() = blockingTest {
        // A keystore prompt runs while the app keeps using the vault (the ticker asks whether
        // it is locked, a list is drawn): the vault is not held during the platform call.
        lateinit var vault: JetonVault
        val inner = AesGcmKeyWrapper(aesKey().let { k -> { k } })
        val reentrant = object : KeyWrapper {
            var lockedSeenDuringUnwrap: Boolean? = null
            override fun wrap(vaultKey: KeyBytes): ByteArray {
                assertEquals(1, vault.accounts.list().size)
                return inner.wrap(vaultKey)
            }
            override fun unwrap(wrapped: ByteArray): KeyBytes {
                lockedSeenDuringUnwrap = vault.isLocked
                return inner.unwrap(wrapped)
            }
        }
        vault = JetonVault.create(path(), "password", cheap)
        vault.use {
            it.accounts.addUri(rfcUri)
            it.keys.addPlatformSlot(reentrant)
        }
        vault = JetonVault.open(path())
        vault.use {
            it.unlock(reentrant)
            assertEquals(true, reentrant.lockedSeenDuringUnwrap)
            assertFalse(it.isLocked)
        }
    }

    @Test
    fun keyBytesLeaveNoCopyOnTheJvmHeap() {
        val unwrapped = ByteArray(32) { 7 }
        val key = unwrapped.moveIntoKeyBytes()
        assertTrue(unwrapped.all { it == 0.toByte() }, "the array handed to Rust is cleared")
        lateinit var lent: ByteArray
        val first = key.withBytes { bytes ->
            lent = bytes
            bytes[0]
        }
        assertEquals(7, first.toInt())
        assertTrue(lent.all { it == 0.toByte() }, "the copy lent to the cipher is cleared")
        assertContentEquals(ByteArray(32) { 7 }, key.bytes(), "Rust still holds the key")
    }

    @Test
    fun theWrapperNeverSeesTheSameCiphertextTwiceAndRoundTrips() {
        val wrapper = AesGcmKeyWrapper(aesKey().let { k -> { k } })
        val vaultKey = ByteArray(32) { it.toByte() }
        val first = wrapper.wrap(KeyBytes(vaultKey))
        val second = wrapper.wrap(KeyBytes(vaultKey))
        assertNotEquals(first.toList(), second.toList())
        assertEquals(1 + 12 + 32 + 16, first.size)
        assertContentEquals(vaultKey, wrapper.unwrap(first).bytes())
        first[20] = (first[20].toInt() xor 1).toByte()
        assertFailsWith<KeyWrapException.KeyGone> { wrapper.unwrap(first) }
        assertFailsWith<KeyWrapException.Failed> { wrapper.unwrap(ByteArray(3)) }
    }

    @Test
    fun aFailingOrThrowingPlatformKeyBecomesAKeystoreError() = blockingTest {
        val key = aesKey()
        JetonVault.create(path(), "password", cheap).use { vault -> vault.keys.addPlatformSlot(AesGcmKeyWrapper { key }) }
        val gone = object : KeyWrapper {
            override fun wrap(vaultKey: KeyBytes): ByteArray = throw KeyWrapException.KeyGone()
            override fun unwrap(wrapped: ByteArray): KeyBytes = throw KeyWrapException.KeyGone()
        }
        val broken = object : KeyWrapper {
            override fun wrap(vaultKey: KeyBytes): ByteArray = throw IllegalStateException("keystore on fire")
            override fun unwrap(wrapped: ByteArray): KeyBytes = throw IllegalStateException("keystore on fire")
        }
        val liar = object : KeyWrapper {
            override fun wrap(vaultKey: KeyBytes): ByteArray = vaultKey.bytes()
            override fun unwrap(wrapped: ByteArray): KeyBytes = KeyBytes(ByteArray(32))
        }
        JetonVault.open(path()).use { vault ->
            assertFailsWith<JetonException.Keystore> { vault.unlock(gone) }
            val e = assertFailsWith<JetonException.Keystore> { vault.unlock(broken) }
            assertTrue(e.message!!.contains("keystore on fire"), e.message)
            assertFailsWith<JetonException.Keystore> { vault.unlock(liar) }
            assertTrue(vault.isLocked)
            vault.unlock("password")
            assertFailsWith<JetonException.Keystore> { vault.keys.addPlatformSlot(broken) }
            assertEquals(1u, vault.keys.platformSlotCount())
        }
    }

    @Test
    fun badPathsAndIdsGetTypedErrors() = blockingTest {
        assertFailsWith<JetonException.VaultFile> { JetonVault.open(path("missing.jeton")) }
        File(dir, "notes.txt").writeText("not a vault at all")
        assertFailsWith<JetonException.VaultFile> { JetonVault.open(path("notes.txt")) }
        JetonVault.create(path(), "password", cheap).close()
        assertFailsWith<JetonException.VaultFile> { JetonVault.create(path(), "password", cheap) }
        JetonVault.open(path()).use { vault ->
            vault.unlock("password")
            for (id in listOf("", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "\u0000")) {
                assertFailsWith<JetonException.NoSuchAccount> { vault.accounts.remove(id) }
                assertFailsWith<JetonException.NoSuchAccount> { vault.accounts.nextHotp(id) }
                assertFailsWith<JetonException.NoSuchAccount> { vault.accounts.get(id) }
            }
            assertFailsWith<JetonException.InvalidUri> { vault.accounts.addUri("https://example.com") }
            assertFailsWith<JetonException.InvalidParameters> {
                vault.accounts.addUri(rfcUri).let { vault.accounts.nextHotp(it) }
            }
            assertFailsWith<JetonException.InvalidParameters> {
                JetonVault.create(path("bad-kdf.jeton"), "password", KdfParameters(0u, 0u, 0u))
            }
        }
    }

    @Test
    fun importIsAllOrNothingWithASummary() = blockingTest {
        JetonVault.create(path(), "password", cheap).use { vault ->
            vault.accounts.addUri(rfcUri)
            val list = """
                $rfcUri
                otpauth://totp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada
                otpauth://totp/Broken:x?secret=NOT*BASE32
            """.trimIndent()
            val summary = vault.accounts.importFile(list.toByteArray(), null)
            assertEquals(listOf("Air Canada (Benjamin)"), summary.added)
            assertEquals(listOf("ACME (alice)"), summary.duplicates)
            assertEquals(1, summary.refused.size)
            assertTrue(summary.refused[0].contains("base32"), summary.refused[0])
            assertEquals(2, vault.accounts.list().size)

            val e = assertFailsWith<JetonException.InvalidFile> {
                vault.accounts.importFile("{\"version\": 1, \"header\": {".toByteArray(), null)
            }
            assertTrue(e.message!!.isNotEmpty())
            assertEquals(2, vault.accounts.list().size)
        }
    }

    @Test
    fun aClockCheckIsKeptWithTheVaultAndCorrectsTheCodes() = blockingTest {
        JetonVault.create(path(), "password", cheap).use { vault ->
            vault.accounts.addUri(rfcUri)
            assertEquals(null, vault.clockOffsetSeconds)
            // The phone's clock reads 120 s less than the server's: the server's Date header says
            // 2005-03-18 01:58:29 UTC (Unix 1111111109), the phone's clock says 1111110989.
            // The request took 1 s: the estimate is the middle of the round trip against the
            // middle of the server's second, so exactly +120 s here.
            val sent = 1_111_110_989_000L
            val offset = vault.checkClock("Fri, 18 Mar 2005 01:58:29 GMT", sent, sent + 1_000)
            assertEquals(120L, offset)
        }
        JetonVault.open(path()).use { vault ->
            vault.unlock("password")
            assertEquals(120L, vault.clockOffsetSeconds)
            // RFC 6238 Appendix B, SHA-1, T = 1111111109: 07081804, although the phone's clock
            // is 2 minutes slow.
            val codes = vault.accounts.deviceCodesAt(1_111_110_989uL)
            assertEquals("07081804", (codes[0] as VaultCode.Ready).code.digits)
        }
    }

    @Test
    fun aBackupRestoresIntoAnotherVaultAndNeedsItsPassphrase() = blockingTest {
        val backup = JetonVault.create(path("a.jeton"), "password", cheap).use { vault ->
            vault.accounts.addUri(rfcUri)
            vault.accounts.addUri(hotpUri)
            assertFailsWith<JetonException.InvalidParameters> { vault.accounts.exportBackup("") }
            vault.accounts.exportBackup("backup passphrase")
        }
        assertFalse(String(backup).contains("GEZDGNBV"), "the backup is sealed")
        JetonVault.create(path("b.jeton"), "password", cheap).use { vault ->
            assertFailsWith<JetonException.WrongPassphrase> { vault.accounts.importFile(backup, "wrong") }
            assertEquals(0, vault.accounts.list().size)
            val summary = vault.accounts.importFile(backup, "backup passphrase")
            assertEquals(listOf("ACME (alice)", "Bank (bob)"), summary.added)
            // RFC 6238 Appendix B through the restored account.
            assertEquals("94287082", (vault.accounts.codesAt(59u)[0] as VaultCode.Ready).code.digits)
            assertEquals(listOf("ACME (alice)", "Bank (bob)"), vault.accounts.importFile(backup, "backup passphrase").duplicates)
        }
    }

    @Test
    fun automaticBackupsKeepTheNewestAndOpenWithTheVaultPassphrase() = blockingTest {
        val folder = File(dir, "backups").apply { mkdirs() }
        JetonVault.create(path("a.jeton"), "password", cheap).use { vault ->
            assertFailsWith<JetonException.WrongPassphrase> {
                runBlocking { vault.setAutoBackup(folder.path, 2, "wrong horse") }
            }
            assertNull(vault.autoBackup)
            runBlocking { vault.setAutoBackup(folder.path, 2, "password") }
            assertEquals(AutoBackupSetting(folder.path, 2u), vault.autoBackup)
            vault.accounts.addUri(rfcUri)
            vault.accounts.addUri(hotpUri)
            assertTrue(vault.lastAutoBackup is AutoBackupOutcome.Written, "${vault.lastAutoBackup}")
            vault.turnOffAutoBackup()
            vault.accounts.addUri("otpauth://totp/Later:x?secret=JBSWY3DPEHPK3PXP")
        }
        val files = folder.listFiles()!!.sortedBy { it.name }
        assertEquals(2, files.size, files.joinToString { it.name })
        JetonVault.create(path("b.jeton"), "password", cheap).use { other ->
            val summary = other.accounts.importFile(files.last().readBytes(), "password")
            assertEquals(listOf("ACME (alice)", "Bank (bob)"), summary.added)
        }
    }
}
