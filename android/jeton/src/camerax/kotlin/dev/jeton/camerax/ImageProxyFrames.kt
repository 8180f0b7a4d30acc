package dev.jeton.camerax

import android.graphics.ImageFormat
import androidx.camera.core.ImageProxy
import dev.jeton.LumaFrame

/**
 * The luma plane of a CameraX `ImageAnalysis` frame (`YUV_420_888`), strides removed. The caller
 * still closes the [ImageProxy].
 *
 * @throws IllegalArgumentException for another format.
 */
fun ImageProxy.lumaFrame(): LumaFrame {
    require(format == ImageFormat.YUV_420_888) { "expected a YUV_420_888 frame, got format $format" }
    val y = planes[0]
    return LumaFrame.fromPlane(y.buffer, width, height, y.rowStride, y.pixelStride)
}
