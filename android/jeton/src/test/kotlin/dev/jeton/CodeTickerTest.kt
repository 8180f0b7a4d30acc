package dev.jeton

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.HashAlgorithm
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class CodeTickerTest {
    /** A clock that only moves when the ticker waits. */
    private class FakeClock(var now: Long) : Clock {
        val waits = mutableListOf<Long>()
        override fun unixMillis() = now
        suspend fun pause(millis: Long) {
            waits += millis
            now += millis
        }
    }

    @Test
    fun ticksAtTheStartOfEachSecondWithTheSecondsLeft() {
        val clock = FakeClock(57_250L)
        val account = Vectors.rfc6238Account(HashAlgorithm.SHA1)
        val ticker = CodeTicker(clock, clock::pause) { unix -> Jeton.codes(listOf(account), unix) }
        val ticks = runBlocking { ticker.ticks().take(4).toList() }
        assertEquals(listOf(57L, 58L, 59L, 60L), ticks.map { it.unixSeconds })
        assertEquals(listOf(750L, 1000L, 1000L), clock.waits)
        val codes = ticks.map { (it.codes.single() as CodeOutcome.Ready).code }
        assertEquals(listOf(3u, 2u, 1u, 30u), codes.map { it.secondsLeft })
        assertEquals("94287082", codes[2].digits)
        assertEquals(codes[0].digits, codes[2].digits)
        account.close()
    }

    @Test
    fun theRealFlowEmitsOncePerSecond() {
        val account = Vectors.rfc6238Account(HashAlgorithm.SHA1)
        val started = System.nanoTime()
        val ticks = runBlocking { Jeton.codeTicks(listOf(account)).take(2).toList() }
        val elapsedMs = (System.nanoTime() - started) / 1_000_000
        assertEquals(1L, ticks[1].unixSeconds - ticks[0].unixSeconds)
        assert(elapsedMs in 0..1500) { "two ticks took $elapsedMs ms" }
        account.close()
    }
}
