import XCTest
@testable import Jeton

/// The row- and pixel-stride handling behind `CVPixelBuffer.scanQrCodes()`, which cannot be
/// built on Linux (twin of LumaFrameTest.kt).
final class LumaPlaneTests: XCTestCase {
    private func plane(_ bytes: [UInt8], width: Int, height: Int, rowStride: Int, pixelStride: Int = 1) throws -> LumaPlane {
        try bytes.withUnsafeBytes { try LumaPlane(plane: $0, width: width, height: height, rowStride: rowStride, pixelStride: pixelStride) }
    }

    func testRowPaddingIsDropped() throws {
        // 3x2 frame, rows padded to 5 bytes; the last row is not padded (as cameras do).
        let frame = try plane([1, 2, 3, 99, 99, 4, 5, 6], width: 3, height: 2, rowStride: 5)
        XCTAssertEqual([UInt8](frame.pixels), [1, 2, 3, 4, 5, 6])
    }

    func testPixelStrideIsHonoured() throws {
        let frame = try plane([1, 0, 2, 0, 3, 0, 0, 0, 4, 0, 5, 0, 6], width: 3, height: 2, rowStride: 8, pixelStride: 2)
        XCTAssertEqual([UInt8](frame.pixels), [1, 2, 3, 4, 5, 6])
    }

    func testAPlaneFromAnOffsetInABiggerBufferWorks() throws {
        let buffer: [UInt8] = [7, 7, 1, 2, 3, 4, 0, 0, 0, 0]
        let frame = try buffer.withUnsafeBytes { bytes in
            try LumaPlane(plane: UnsafeRawBufferPointer(rebasing: bytes[2...]), width: 2, height: 2, rowStride: 2)
        }
        XCTAssertEqual([UInt8](frame.pixels), [1, 2, 3, 4])
    }

    func testAPlaneTooSmallForItsSizeIsRefused() {
        XCTAssertThrowsError(try plane([UInt8](repeating: 0, count: 7), width: 3, height: 2, rowStride: 5)) {
            XCTAssertEqual($0 as? LumaPlane.Problem, .planeTooSmall(bytes: 7, needed: 8))
        }
        XCTAssertThrowsError(try plane([UInt8](repeating: 0, count: 100), width: 3, height: 2, rowStride: 2)) {
            XCTAssertEqual($0 as? LumaPlane.Problem, .strideTooSmall(rowStride: 2, pixelStride: 1, width: 3))
        }
        XCTAssertThrowsError(try plane([UInt8](repeating: 0, count: 100), width: 0, height: 2, rowStride: 2))
        XCTAssertThrowsError(try plane([UInt8](repeating: 0, count: 100), width: .max, height: .max, rowStride: .max))
    }
}
