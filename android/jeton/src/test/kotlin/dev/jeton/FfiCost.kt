package dev.jeton

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.HashAlgorithm
import dev.jeton.ffi.KdfParameters
import dev.jeton.ffi.OtpAccount
import dev.jeton.ffi.VaultCode
import dev.jeton.ffi.codesAt
import dev.jeton.ffi.coreVersion
import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.runBlocking

/**
 * The cost of crossing the FFI from Kotlin (JNA), for docs/performance.md. Not a test: run by
 * scripts/ffi-cost.sh after scripts/test.d/kotlin.sh has compiled the classes.
 */
fun main() {
    fun medianMicros(runs: Int, inner: Int, block: () -> Unit): Double {
        repeat(runs / 2) { repeat(inner) { block() } } // warm-up
        val samples = DoubleArray(runs) {
            val start = System.nanoTime()
            repeat(inner) { block() }
            (System.nanoTime() - start) / 1000.0 / inner
        }
        samples.sort()
        return samples[runs / 2]
    }

    val one = Vectors.rfc6238Account(HashAlgorithm.SHA1)
    println("empty call (coreVersion)          : %.2f µs".format(medianMicros(200, 1000) { coreVersion() }))
    println("one TOTP (OtpAccount.codeAt)      : %.2f µs".format(medianMicros(200, 1000) { one.codeAt(59u) }))

    val accounts = (0 until 1000).map { i ->
        OtpAccount.fromUri("otpauth://totp/Issuer$i:user$i?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Issuer$i")
    }
    val batch = medianMicros(50, 10) {
        check(codesAt(accounts, 59u).all { it is CodeOutcome.Ready })
    }
    println("1,000 codes, codesAt(accounts)    : %.0f µs".format(batch))

    val dir = Files.createTempDirectory("jeton-ffi-cost").toFile()
    runBlocking { JetonVault.create(File(dir, "v.jeton").path, "password", KdfParameters(8u, 1u, 1u)) }.use { vault ->
        for (account in accounts) vault.accounts.add(account)
        val vaultBatch = medianMicros(50, 10) {
            check(vault.accounts.codesAt(59u).all { it is VaultCode.Ready })
        }
        println("1,000 codes, vault.accounts.codesAt: %.0f µs".format(vaultBatch))
        val sheet = medianMicros(50, 10) {
            check(vault.accounts.deviceCodeSheetAt(59u).lines.length > 40_000)
        }
        println("1,000 codes, deviceCodeSheetAt     : %.0f µs".format(sheet))
        val rows = medianMicros(50, 10) {
            check(vault.codeRowsAt(59L).size == 1000)
        }
        println("1,000 codes, sheet -> 1,000 rows   : %.0f µs".format(rows))
    }
    dir.deleteRecursively()
    accounts.forEach { it.close() }
    one.close()
}
