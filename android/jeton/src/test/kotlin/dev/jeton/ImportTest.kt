package dev.jeton

import dev.jeton.ffi.JetonException
import dev.jeton.ffi.KdfParameters
import dev.jeton.ffi.OtpAccount
import dev.jeton.ffi.OtpKind
import dev.jeton.ffi.defaultTotpParameters
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

/**
 * Encrypted exports that other apps wrote (andOTP, Authenticator Pro) reach the vault through the
 * one import call, password and all. The files are the shared fixtures (from Aegis's importer
 * tests); the tests skip when the folder is absent.
 */
class ImportTest {
    @TempDir
    lateinit var dir: File

    private val cheap = KdfParameters(memoryKib = 8u, iterations = 1u, parallelism = 1u)

    private fun fixture(name: String): ByteArray? {
        val folder = System.getProperty("jeton.fixtures")?.let(::File)
        if (folder == null || !folder.isDirectory) {
            println("ImportTest: shared fixtures not found (../shared/fixtures/other-apps-exports), $name skipped")
            return null
        }
        return File(folder, name).readBytes()
    }

    /** The fixtures' README: every file holds some of these accounts, with these secrets. */
    private val deno = "4SJHB4GSD43FZBAI7C2HLRJGPQ"

    private suspend fun importsSevenAccounts(name: String, password: String) {
        val file = fixture(name) ?: return
        JetonVault.create(File(dir, "$name.jeton").path, "correct horse", cheap).use { vault ->
            assertFailsWith<JetonException.PasswordRequired> { vault.importFile(file) }
            assertFailsWith<JetonException.WrongPassphrase> { vault.importFile(file, "not $password") }
            assertEquals(0, vault.accounts.list().size)

            val summary = vault.importFile(file, password)
            assertEquals(
                listOf(
                    "Air Canada (Benjamin)", "Airbnb (Elijah)", "Boeing (Sophia)", "Deno (Mason)",
                    "Issuu (James)", "SPDX (James)", "WWE (Mason)",
                ),
                summary.added.sorted(),
                "$name: $summary",
            )
            assertEquals(emptyList(), summary.refused)
            val entries = vault.accounts.list().associateBy { it.label }
            assertEquals(OtpKind.STEAM, entries.getValue("Boeing (Sophia)").kind)
            assertEquals(10300uL, entries.getValue("WWE (Mason)").counter)
            // The secret and parameters read out of the encrypted file are the README's (SHA-1,
            // 6 digits, 30 s): the same codes as an account typed from the README.
            val typed = OtpAccount.fromBase32("Deno", "Mason", deno, defaultTotpParameters())
            val imported = vault.accounts.get(entries.getValue("Deno (Mason)").id)
            for (t in listOf(59uL, 1_111_111_109uL, 2_000_000_000uL)) {
                assertEquals(typed.codeAt(t).digits, imported.codeAt(t).digits, "$name at $t")
            }
            assertEquals(summary.added.sorted(), vault.importFile(file, password).duplicates.sorted())
        }
    }

    @Test
    fun anEncryptedAndOtpBackupImportsWithItsPassword() = blockingTest {
        importsSevenAccounts("andotp_encrypted.bin", "test")
    }

    @Test
    fun anEncryptedAuthenticatorProBackupImportsWithItsPassword() = blockingTest {
        importsSevenAccounts("stratum_encrypted.bin", "test")
    }
}
