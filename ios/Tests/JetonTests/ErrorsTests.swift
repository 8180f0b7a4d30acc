import XCTest
@testable import Jeton

/// Typed errors for bad input, and a contained panic (mirrors ErrorsTest.kt / BadInputTest.kt).
final class ErrorsTests: XCTestCase {
    private func error(_ call: () throws -> Void) -> JetonError? {
        do {
            try call()
            return nil
        } catch let error as JetonError {
            return error
        } catch {
            XCTFail("not a JetonError: \(error)")
            return nil
        }
    }

    func testBadUrisSecretsAndParametersAreTyped() {
        guard case .InvalidUri = error({ _ = try OtpAccount.fromUri(uri: "https://example.com") }) else { return XCTFail() }
        guard case .InvalidSecret = error({ _ = try OtpAccount.fromUri(uri: "otpauth://totp/a?secret=JBSW1Y3DP") }) else { return XCTFail() }
        guard case .InvalidParameters = error({ _ = try OtpAccount.fromUri(uri: "otpauth://totp/a?secret=JBSWY3DP&digits=12") }) else { return XCTFail() }
        guard case .InvalidSecret = error({ _ = try OtpAccount.fromBytes(issuer: nil, name: "a", secret: Data(), parameters: Vectors.parameters(.totp, .sha1, digits: 6)) }) else { return XCTFail() }
    }

    func testAPanicInsideTheCoreArrivesAsAnInternalError() throws {
        guard case let .Internal(message) = error({ try panicInsideJeton(message: "deliberate test panic") }) else { return XCTFail() }
        XCTAssertTrue(message.contains("deliberate test panic"))
        XCTAssertEqual(try Vectors.account(.sha1).codeAt(unixSeconds: 59).digits, "94287082")
    }

    func testRandomTextNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let length = Int.random(in: 0..<200, using: &generator)
            let text = String((0..<length).map { _ in Character(UnicodeScalar(UInt8.random(in: 0...255, using: &generator))) })
            _ = error({ _ = try OtpAccount.fromUri(uri: "otpauth://totp/" + text) })
            _ = error({ _ = try OtpAccount.fromUri(uri: text) })
        }
    }
}
