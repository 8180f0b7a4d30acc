import XCTest
@testable import Jeton

/// Bad input gets a typed error whose message says what to fix (twin of ErrorsTest.kt).
final class ErrorsTests: XCTestCase {
    private let error = Vectors.jetonError
    private let message = Vectors.message

    func testAWebAddressIsNotAnAccount() {
        let e = error { _ = try OtpAccount.fromUri(uri: "https://example.com/login") }
        guard case .InvalidUri = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(message(e).contains("otpauth://"), message(e))
    }

    func testAGoogleExportIsToBeImported() {
        let e = error { _ = try OtpAccount.fromUri(uri: "otpauth-migration://offline?data=CjEKCkhlbGxv") }
        guard case .InvalidUri = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(message(e).contains("import"), message(e))
    }

    func testASecretThatIsNotBase32NamesTheCharacter() {
        let e = error { _ = try OtpAccount.fromUri(uri: "otpauth://totp/a?secret=JBSW1Y3DP") }
        guard case .InvalidSecret = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(message(e).contains("'1'"), message(e))
        let totp = Vectors.parameters(.totp, .sha1, digits: 6)
        guard case .InvalidSecret = error({ _ = try OtpAccount.fromBase32(issuer: nil, name: "a", secret: "   ", parameters: totp) }) else { return XCTFail() }
        guard case .InvalidSecret = error({ _ = try OtpAccount.fromBytes(issuer: nil, name: "a", secret: Data(), parameters: totp) }) else { return XCTFail() }
    }

    func testImpossibleParametersAreRefused() {
        let e = error { _ = try OtpAccount.fromUri(uri: "otpauth://totp/a?secret=JBSWY3DP&digits=12") }
        guard case .InvalidParameters = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(message(e).contains("12"), message(e))
        var noPeriod = Vectors.parameters(.totp, .sha1, digits: 6)
        noPeriod.period = 0
        for parameters in [Vectors.parameters(.totp, .sha1, digits: 0), Vectors.parameters(.steam, .sha1, digits: 6), noPeriod] {
            guard case .InvalidParameters = error({ _ = try OtpAccount.fromBytes(issuer: nil, name: "a", secret: Vectors.sha1Seed, parameters: parameters) }) else {
                return XCTFail("\(parameters) accepted")
            }
        }
    }

    func testAnUnboundedVerifyWindowIsRefused() throws {
        let account = try Vectors.account(.sha1)
        let e = error { _ = try account.verify(candidate: "94287082", unixSeconds: 59, window: 4_000_000_000) }
        guard case .InvalidParameters = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(message(e).contains("4000000000"), message(e))
    }

    func testATimeBeforeT0FailsThatAccountOnlyInABatch() throws {
        var parameters = Vectors.parameters(.totp, .sha1, digits: 8)
        parameters.t0 = 1000
        let late = try OtpAccount.fromBytes(issuer: nil, name: "late", secret: Vectors.sha1Seed, parameters: parameters)
        guard case .InvalidParameters = error({ _ = try late.codeAt(unixSeconds: 59) }) else { return XCTFail() }
        let codes = codesAt(accounts: [late, try Vectors.account(.sha1)], unixSeconds: 59)
        guard case let .failed(reason) = codes[0] else { return XCTFail("\(codes[0])") }
        XCTAssertTrue(reason.contains("before"), reason)
        XCTAssertEqual(Vectors.digits([codes[1]]), ["94287082"])
    }

    func testAPanicInsideTheCoreArrivesAsAnInternalErrorAndTheLibraryGoesOn() throws {
        let e = error { try panicInsideJeton(message: "deliberate test panic") }
        guard case .Internal = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(message(e).contains("deliberate test panic"), message(e))
        for round in 0..<3 {
            guard case .Internal = error({ try panicInsideJeton(message: "again \(round)") }) else { return XCTFail() }
        }
        XCTAssertEqual(try Vectors.account(.sha1).codeAt(unixSeconds: 59).digits, "94287082")
    }

    func testTheErrorEnumIsExhaustiveInASwitch() {
        guard let e = error({ _ = try OtpAccount.fromUri(uri: "nope") }) else { return XCTFail() }
        // No `default:` — a new case in the core breaks this switch at compile time.
        let kind: String
        switch e {
        case .InvalidUri: kind = "uri"
        case .InvalidSecret: kind = "secret"
        case .InvalidParameters: kind = "parameters"
        case .WrongPassphrase, .Locked, .ChangedElsewhere, .VaultFile, .Damaged, .Keystore, .NoSuchAccount: kind = "vault"
        case .InvalidImage: kind = "image"
        case .InvalidFile, .PasswordRequired: kind = "file"
        case .SyncStorage, .SyncRefused, .SyncState, .Pairing: kind = "sync"
        case .Internal: kind = "internal"
        }
        XCTAssertEqual(kind, "uri")
    }
}
