#if canImport(CoreVideo)
import CoreVideo

extension CVPixelBuffer {
    /// Every QR code in this camera frame, read from its luma plane (plane 0 of the bi-planar
    /// `420YpCbCr8BiPlanar` formats that `AVCaptureVideoDataOutput` delivers), row stride
    /// included. Only the bytes the frame needs are copied.
    public func scanQrCodes() throws -> [ScannedCode] {
        let format = CVPixelBufferGetPixelFormatType(self)
        guard format == kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange
            || format == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange
        else {
            throw JetonError.InvalidImage(message: "expected a 420YpCbCr8BiPlanar camera frame")
        }
        CVPixelBufferLockBaseAddress(self, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(self, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddressOfPlane(self, 0) else {
            throw JetonError.InvalidImage(message: "the camera frame has no luma plane")
        }
        let width = CVPixelBufferGetWidthOfPlane(self, 0)
        let height = CVPixelBufferGetHeightOfPlane(self, 0)
        let rowStride = CVPixelBufferGetBytesPerRowOfPlane(self, 0)
        let count = height > 0 ? (height - 1) * rowStride + width : 0
        let luma = Data(bytes: base, count: count)
        return try scanFrame(luma: luma, width: UInt32(width), height: UInt32(height), rowStride: UInt32(rowStride))
    }
}
#endif
