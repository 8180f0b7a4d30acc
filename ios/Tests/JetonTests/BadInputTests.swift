import XCTest
@testable import Jeton

/// Random and hostile input thrown at every entry point: each call either returns or throws a
/// `JetonError` with a message; nothing else escapes and the process does not crash (twin of
/// BadInputTest.kt).
final class BadInputTests: XCTestCase {
    /// A small seeded generator (SplitMix64), so a failure can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private var random = SeededGenerator(state: 20_261_129)

    private func hostileStrings() -> [String] {
        var strings = [
            "", "\u{0}", "otpauth://", "otpauth://totp/", "otpauth://totp/a?secret=",
            "otpauth://totp/%ff%fe?secret=JBSWY3DP",
            "otpauth://totp/a?secret=JBSWY3DP&period=-1&digits=999999999999&counter=x",
            "otpauth://hotp/a?secret=JBSWY3DP&counter=18446744073709551616",
            "otpauth://totp/a?secret=" + String(repeating: "A", count: 10_000),
            String(repeating: "x", count: 1_000_000),
            String(repeating: "🔑", count: 5000),
            "otpauth://totp/\u{202E}evil\u{1B}[2J?secret=JBSWY3DP",
        ]
        let alphabet = Array("aZ2:?&=%/#+ -7")
        for _ in 0..<300 {
            let length = Int.random(in: 0..<200, using: &random)
            strings.append(String(String.UnicodeScalarView((0..<length).compactMap { _ in
                UnicodeScalar(UInt32.random(in: 0..<0x3000, using: &random))
            })))
            strings.append("otpauth://totp/" + String((0..<length).map { _ in alphabet.randomElement(using: &random)! }))
        }
        return strings
    }

    /// Runs `call`; it must return or throw a JetonError with a message that is not `Internal`.
    private func survives(_ what: String, _ call: () throws -> Void) {
        do {
            try call()
        } catch let error as JetonError {
            XCTAssertFalse(Vectors.message(error).isEmpty, "\(what): an error without a message")
            if case .Internal = error { XCTFail("\(what): an internal error: \(error)") }
        } catch {
            XCTFail("\(what): not a JetonError: \(error)")
        }
    }

    func testUriParsingSurvivesAnything() {
        for text in hostileStrings() {
            survives("fromUri \(text.prefix(40))") { _ = try OtpAccount.fromUri(uri: text) }
        }
    }

    /// Kotlin's twin feeds a lone UTF-16 surrogate, which a Swift `String` cannot hold. What a
    /// Swift app can hold is text decoded from bytes that were not UTF-8: the replacement
    /// characters it gets must give a typed error, not a crash.
    func testTextDecodedFromBrokenBytesIsATypedError() {
        let broken = String(decoding: Data([0x6F, 0x74, 0x70, 0xFF, 0xFE, 0xC3]), as: UTF8.self)
        guard case .InvalidUri = Vectors.jetonError({ _ = try OtpAccount.fromUri(uri: broken) }) else { return XCTFail() }
        let inName = "otpauth://totp/" + String(decoding: Data([0xED, 0xA0, 0x80]), as: UTF8.self) + "?secret=JBSWY3DP"
        survives("replacement characters in the name") { _ = try OtpAccount.fromUri(uri: inName) }
    }

    func testBase32SecretsSurviveAnything() {
        let parameters = Vectors.parameters(.totp, .sha1, digits: 6)
        for text in hostileStrings() {
            survives("fromBase32 \(text.prefix(40))") {
                _ = try OtpAccount.fromBase32(issuer: text, name: text, secret: text, parameters: parameters)
            }
        }
    }

    func testEveryParameterCombinationSurvives() {
        let values: [UInt64] = [0, 1, 29, 30, 59, 1 << 32, UInt64.max - 1, UInt64.max]
        let kinds: [OtpKind] = [.totp, .hotp, .steam]
        let algorithms: [HashAlgorithm] = [.sha1, .sha256, .sha512]
        let typed = hostileStrings()
        for _ in 0..<2000 {
            let parameters = OtpParameters(
                kind: kinds.randomElement(using: &random)!,
                algorithm: algorithms.randomElement(using: &random)!,
                digits: UInt8.random(in: 0...255, using: &random),
                period: [0, 1, 30, UInt32.max].randomElement(using: &random)!,
                counter: values.randomElement(using: &random)!,
                t0: values.randomElement(using: &random)!
            )
            let seed = Data((0..<Int.random(in: 0..<100, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            let unix = values.randomElement(using: &random)!
            let candidate = typed.randomElement(using: &random)!
            let window = UInt32.random(in: 0..<2000, using: &random)
            survives("fromBytes \(parameters)") {
                let account = try OtpAccount.fromBytes(issuer: nil, name: "", secret: seed, parameters: parameters)
                survives("codeAt \(unix)") { _ = try account.codeAt(unixSeconds: unix) }
                survives("verify \(unix)") { _ = try account.verify(candidate: candidate, unixSeconds: unix, window: window) }
                XCTAssertEqual(codesAt(accounts: [account], unixSeconds: unix).count, 1)
            }
        }
    }

    func testVerifyWithAHugeWindowStaysBounded() throws {
        let account = try Vectors.account(.sha1)
        survives("verify at the end of time") { _ = try account.verify(candidate: "94287082", unixSeconds: UInt64.max, window: 3) }
        survives("verify a wide window") { _ = try account.verify(candidate: "", unixSeconds: 0, window: 10_000) }
    }
}
