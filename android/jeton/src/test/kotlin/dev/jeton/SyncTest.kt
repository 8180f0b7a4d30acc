package dev.jeton

import dev.jeton.ffi.HandoffReceiver
import dev.jeton.ffi.JetonException
import dev.jeton.ffi.KdfParameters
import dev.jeton.ffi.SyncStore
import dev.jeton.ffi.SyncStoreException
import dev.jeton.ffi.VaultCode
import dev.jeton.ffi.folderSyncStore
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.FileAlreadyExistsException
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.nio.file.Path
import java.util.concurrent.ConcurrentHashMap
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** A store kept in memory, as a platform store would be written: the contract, nothing more. */
class MemoryStore : SyncStore {
    val files = ConcurrentHashMap<String, ByteArray>()

    /** When set, every call fails as an unreachable server does. */
    @Volatile var offline = false

    private fun reach() {
        if (offline) throw SyncStoreException.Unreachable("no network")
    }

    override fun create(name: String, bytes: ByteArray): Boolean {
        reach()
        return files.putIfAbsent(name, bytes.copyOf()) == null
    }

    override fun read(name: String, limit: ULong): ByteArray? {
        reach()
        val bytes = files[name] ?: return null
        if (bytes.size.toULong() > limit) throw SyncStoreException.TooLarge(limit)
        return bytes.copyOf()
    }

    override fun list(prefix: String): List<String> {
        reach()
        return files.keys.filter { it.startsWith("$prefix/") }
    }

    override fun delete(name: String) {
        reach()
        files.remove(name)
    }
}

/**
 * A folder store written with java.nio: a temporary file, then a hard link to the final name,
 * which fails when that name exists (never overwrites; a reader never sees half a file).
 */
class NioFolderStore(private val root: Path) : SyncStore {
    override fun create(name: String, bytes: ByteArray): Boolean {
        val target = root.resolve(name)
        Files.createDirectories(target.parent)
        val temp = Files.createTempFile(target.parent, ".tmp-", "")
        try {
            Files.write(temp, bytes)
            Files.createLink(target, temp)
            return true
        } catch (e: FileAlreadyExistsException) {
            return false
        } finally {
            Files.deleteIfExists(temp)
        }
    }

    override fun read(name: String, limit: ULong): ByteArray? = try {
        val path = root.resolve(name)
        if (Files.size(path).toULong() > limit) throw SyncStoreException.TooLarge(limit)
        Files.readAllBytes(path)
    } catch (e: NoSuchFileException) {
        null
    }

    override fun list(prefix: String): List<String> {
        val folder = root.resolve(prefix)
        if (!Files.isDirectory(folder)) return emptyList()
        Files.walk(folder).use { paths ->
            return paths.filter { Files.isRegularFile(it) && !it.fileName.toString().startsWith(".tmp-") }
                .map { root.relativize(it).joinToString("/") }
                .toList()
        }
    }

    override fun delete(name: String) {
        Files.deleteIfExists(root.resolve(name))
    }
}

/** Sync through the Kotlin shell, with stores written in Kotlin. */
class SyncTest {
    @TempDir
    lateinit var dir: File

    private val cheap = KdfParameters(memoryKib = 8u, iterations = 1u, parallelism = 1u)

    // RFC 6238's SHA-1 secret, 8 digits: 94287082 at t = 59 (Appendix B).
    private val rfcUri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8"
    private val hotpUri = "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0"

    private suspend fun vault(name: String) = JetonVault.create(File(dir, name).path, "correct horse", cheap)

    private fun labels(vault: JetonVault) = vault.accounts.list().map { it.label }.sorted()

    /** The old phone invites, the new one scans and types the code, joins and syncs. */
    private fun pair(old: JetonVault, new: JetonVault, store: SyncStore) = runBlocking {
        val invitation = old.invite("memory")
        assertTrue(invitation.payload.startsWith("JETON-PAIR:1:"), invitation.payload)
        val pairing = JetonVault.acceptPairing(invitation.payload, invitation.code)
        assertEquals("memory", pairing.storeAddress())
        new.joinSync(store, pairing)
    }

    @Test
    fun aNewPhonePairsAndGetsEveryAccountThroughAKotlinStore() = blockingTest {
        val store = MemoryStore()
        vault("old.jeton").use { old ->
            vault("new.jeton").use { new ->
                old.accounts.addUri(rfcUri)
                old.accounts.addUri(hotpUri)
                val first = runBlocking { old.startSync(store) }
                assertTrue(first.sent >= 2u, "$first")
                assertTrue(old.isSyncSetUp)
                assertTrue(store.files.keys.none { it.contains("acme") || it.contains("bank") }, "${store.files.keys}")

                val joined = pair(old, new, store)
                assertEquals(2u, joined.added)
                assertEquals(listOf("ACME (alice)", "Bank (bob)"), labels(new))
                val rfc = new.accounts.list().first { it.label == "ACME (alice)" }.id
                val code = new.accounts.codesAt(59u).first { (it as? VaultCode.Ready)?.id == rfc }
                assertEquals("94287082", (code as VaultCode.Ready).code.digits)

                // An edit on the new phone reaches the old one; so does a removal.
                new.accounts.rename(rfc, "ACME", "alice@school")
                runBlocking { new.sync(store) }
                val back = runBlocking { old.sync(store) }
                assertEquals(1u, back.updated)
                assertEquals(listOf("ACME (alice@school)", "Bank (bob)"), labels(old))
                old.accounts.remove(old.accounts.list().first { it.label == "Bank (bob)" }.id)
                runBlocking { old.sync(store) }
                assertEquals(1u, runBlocking { new.sync(store) }.removed)
                assertEquals(listOf("ACME (alice@school)"), labels(new))

                old.leaveSync()
                assertFalse(old.isSyncSetUp)
                assertEquals(listOf("ACME (alice@school)"), labels(old))
            }
        }
    }

    @Test
    fun aHotpCodeUsedOnOnePhoneIsNeverShownAgainOnTheOther() = blockingTest {
        val store = MemoryStore()
        vault("a.jeton").use { a ->
            vault("b.jeton").use { b ->
                val id = a.accounts.addUri(hotpUri)
                runBlocking { a.startSync(store) }
                pair(a, b, store)
                // RFC 4226 Appendix D: counter 0 → 755224, 1 → 287082.
                assertEquals("755224", a.accounts.nextHotp(id).digits)
                runBlocking { a.sync(store) }
                runBlocking { b.sync(store) }
                val onB = b.accounts.list().single().id
                assertEquals("287082", b.accounts.nextHotp(onB).digits)
            }
        }
    }

    @Test
    fun aKotlinFolderStoreAndRustsFolderStoreReadEachOther() = blockingTest {
        val folder = File(dir, "drive").apply { mkdirs() }
        vault("kotlin.jeton").use { k ->
            vault("rust.jeton").use { r ->
                k.accounts.addUri(rfcUri)
                runBlocking { k.startSync(NioFolderStore(folder.toPath())) }
                val rust = folderSyncStore(folder.path)
                pair(k, r, rust)
                assertEquals(listOf("ACME (alice)"), labels(r))
                r.accounts.addUri(hotpUri)
                runBlocking { r.sync(rust) }
                assertEquals(1u, runBlocking { k.sync(NioFolderStore(folder.toPath())) }.added)
                assertEquals(listOf("ACME (alice)", "Bank (bob)"), labels(k))
            }
        }
    }

    @Test
    fun anUnreachableStoreAppliesNothingAndTheNextSyncCatchesUp() = blockingTest {
        val store = MemoryStore()
        vault("a.jeton").use { a ->
            vault("b.jeton").use { b ->
                runBlocking { a.startSync(store) }
                pair(a, b, store)
                a.accounts.addUri(rfcUri)
                runBlocking { a.sync(store) }
                store.offline = true
                val e = assertFailsWith<JetonException.SyncStorage> { runBlocking { b.sync(store) } }
                assertTrue(e.message!!.contains("no network"), e.message)
                assertEquals(emptyList(), labels(b))
                store.offline = false
                assertEquals(1u, runBlocking { b.sync(store) }.added)
            }
        }
    }

    @Test
    fun aStoreRolledBackToAnOldCopyIsRefusedAndNothingIsDeleted() = blockingTest {
        val store = MemoryStore()
        vault("a.jeton").use { a ->
            vault("b.jeton").use { b ->
                a.accounts.addUri(rfcUri)
                runBlocking { a.startSync(store) }
                pair(a, b, store)
                val oldCopy = HashMap(store.files)
                a.accounts.addUri(hotpUri)
                runBlocking { a.sync(store) }
                runBlocking { b.sync(store) }
                assertEquals(2, b.accounts.list().size)

                store.files.clear()
                store.files.putAll(oldCopy)
                val e = assertFailsWith<JetonException.SyncRefused> { runBlocking { b.sync(store) } }
                assertTrue(e.message!!.contains("back in time"), e.message)
                assertEquals(2, b.accounts.list().size)
            }
        }
    }

    @Test
    fun aLostPhoneIsReplacedWithTheRecoveryPassphraseAlone() = blockingTest {
        val store = MemoryStore()
        vault("lost.jeton").use { lost ->
            lost.accounts.addUri(rfcUri)
            runBlocking {
                lost.startSync(store)
                lost.setRecoveryPassphrase(store, "four random words here")
            }
        }
        assertTrue(store.files.values.none { String(it, Charsets.ISO_8859_1).contains("four random") })
        vault("new.jeton").use { new ->
            assertFailsWith<JetonException.WrongPassphrase> {
                runBlocking { new.joinSync(store, recoveryPassphrase = "five random words here") }
            }
            assertFalse(new.isSyncSetUp)
            assertEquals(1u, runBlocking { new.joinSync(store, recoveryPassphrase = "four random words here") }.added)
            assertEquals(listOf("ACME (alice)"), labels(new))
        }
    }

    @Test
    fun aPhoneHandsItsAccountsToANewOneAsQrCodesWithNoStorage() = blockingTest {
        vault("old.jeton").use { old ->
            vault("new.jeton").use { new ->
                old.accounts.addUri(rfcUri)
                repeat(11) { old.accounts.addUri("otpauth://totp/Club$it:student$it@example.org?secret=JBSWY3DPEHPK3PX${'A' + it}") }
                val series = runBlocking { old.handOff() }
                assertTrue(series.frames.size >= 2, "${series.frames.size}")
                val receiver = HandoffReceiver()
                for (frame in series.frames.reversed()) receiver.add(frame)
                assertFailsWith<JetonException.WrongPassphrase> { runBlocking { new.receiveHandoff(receiver, "AAAAA-AAAAA") } }
                assertEquals(12, runBlocking { new.receiveHandoff(receiver, series.code) }.added.size)
                assertEquals(labels(old), labels(new))
                val rfc = new.accounts.list().first { it.label == "ACME (alice)" }.id
                val code = new.accounts.codesAt(59u).first { (it as? VaultCode.Ready)?.id == rfc }
                assertEquals("94287082", (code as VaultCode.Ready).code.digits)
                assertFailsWith<JetonException.Pairing> { HandoffReceiver().add(rfcUri) }
            }
        }
    }

    @Test
    fun aWrongPairingCodeOrAForeignQrCodeIsRefused() = blockingTest {
        val store = MemoryStore()
        vault("a.jeton").use { a ->
            runBlocking { a.startSync(store) }
            val invitation = runBlocking { a.invite("memory") }
            val wrong = if (invitation.code.startsWith("A")) "B" + invitation.code.drop(1) else "A" + invitation.code.drop(1)
            assertFailsWith<JetonException.WrongPassphrase> { runBlocking { JetonVault.acceptPairing(invitation.payload, wrong) } }
            assertFailsWith<JetonException.Pairing> { runBlocking { JetonVault.acceptPairing(rfcUri, invitation.code) } }
        }
    }

    @Test
    fun aStoreThatBreaksTheContractIsCaughtInRust() = blockingTest {
        val liar = object : SyncStore by MemoryStore() {
            override fun list(prefix: String) = listOf("$prefix/../../etc/passwd")
        }
        vault("a.jeton").use { a ->
            a.accounts.addUri(rfcUri)
            val e = assertFailsWith<JetonException.SyncStorage> { runBlocking { a.startSync(liar) } }
            assertTrue(e.message!!.contains("invalid sync file name"), e.message)
        }
    }
}
