package dev.jeton

import dev.jeton.ffi.CodeOutcome
import dev.jeton.ffi.JetonException
import dev.jeton.ffi.OtpAccount
import dev.jeton.ffi.ScannedCode
import dev.jeton.ffi.Scanner
import dev.jeton.ffi.codesAt
import dev.jeton.ffi.coreVersion
import dev.jeton.ffi.scanFrame
import dev.jeton.ffi.scanImage
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.nio.charset.CharacterCodingException

/**
 * The entry point of Jeton on the JVM and Android: everything here is a thin call into the Rust
 * core, which holds all OTP, crypto and parsing logic.
 *
 * Errors are [JetonException], a sealed hierarchy (`when (e) { is JetonException.InvalidUri ->
 * ... }` is exhaustive) whose messages are written for the user and can be shown as is.
 */
object Jeton {
    /** The version of the Rust core in use. */
    val version: String get() = coreVersion()

    /**
     * Reads an `otpauth://` URI (from a QR code or a setup page).
     *
     * @throws JetonException.InvalidUri, JetonException.InvalidSecret or
     *   JetonException.InvalidParameters, with a message for the user.
     */
    fun account(uri: String): OtpAccount =
        try {
            OtpAccount.fromUri(uri)
        } catch (_: CharacterCodingException) {
            // A lone UTF-16 surrogate cannot become UTF-8: the bindings refuse it before Rust.
            throw JetonException.InvalidUri("this text is not valid Unicode, so it cannot be an otpauth:// URI")
        }

    /**
     * The codes of all [accounts] at [unixSeconds], in one call into the core (a call costs
     * microseconds, so never ask account by account).
     */
    fun codes(accounts: List<OtpAccount>, unixSeconds: Long = Clock.system.unixSeconds()): List<CodeOutcome> =
        codesAt(accounts, unixSeconds.toULong())

    /**
     * A [kotlinx.coroutines.flow.Flow] that emits the codes of [accounts] at once and then at
     * the start of every second, with each code's seconds left.
     */
    fun codeTicks(accounts: List<OtpAccount>, clock: Clock = Clock.system) =
        CodeTicker(clock) { unix -> codesAt(accounts, unix.toULong()) }.ticks()

    /**
     * The QR codes in a camera [frame], read on [dispatcher] (the camera's analysis thread can
     * hand frames over and go on). [scanner] sets another time budget than the camera's default.
     * @throws JetonException.InvalidImage for a frame the scanner cannot read.
     */
    suspend fun scan(
        frame: LumaFrame,
        scanner: Scanner? = null,
        dispatcher: CoroutineDispatcher = Dispatchers.Default,
    ): List<ScannedCode> = withContext(dispatcher) {
        val (width, height) = frame.width.toUInt() to frame.height.toUInt()
        if (scanner == null) {
            scanFrame(frame.pixels, width, height, width)
        } else {
            scanner.scanFrame(frame.pixels, width, height, width)
        }
    }

    /**
     * The QR codes in an image file's bytes (PNG, JPEG, GIF, WebP: a screenshot or a photo),
     * read on [dispatcher]. @throws JetonException.InvalidImage for a file that is no image.
     */
    suspend fun scan(image: ByteArray, dispatcher: CoroutineDispatcher = Dispatchers.Default): List<ScannedCode> =
        withContext(dispatcher) { scanImage(image) }
}
