import XCTest
@testable import Jeton

/// Scanning a PNG drawn by qrencode (ios/generate.sh draws it) (mirrors ScanTest.kt).
final class ScanTests: XCTestCase {
    func testAPngDrawnByQrencodeGivesTheAccount() throws {
        let png = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("build/qrencode.png")
        guard let bytes = try? Data(contentsOf: png) else {
            throw XCTSkip("no build/qrencode.png: run ios/generate.sh")
        }
        let codes = try scanImage(bytes: bytes)
        XCTAssertEqual(codes.count, 1)
        guard case let .account(account) = codes[0].content else { return XCTFail("not an account") }
        XCTAssertEqual(try account.codeAt(unixSeconds: 59).digits, "94287082")
    }

    func testBadImagesAreTyped() {
        XCTAssertThrowsError(try scanImage(bytes: Data("not an image".utf8)))
        XCTAssertThrowsError(try scanFrame(luma: Data(count: 10), width: 4, height: 4, rowStride: 4))
        XCTAssertEqual(try scanFrame(luma: Data(repeating: 0x7f, count: 320 * 240), width: 320, height: 240, rowStride: 320).count, 0)
    }
}
