import XCTest
@testable import Jeton

/// A key wrapper written in Swift, for tests on any platform: XOR with a random pad. (The real
/// one, KeychainKeyWrapper, needs the Secure Enclave.)
final class PadKeyWrapper: KeyWrapper, @unchecked Sendable {
    let pad = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
    func wrap(vaultKey: Data) throws -> Data { Data(zip(vaultKey, pad).map { $0 ^ $1 }) }
    func unwrap(wrapped: Data) throws -> Data { Data(zip(wrapped, pad).map { $0 ^ $1 }) }
}

/// The vault through the FFI (mirrors VaultTest.kt).
final class VaultTests: XCTestCase {
    private let cheap = KdfParameters(memoryKib: 8, iterations: 1, parallelism: 1)
    private let rfcUri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8"
    private var path = ""

    override func setUpWithError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent("vault.jeton").path
    }

    func testRoundTripWithPassphraseAndASwiftKeyWrapper() throws {
        let wrapper = PadKeyWrapper()
        do {
            let vault = try JetonVault.create(path: path, passphrase: "pw", kdf: cheap)
            _ = try vault.accounts.addUri(uri: rfcUri)
            try vault.keys.addPlatformSlot(wrapper: wrapper)
        }
        let vault = try JetonVault.open(path: path)
        XCTAssertTrue(vault.isLocked)
        XCTAssertThrowsError(try vault.unlock(passphrase: "wrong"))
        XCTAssertThrowsError(try vault.unlock(key: PadKeyWrapper()))
        try vault.unlock(key: wrapper)
        guard case let .ready(_, code) = try vault.accounts.codesAt(unixSeconds: 59).first else { return XCTFail() }
        XCTAssertEqual(code.digits, "94287082")
    }

    func testHotpCountersAreSaved() throws {
        let vault = try JetonVault.create(path: path, passphrase: "pw", kdf: cheap)
        let id = try vault.accounts.addUri(uri: "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0")
        XCTAssertEqual(try (0..<3).map { _ in try vault.accounts.nextHotp(id: id).digits }, ["755224", "287082", "359152"])
        XCTAssertThrowsError(try vault.accounts.nextHotp(id: "not-an-id"))
    }
}
