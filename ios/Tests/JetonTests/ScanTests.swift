import Foundation
import XCTest
@testable import Jeton

/// Scanning through the FFI: a PNG drawn by `qrencode` (an independent encoder; ios/generate.sh
/// draws it) and real camera frames from another app's test suite (shared fixtures, when the
/// machine has them) (twin of ScanTest.kt).
final class ScanTests: XCTestCase {
    private let drawnUri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8"

    private func drawnPng() throws -> Data {
        let png = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("build/qrencode.png")
        guard let bytes = try? Data(contentsOf: png) else {
            XCTFail("no build/qrencode.png: run ios/generate.sh (scripts/test.d/swift.sh does)")
            throw CocoaError(.fileNoSuchFile)
        }
        return bytes
    }

    func testAPngDrawnByQrencodeGivesTheAccountAndItsRfcCode() throws {
        let codes = try scanImage(bytes: try drawnPng())
        XCTAssertEqual(codes.count, 1)
        XCTAssertEqual(codes[0].corners.count, 4)
        // An account's code arrives as an account, never as its text (which holds the secret).
        guard case let .account(account) = codes[0].content else { return XCTFail("not an account") }
        XCTAssertEqual(account.toUri(), try OtpAccount.fromUri(uri: drawnUri).toUri())
        XCTAssertEqual(try account.codeAt(unixSeconds: 59).digits, "94287082")
        // Straight from the scan into a vault.
        let vault = try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "password", kdf: Vectors.cheapKdf)
        _ = try vault.accounts.add(account: account)
        guard case let .ready(_, code) = try vault.accounts.codesAt(unixSeconds: 59).first else { return XCTFail() }
        XCTAssertEqual(code.digits, "94287082")
    }

    /// A Google Authenticator export of two codes (scripts/scan/google-export.sh writes its
    /// protobuf from Google's schema and qrencode draws it), collected across scans in Rust:
    /// Swift holds opaque parts, never the codes' text (twin of ScanTest.kt).
    func testAGoogleExportOfTwoCodesIsCollectedAcrossScansAndImportedWhole() async throws {
        let build = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("build")
        let parts = try (1...2).map { n -> MigrationPart in
            let png = build.appendingPathComponent("migration-\(n).png")
            guard let bytes = try? Data(contentsOf: png) else {
                XCTFail("no \(png.path): run ios/generate.sh (scripts/test.d/swift.sh does)")
                throw CocoaError(.fileNoSuchFile)
            }
            let codes = try scanImage(bytes: bytes)
            guard codes.count == 1, case let .migration(part) = codes[0].content else {
                XCTFail("migration-\(n).png: not one Google export code")
                throw CocoaError(.fileReadCorruptFile)
            }
            return part
        }
        let vault = try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "password", kdf: Vectors.cheapKdf)
        let scans = MigrationScans()
        // The second code first, then again: one of two, and a repeat changes nothing.
        let first = try scans.add(part: parts[1])
        XCTAssertEqual([first.scanned, first.total], [1, 2])
        XCTAssertFalse(first.complete)
        XCTAssertTrue(try scans.add(part: parts[1]).repeated)
        do {
            _ = try await vault.importScans(scans)
            XCTFail("imported with a code missing")
        } catch JetonError.InvalidFile {}
        XCTAssertEqual(try vault.accounts.list().count, 0)

        XCTAssertTrue(try scans.add(part: parts[0]).complete)
        let summary = try await vault.importScans(scans)
        XCTAssertEqual(summary.added.sorted(), ["ACME (alice)", "Omnivox (2412345)"])
        // RFC 6238's SHA-1 secret at T = 59 s: 94287082, of which 6 digits.
        let digits = try vault.accounts.codesAt(unixSeconds: 59).map { outcome -> String in
            guard case let .ready(_, code) = outcome else { return "not ready" }
            return code.digits
        }
        XCTAssertEqual(digits, ["287082", "287082"])
    }

    /// The shared fixtures' camera frames are gzipped Y planes; gunzip is on every Linux.
    private func gunzip(_ path: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return data
    }

    func testRealCameraFramesWithARowStrideAreRead() throws {
        let fixtures = ProcessInfo.processInfo.environment["JETON_FIXTURES"] ?? ""
        guard !fixtures.isEmpty, FileManager.default.fileExists(atPath: fixtures + "/qr.y.gz") else {
            throw XCTSkip("shared fixtures not found (../shared/fixtures/other-apps-exports): camera frames skipped")
        }
        let expected = try OtpAccount.fromUri(uri: "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j&algorithm=SHA1&digits=6&period=30").toUri()
        // An account's code arrives as an account, never as its text.
        func uri(_ code: ScannedCode) -> String {
            guard case let .account(account) = code.content else { return "not an account" }
            return account.toUri()
        }
        // A 5 s budget, as in the Kotlin twin: a debug core on a busy 2-core machine can take
        // longer than the default budget for the pass that finds these frames' code.
        let scanner = Jeton.Scanner(budgetMs: 5000)
        let strided = try gunzip(fixtures + "/qr.strided.y.gz")
        // The shell's adapter removes the row padding, as it does for a camera's Y plane.
        let frame = try strided.withUnsafeBytes { try LumaPlane(plane: $0, width: 1840, height: 1380, rowStride: 1856) }
        XCTAssertEqual(try frame.scanQrCodes(with: scanner).map(uri), [expected])
        // The core also reads the padded plane in place.
        XCTAssertEqual(try scanner.scanFrame(luma: strided, width: 1840, height: 1380, rowStride: 1856).map(uri), [expected])
        let plain = try gunzip(fixtures + "/qr.y.gz")
        XCTAssertEqual(try scanner.scanFrame(luma: plain, width: 1600, height: 1200, rowStride: 1600).map(uri), [expected])
    }

    func testBlankFramesHoldNoCode() throws {
        XCTAssertEqual(try scanFrame(luma: Data(repeating: 0x7f, count: 320 * 240), width: 320, height: 240, rowStride: 320).count, 0)
    }

    func testBadImagesAndFramesGetTypedErrors() throws {
        func invalidImage(_ call: () throws -> Void, _ what: String) {
            guard case .InvalidImage = Vectors.jetonError(call) else { return XCTFail(what) }
        }
        invalidImage({ _ = try scanImage(bytes: Data()) }, "empty")
        invalidImage({ _ = try scanImage(bytes: Data("not an image".utf8)) }, "text")
        let png = try drawnPng()
        invalidImage({ _ = try scanImage(bytes: png.prefix(png.count / 2)) }, "half a PNG")
        var random = BadInputTests.SeededGenerator(state: 7)
        for _ in 0..<200 {
            var bytes = Data((0..<Int.random(in: 0..<4096, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            if Bool.random(using: &random), bytes.count > 8 { bytes.replaceSubrange(0..<8, with: png.prefix(8)) }
            do {
                _ = try scanImage(bytes: bytes)
            } catch JetonError.InvalidImage {
            }
        }
        invalidImage({ _ = try scanFrame(luma: Data(count: 10), width: 4, height: 4, rowStride: 4) }, "short frame")
        invalidImage({ _ = try scanFrame(luma: Data(count: 100), width: 10, height: 10, rowStride: 5) }, "stride below width")
        invalidImage({ _ = try scanFrame(luma: Data(), width: 0, height: 0, rowStride: 0) }, "empty frame")
        invalidImage({ _ = try scanFrame(luma: Data(count: 16), width: .max, height: .max, rowStride: .max) }, "huge frame")
    }
}
