import Foundation

/// The luma (Y) plane of a camera frame, packed one byte per pixel and row after row, as the
/// core's scanner reads it. Cameras hand over planes with padding at the end of each row (row
/// stride) and sometimes between pixels (pixel stride); `init(plane:…)` removes both.
///
/// This is the byte handling behind `CVPixelBuffer.scanQrCodes()`, kept apart from CoreVideo so
/// that it is compiled and tested on every platform.
public struct LumaPlane: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height` bytes, row after row.
    public let pixels: Data

    /// Why a plane cannot be read as a frame of the size it claims.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        /// Width or height is not positive.
        case emptySize(width: Int, height: Int)
        /// The strides cannot hold a row of `width` pixels.
        case strideTooSmall(rowStride: Int, pixelStride: Int, width: Int)
        /// The plane holds fewer bytes than the size and strides need.
        case planeTooSmall(bytes: Int, needed: Int)

        public var description: String {
            switch self {
            case let .emptySize(width, height):
                return "a frame needs a positive size, not \(width)x\(height)"
            case let .strideTooSmall(rowStride, pixelStride, width):
                return "row stride \(rowStride) and pixel stride \(pixelStride) cannot hold \(width) pixels"
            case let .planeTooSmall(bytes, needed):
                return "the plane has \(bytes) bytes, the frame needs \(needed)"
            }
        }
    }

    /// Copies a Y plane out of a camera buffer. The last row need not be padded (cameras don't).
    public init(plane: UnsafeRawBufferPointer, width: Int, height: Int, rowStride: Int, pixelStride: Int = 1) throws {
        guard width > 0, height > 0 else { throw Problem.emptySize(width: width, height: height) }
        let (lastPixel, overflowA) = (width - 1).multipliedReportingOverflow(by: pixelStride)
        guard pixelStride >= 1, !overflowA, rowStride > lastPixel else {
            throw Problem.strideTooSmall(rowStride: rowStride, pixelStride: pixelStride, width: width)
        }
        let (rows, overflowB) = (height - 1).multipliedReportingOverflow(by: rowStride)
        let (needed, overflowC) = rows.addingReportingOverflow(lastPixel + 1)
        guard !overflowB, !overflowC, plane.count >= needed else {
            throw Problem.planeTooSmall(bytes: plane.count, needed: overflowB || overflowC ? Int.max : needed)
        }
        var pixels = Data(count: width * height)
        pixels.withUnsafeMutableBytes { out in
            for row in 0..<height {
                let source = row * rowStride
                let target = row * width
                if pixelStride == 1 {
                    out[target..<target + width].copyBytes(from: plane[source..<source + width])
                } else {
                    for column in 0..<width {
                        out[target + column] = plane[source + column * pixelStride]
                    }
                }
            }
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Every QR code in this frame.
    public func scanQrCodes(with scanner: Scanner? = nil) throws -> [ScannedCode] {
        if let scanner {
            return try scanner.scanFrame(luma: pixels, width: UInt32(width), height: UInt32(height), rowStride: UInt32(width))
        }
        return try scanFrame(luma: pixels, width: UInt32(width), height: UInt32(height), rowStride: UInt32(width))
    }
}
