import Foundation
import XCTest
@testable import Jeton

/// A key wrapper that notes which thread the core called it on.
final class ThreadNotingKeyWrapper: KeyWrapper {
    let inner = PadKeyWrapper()
    let calledOnMainThread = Counter()
    func wrap(vaultKey: KeyBytes) throws -> Data { try inner.wrap(vaultKey: vaultKey) }
    func unwrap(wrapped: Data) throws -> KeyBytes {
        if Thread.isMainThread { calledOnMainThread.add() }
        return try inner.unwrap(wrapped: wrapped)
    }
}

/// What the Swift shell adds for apps: async calls off the main actor, and the README's example.
final class ShellTests: XCTestCase {
    /// An app calls unlock from its UI, on the main actor.
    @MainActor
    private static func unlockFromTheUi(_ vault: JetonVault, key: KeyWrapper) async throws {
        try await vault.unlock(key: key)
    }

    @MainActor
    private static func unlockFromTheUi(_ vault: JetonVault, passphrase: String) async throws {
        try await vault.unlock(passphrase: passphrase)
    }

    func testAsyncUnlockFromTheMainActorRunsOffIt() async throws {
        let path = try Vectors.temporaryPath()
        let wrapper = ThreadNotingKeyWrapper()
        do {
            let vault = try JetonVault.create(path: path, passphrase: "password", kdf: Vectors.cheapKdf)
            try vault.keys.addPlatformSlot(wrapper: wrapper)
        }
        let vault = try JetonVault.open(path: path)
        try await Self.unlockFromTheUi(vault, key: wrapper)
        XCTAssertFalse(vault.isLocked)
        XCTAssertEqual(wrapper.calledOnMainThread.value, 0, "the keystore was called on the main thread")
        try vault.lock()
        do {
            try await Self.unlockFromTheUi(vault, passphrase: "wrong")
            XCTFail("a wrong passphrase unlocked the vault")
        } catch JetonError.WrongPassphrase {}
        try await Self.unlockFromTheUi(vault, passphrase: "password")
        XCTAssertFalse(vault.isLocked)
    }

    /// The example in ios/README.md, line for line: a vault, the account from a QR image, the code.
    func testTheReadmeExample() async throws {
        let vaultPath = try Vectors.temporaryPath()
        let qrImage = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("build/qrencode.png")
        var printed: [String] = []
        func print(_ line: String) { printed.append(line) }

        // --- ios/README.md ---
        let vault = try JetonVault.create(path: vaultPath, passphrase: "correct horse battery staple")
        let scanned = try scanImage(bytes: try Data(contentsOf: qrImage))
        guard case let .account(account)? = scanned.first?.content else {
            throw JetonError.InvalidUri(message: "this QR code holds no otpauth:// account")
        }
        _ = try vault.accounts.add(account: account)
        for try await tick in vault.codeTicks() {
            for row in tick.rows {
                if let code = row.code { print("\(code) (\(row.secondsLeft) s left)") }
            }
            break
        }
        // --- end ---

        XCTAssertEqual(printed.count, 1)
        // The truth comes from oathtool (scripts/test.d/swift.sh wrote the codes of the next
        // 20 minutes, one per line), not from the code under test.
        let window = qrImage.deletingLastPathComponent().appendingPathComponent("oathtool-window.txt")
        let expected = try String(contentsOf: window, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertFalse(expected.isEmpty)
        XCTAssertTrue(expected.contains { printed[0].hasPrefix($0 + " (") }, "\(printed) vs oathtool's \(expected)")
    }
}
