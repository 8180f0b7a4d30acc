#if canImport(CoreVideo)
import CoreVideo

extension CVPixelBuffer {
    /// Every QR code in this camera frame, read from its luma plane (plane 0 of the bi-planar
    /// `420YpCbCr8BiPlanar` formats that `AVCaptureVideoDataOutput` delivers). The byte handling
    /// (row stride, bounds) is `LumaPlane`'s, which is compiled and tested on every platform.
    public func scanQrCodes(with scanner: Scanner? = nil) throws -> [ScannedCode] {
        let format = CVPixelBufferGetPixelFormatType(self)
        guard format == kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange
            || format == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange
        else {
            throw JetonError.InvalidImage(message: "expected a 420YpCbCr8BiPlanar camera frame")
        }
        guard CVPixelBufferLockBaseAddress(self, .readOnly) == kCVReturnSuccess else {
            throw JetonError.InvalidImage(message: "the camera frame could not be locked for reading")
        }
        defer { CVPixelBufferUnlockBaseAddress(self, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddressOfPlane(self, 0) else {
            throw JetonError.InvalidImage(message: "the camera frame has no luma plane")
        }
        let height = CVPixelBufferGetHeightOfPlane(self, 0)
        let rowStride = CVPixelBufferGetBytesPerRowOfPlane(self, 0)
        let plane = UnsafeRawBufferPointer(start: base, count: height * rowStride)
        let luma: LumaPlane
        do {
            luma = try LumaPlane(plane: plane, width: CVPixelBufferGetWidthOfPlane(self, 0), height: height, rowStride: rowStride)
        } catch {
            throw JetonError.InvalidImage(message: "\(error)")
        }
        return try luma.scanQrCodes(with: scanner)
    }
}
#endif
