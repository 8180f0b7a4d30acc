package dev.jeton

import dev.jeton.ffi.CodeOutcome
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.map

/** A source of the current time, replaceable in tests. */
fun interface Clock {
    /** Milliseconds since the Unix epoch. */
    fun unixMillis(): Long

    /** Whole seconds since the Unix epoch. */
    fun unixSeconds(): Long = Math.floorDiv(unixMillis(), 1000L)

    companion object {
        /** The system's wall clock: TOTP codes follow wall time. */
        val system: Clock = Clock { System.currentTimeMillis() }
    }
}

/** The codes of a list at one second. */
data class CodeTick(
    /** The second the codes are for. */
    val unixSeconds: Long,
    /** One outcome per account, in the list's order. */
    val codes: List<CodeOutcome>,
)

/**
 * Emits [CodeTick]s: one right away, then one at the start of each second. Each tick is one call
 * into the core for the whole list.
 */
class CodeTicker internal constructor(
    private val clock: Clock,
    private val pause: suspend (Long) -> Unit,
    private val codesAt: (Long) -> List<CodeOutcome>,
) {
    /** A ticker on [clock] that computes each tick with [codesAt]. */
    constructor(clock: Clock, codesAt: (Long) -> List<CodeOutcome>) :
        this(clock, { millis -> delay(millis) }, codesAt)

    /** The ticks; cancel the collecting coroutine to stop. */
    fun ticks(): Flow<CodeTick> = everySecond(clock, pause).map { second -> CodeTick(second, codesAt(second)) }
}

/** The current second at once, then each following second as it starts. */
internal fun everySecond(clock: Clock, pause: suspend (Long) -> Unit = { delay(it) }): Flow<Long> = flow {
    while (true) {
        emit(Math.floorDiv(clock.unixMillis(), 1000L))
        pause(1000L - Math.floorMod(clock.unixMillis(), 1000L))
    }
}
