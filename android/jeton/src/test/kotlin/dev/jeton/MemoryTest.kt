package dev.jeton

import dev.jeton.ffi.JetonException

import dev.jeton.ffi.HashAlgorithm
import dev.jeton.ffi.OtpAccount
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File

/**
 * 100,000 calls that each move buffers and objects across the boundary, with the process's
 * resident memory compared before and after. A leak of even 100 bytes a call would add ~10 MB.
 */
class MemoryTest {
    private fun residentKiB(): Long =
        File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()

    private fun round(accounts: List<OtpAccount>, i: Int) {
        val time = 59L + i
        val codes = Jeton.codes(accounts, time)
        assertEquals(accounts.size, codes.size)
        Jeton.account("otpauth://totp/Memory%20Test:user$i?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Memory%20Test").use {
            it.details()
        }
        try {
            Jeton.account("otpauth://totp/bad?secret=NOT-BASE32-$i")
        } catch (_: JetonException.InvalidSecret) {
        }
    }

    @Test
    fun oneHundredThousandCallsDoNotGrowMemory() {
        if (!File("/proc/self/status").exists()) return println("MemoryTest: no /proc here, skipped")
        val accounts = (0 until 10).map { Vectors.rfc6238Account(HashAlgorithm.entries[it % 3]) }
        // Warm up: JIT, JNA's native structures, allocator pools.
        for (i in 0 until 5_000) round(accounts, i)
        System.gc()
        val before = residentKiB()
        // 25,000 rounds of 4 calls (codes, parse, details, failing parse) = 100,000 calls.
        for (i in 0 until 25_000) round(accounts, i)
        System.gc()
        val after = residentKiB()
        accounts.forEach { it.close() }
        println("MemoryTest: resident ${before / 1024} MiB before, ${after / 1024} MiB after 100,000 calls")
        assertTrue(after - before < 16 * 1024, "resident memory grew by ${(after - before) / 1024} MiB")
    }
}
