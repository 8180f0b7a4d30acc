package dev.jeton

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking

/** A JUnit test body that calls the shell's `suspend` functions (kotlinx-coroutines-test is not on the class path). */
internal fun blockingTest(body: suspend CoroutineScope.() -> Unit) = runBlocking(block = body)
