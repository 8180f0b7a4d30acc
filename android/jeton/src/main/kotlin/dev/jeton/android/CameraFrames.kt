package dev.jeton.android

import android.graphics.ImageFormat
import android.media.Image
import dev.jeton.LumaFrame

/**
 * The luma plane of a camera frame in `YUV_420_888` (what CameraX's `ImageAnalysis` and Camera2
 * deliver), with its row and pixel strides removed.
 *
 * @throws IllegalArgumentException for another format.
 */
fun Image.lumaFrame(): LumaFrame {
    require(format == ImageFormat.YUV_420_888) { "expected a YUV_420_888 frame, got format $format" }
    val y = planes[0]
    return LumaFrame.fromPlane(y.buffer, width, height, y.rowStride, y.pixelStride)
}
