import XCTest
@testable import Jeton

/// RFC 4226 Appendix D and RFC 6238 Appendix B through the FFI (twin of RfcVectorsTest.kt).
final class RfcVectorsTests: XCTestCase {
    func testHotpMatchesRfc4226AppendixD() throws {
        let expected = ["755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"]
        for (counter, digits) in expected.enumerated() {
            var parameters = Vectors.parameters(.hotp, .sha1, digits: 6)
            parameters.counter = UInt64(counter)
            let account = try OtpAccount.fromBytes(issuer: nil, name: "rfc4226", secret: Vectors.sha1Seed, parameters: parameters)
            let code = try account.codeAt(unixSeconds: 0)
            XCTAssertEqual(code.digits, digits, "counter \(counter)")
            XCTAssertEqual(code.step, UInt64(counter))
            XCTAssertNil(code.secondsLeft)
        }
    }

    func testTotpMatchesRfc6238AppendixB() throws {
        for vector in Vectors.rfc6238 {
            for (algorithm, digits) in [(HashAlgorithm.sha1, vector.sha1), (.sha256, vector.sha256), (.sha512, vector.sha512)] {
                let code = try Vectors.account(algorithm).codeAt(unixSeconds: vector.time)
                XCTAssertEqual(code.digits, digits, "\(algorithm) at \(vector.time)")
                XCTAssertEqual(code.step, vector.time / 30)
                XCTAssertEqual(code.secondsLeft, UInt32(30 - vector.time % 30))
            }
        }
    }

    func testOneBatchCallGivesEveryAccountsCode() throws {
        let accounts = try [HashAlgorithm.sha1, .sha256, .sha512].map(Vectors.account)
        for vector in Vectors.rfc6238 {
            XCTAssertEqual(Vectors.digits(codesAt(accounts: accounts, unixSeconds: vector.time)), [vector.sha1, vector.sha256, vector.sha512])
        }
    }

    func testAUriWithTheRfcSeedGivesTheRfcCodes() throws {
        // Base32 of the RFC seed "12345678901234567890".
        let account = try OtpAccount.fromUri(uri: "otpauth://totp/ACME%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&digits=8")
        XCTAssertEqual(try account.codeAt(unixSeconds: 59).digits, "94287082")
        let details = account.details()
        XCTAssertEqual(details.issuer, "ACME Co")
        XCTAssertEqual(details.name, "alice@example.com")
        XCTAssertEqual(details.parameters.digits, 8)
        XCTAssertEqual(try OtpAccount.fromUri(uri: account.toUri()).details(), details)
    }

    func testVerifyFindsTheStepOfATypedCode() throws {
        let account = try Vectors.account(.sha1)
        XCTAssertEqual(try account.verify(candidate: "94287082", unixSeconds: 59, window: 1), 1)
        XCTAssertEqual(try account.verify(candidate: "94287082", unixSeconds: 89, window: 1), 1)
        XCTAssertNil(try account.verify(candidate: "94287082", unixSeconds: 359, window: 1))
        XCTAssertNil(try account.verify(candidate: "00000000", unixSeconds: 59, window: 1))
    }
}

/// The published test seeds and codes.
enum Vectors {
    static let sha1Seed = Data("12345678901234567890".utf8)
    static let sha256Seed = Data("12345678901234567890123456789012".utf8)
    static let sha512Seed = Data((String(repeating: "1234567890", count: 6) + "1234").utf8)
    /// otpauth URIs with the RFC seed, as the other tests add them to vaults.
    static let rfcUri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8"
    static let hotpUri = "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0"

    struct Totp {
        let time: UInt64, sha1: String, sha256: String, sha512: String
    }

    static let rfc6238 = [
        Totp(time: 59, sha1: "94287082", sha256: "46119246", sha512: "90693936"),
        Totp(time: 1_111_111_109, sha1: "07081804", sha256: "68084774", sha512: "25091201"),
        Totp(time: 1_111_111_111, sha1: "14050471", sha256: "67062674", sha512: "99943326"),
        Totp(time: 1_234_567_890, sha1: "89005924", sha256: "91819424", sha512: "93441116"),
        Totp(time: 2_000_000_000, sha1: "69279037", sha256: "90698825", sha512: "38618901"),
        Totp(time: 20_000_000_000, sha1: "65353130", sha256: "77737706", sha512: "47863826"),
    ]

    static func parameters(_ kind: OtpKind, _ algorithm: HashAlgorithm, digits: UInt8) -> OtpParameters {
        OtpParameters(kind: kind, algorithm: algorithm, digits: digits, period: 30, counter: 0, t0: 0)
    }

    static func account(_ algorithm: HashAlgorithm) throws -> OtpAccount {
        let seed: Data
        switch algorithm {
        case .sha1: seed = sha1Seed
        case .sha256: seed = sha256Seed
        case .sha512: seed = sha512Seed
        }
        return try OtpAccount.fromBytes(issuer: "RFC 6238", name: "\(algorithm)", secret: seed, parameters: parameters(.totp, algorithm, digits: 8))
    }

    /// The digits of each outcome, "failed: why" for a failed one.
    static func digits(_ outcomes: [CodeOutcome]) -> [String] {
        outcomes.map { outcome in
            switch outcome {
            case let .ready(code): return code.digits
            case let .failed(reason): return "failed: \(reason)"
            }
        }
    }

    /// Cheap Argon2 parameters: the tests make many vaults.
    static let cheapKdf = KdfParameters(memoryKib: 8, iterations: 1, parallelism: 1)

    /// A fresh file path in a new temporary folder.
    static func temporaryPath(_ name: String = "vault.jeton") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    /// The error `call` throws, as a JetonError (nil when it returns or throws something else).
    static func jetonError(_ call: () throws -> Void) -> JetonError? {
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

    /// The user-facing message of a JetonError (its associated `message`).
    static func message(_ error: JetonError?) -> String {
        guard let error else { return "" }
        for child in Mirror(reflecting: error).children {
            if let text = child.value as? String { return text }
            for inner in Mirror(reflecting: child.value).children {
                if let text = inner.value as? String { return text }
            }
        }
        return "\(error)"
    }
}
