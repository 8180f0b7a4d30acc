package dev.jeton

import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Test
import kotlin.test.assertFailsWith
import java.nio.ByteBuffer

class LumaFrameTest {
    @Test
    fun rowPaddingIsDropped() {
        // 3x2 frame, rows padded to 5 bytes; the last row is not padded (as cameras do).
        val plane = ByteBuffer.wrap(byteArrayOf(1, 2, 3, 99, 99, 4, 5, 6))
        val frame = LumaFrame.fromPlane(plane, width = 3, height = 2, rowStride = 5)
        assertArrayEquals(byteArrayOf(1, 2, 3, 4, 5, 6), frame.pixels)
        assert(plane.position() == 0)
    }

    @Test
    fun pixelStrideIsHonoured() {
        val plane = ByteBuffer.wrap(byteArrayOf(1, 0, 2, 0, 3, 0, 0, 0, 4, 0, 5, 0, 6))
        val frame = LumaFrame.fromPlane(plane, width = 3, height = 2, rowStride = 8, pixelStride = 2)
        assertArrayEquals(byteArrayOf(1, 2, 3, 4, 5, 6), frame.pixels)
    }

    @Test
    fun aDirectBufferFromItsPositionWorks() {
        val plane = ByteBuffer.allocateDirect(10)
        plane.put(byteArrayOf(7, 7, 1, 2, 3, 4, 0, 0, 0, 0))
        plane.position(2)
        assertArrayEquals(byteArrayOf(1, 2, 3, 4), LumaFrame.fromPlane(plane, 2, 2, rowStride = 2).pixels)
    }

    @Test
    fun aPlaneTooSmallForItsSizeIsRefused() {
        assertFailsWith<IllegalArgumentException> { LumaFrame.fromPlane(ByteBuffer.allocate(7), 3, 2, rowStride = 5) }
        assertFailsWith<IllegalArgumentException> { LumaFrame.fromPlane(ByteBuffer.allocate(100), 3, 2, rowStride = 2) }
        assertFailsWith<IllegalArgumentException> { LumaFrame.fromPlane(ByteBuffer.allocate(100), 0, 2, rowStride = 2) }
    }
}
