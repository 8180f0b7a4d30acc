package dev.jeton

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.HashAlgorithm
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** Many threads generating codes at once, from shared and from their own accounts. */
class ConcurrencyTest {
    @Test
    fun eightThreadsGetTheRfcCodesFromSharedAccounts() {
        val shared = HashAlgorithm.entries.map { Vectors.rfc6238Account(it) }
        val pool = Executors.newFixedThreadPool(8)
        try {
            val tasks = (0 until 8).map { worker ->
                Callable {
                    var checked = 0
                    repeat(500) { round ->
                        val vector = Vectors.RFC6238[(worker + round) % Vectors.RFC6238.size]
                        val codes = Jeton.codes(shared, vector.time).map { (it as CodeOutcome.Ready).code.digits }
                        assertEquals(listOf(vector.sha1, vector.sha256, vector.sha512), codes)
                        assertEquals(vector.sha512, shared[2].codeAt(vector.time.toULong()).digits)
                        Vectors.rfc6238Account(HashAlgorithm.SHA1).use { own ->
                            assertEquals(vector.sha1, own.codeAt(vector.time.toULong()).digits)
                        }
                        checked += 3
                    }
                    checked
                }
            }
            val total = pool.invokeAll(tasks, 2, TimeUnit.MINUTES).sumOf { it.get() }
            assertEquals(8 * 500 * 3, total)
        } finally {
            pool.shutdownNow()
            shared.forEach { it.close() }
        }
    }
}
