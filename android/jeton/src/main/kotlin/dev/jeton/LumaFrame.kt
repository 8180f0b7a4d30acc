package dev.jeton

import java.nio.ByteBuffer

/**
 * The luma (Y) plane of a camera frame, packed one byte per pixel and row after row, as the
 * core's scanner reads it. Cameras hand over planes with padding at the end of each row (row
 * stride) and sometimes between pixels (pixel stride); [fromPlane] removes both.
 */
class LumaFrame(
    /** Width in pixels. */
    val width: Int,
    /** Height in pixels. */
    val height: Int,
    /** `width * height` bytes, row after row. */
    val pixels: ByteArray,
) {
    init {
        require(width > 0 && height > 0) { "a frame needs a positive size, not ${width}x$height" }
        require(pixels.size == width * height) {
            "a ${width}x$height frame has ${width * height} luma bytes, not ${pixels.size}"
        }
    }

    companion object {
        /**
         * Copies a Y plane out of a camera buffer. Reads from the buffer's position without
         * moving it.
         */
        fun fromPlane(buffer: ByteBuffer, width: Int, height: Int, rowStride: Int, pixelStride: Int = 1): LumaFrame {
            require(width > 0 && height > 0) { "a frame needs a positive size, not ${width}x$height" }
            require(pixelStride >= 1 && rowStride >= (width - 1) * pixelStride + 1) {
                "row stride $rowStride and pixel stride $pixelStride cannot hold $width pixels"
            }
            val needed = (height - 1).toLong() * rowStride + (width - 1).toLong() * pixelStride + 1
            require(buffer.remaining() >= needed) {
                "the plane has ${buffer.remaining()} bytes, a ${width}x$height frame needs $needed"
            }
            val source = buffer.duplicate()
            val start = source.position()
            val pixels = ByteArray(width * height)
            for (row in 0 until height) {
                val rowStart = start + row * rowStride
                if (pixelStride == 1) {
                    source.position(rowStart)
                    source.get(pixels, row * width, width)
                } else {
                    for (column in 0 until width) {
                        pixels[row * width + column] = source.get(rowStart + column * pixelStride)
                    }
                }
            }
            return LumaFrame(width, height, pixels)
        }
    }
}
