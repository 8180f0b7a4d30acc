import Foundation
import XCTest
@testable import Jeton

/// A store kept in memory, as a platform store would be written: the contract, nothing more.
final class MemoryStore: SyncStore, @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: Data] = [:]
    private var isOffline = false

    var offline: Bool {
        get { lock.withLock { isOffline } }
        set { lock.withLock { isOffline = newValue } }
    }

    var names: [String] { lock.withLock { Array(files.keys) } }
    var snapshot: [String: Data] {
        get { lock.withLock { files } }
        set { lock.withLock { files = newValue } }
    }

    private func reach() throws {
        if isOffline { throw SyncStoreError.Unreachable(reason: "no network") }
    }

    func create(name: String, bytes: Data) throws -> Bool {
        try lock.withLock {
            try reach()
            if files[name] != nil { return false }
            files[name] = bytes
            return true
        }
    }

    func read(name: String, limit: UInt64) throws -> Data? {
        try lock.withLock {
            try reach()
            guard let bytes = files[name] else { return nil }
            if UInt64(bytes.count) > limit { throw SyncStoreError.TooLarge(limit: limit) }
            return bytes
        }
    }

    func list(prefix: String) throws -> [String] {
        try lock.withLock {
            try reach()
            return files.keys.filter { $0.hasPrefix(prefix + "/") }
        }
    }

    func delete(name: String) throws {
        try lock.withLock {
            try reach()
            files[name] = nil
        }
    }
}

/// A store that lists a name outside its folder.
final class LyingStore: SyncStore {
    let inner = MemoryStore()
    func create(name: String, bytes: Data) throws -> Bool { try inner.create(name: name, bytes: bytes) }
    func read(name: String, limit: UInt64) throws -> Data? { try inner.read(name: name, limit: limit) }
    func list(prefix: String) throws -> [String] { ["\(prefix)/../../etc/passwd"] }
    func delete(name: String) throws { try inner.delete(name: name) }
}

/// Sync through the Swift shell, with stores written in Swift (twin of SyncTest.kt).
final class SyncTests: XCTestCase {
    private func vault() throws -> JetonVault {
        try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "correct horse", kdf: Vectors.cheapKdf)
    }

    private func labels(_ vault: JetonVault) throws -> [String] {
        try vault.accounts.list().map(\.label).sorted()
    }

    /// The old phone invites, the new one scans and types the code, joins and syncs.
    @discardableResult
    private func pair(_ old: JetonVault, _ new: JetonVault, _ store: SyncStore) async throws -> SyncSummary {
        let invitation = try await old.invite(storeAddress: "memory")
        XCTAssertTrue(invitation.payload.hasPrefix("JETON-PAIR:1:"))
        let pairing = try await JetonVault.acceptPairing(payload: invitation.payload, code: invitation.code)
        XCTAssertEqual(pairing.storeAddress(), "memory")
        return try await new.joinSync(store, pairing: pairing)
    }

    func testANewPhonePairsAndGetsEveryAccountThroughASwiftStore() async throws {
        let store = MemoryStore()
        let old = try vault(), new = try vault()
        _ = try old.accounts.addUri(uri: Vectors.rfcUri)
        _ = try old.accounts.addUri(uri: Vectors.hotpUri)
        try await old.startSync(store)
        XCTAssertTrue(try old.isSyncSetUp)
        XCTAssertFalse(store.names.contains { $0.contains("acme") || $0.contains("bank") }, "\(store.names)")

        let joined = try await pair(old, new, store)
        XCTAssertEqual(joined.added, 2)
        let accounts = try new.accounts.list()
        XCTAssertEqual(accounts.count, 2)
        // RFC 6238 Appendix B: 94287082 at t = 59 for the SHA-1 secret, 8 digits.
        let totp = try XCTUnwrap(accounts.first { $0.kind == .totp })
        let code = try new.accounts.codesAt(unixSeconds: 59).first {
            if case let .ready(id, _) = $0 { return id == totp.id }
            return false
        }
        guard case let .ready(_, ready)? = code else { return XCTFail("\(String(describing: code))") }
        XCTAssertEqual(ready.digits, "94287082")

        // A removal on the new phone reaches the old one.
        try new.accounts.remove(id: totp.id)
        try await new.sync(store)
        let back = try await old.sync(store)
        XCTAssertEqual(back.removed, 1)
        XCTAssertEqual(try old.accounts.list().count, 1)

        try old.leaveSync()
        XCTAssertFalse(try old.isSyncSetUp)
        XCTAssertEqual(try old.accounts.list().count, 1)
    }

    func testAnUnreachableStoreAppliesNothingAndTheNextSyncCatchesUp() async throws {
        let store = MemoryStore()
        let a = try vault(), b = try vault()
        try await a.startSync(store)
        try await pair(a, b, store)
        _ = try a.accounts.addUri(uri: Vectors.rfcUri)
        try await a.sync(store)
        store.offline = true
        do {
            try await b.sync(store)
            XCTFail("synced with an unreachable store")
        } catch let JetonError.SyncStorage(message) {
            XCTAssertTrue(message.contains("no network"), message)
        }
        XCTAssertEqual(try b.accounts.list().count, 0)
        store.offline = false
        let caughtUp = try await b.sync(store)
        XCTAssertEqual(caughtUp.added, 1)
    }

    func testAStoreRolledBackToAnOldCopyIsRefusedAndNothingIsDeleted() async throws {
        let store = MemoryStore()
        let a = try vault(), b = try vault()
        _ = try a.accounts.addUri(uri: Vectors.rfcUri)
        try await a.startSync(store)
        try await pair(a, b, store)
        let oldCopy = store.snapshot
        _ = try a.accounts.addUri(uri: Vectors.hotpUri)
        try await a.sync(store)
        try await b.sync(store)
        XCTAssertEqual(try b.accounts.list().count, 2)

        store.snapshot = oldCopy
        do {
            try await b.sync(store)
            XCTFail("applied a rolled-back store")
        } catch let JetonError.SyncRefused(message) {
            XCTAssertTrue(message.contains("back in time"), message)
        }
        XCTAssertEqual(try b.accounts.list().count, 2)
    }

    func testALostPhoneIsReplacedWithTheRecoveryPassphraseAlone() async throws {
        let store = MemoryStore()
        do {
            let lost = try vault()
            _ = try lost.accounts.addUri(uri: Vectors.rfcUri)
            try await lost.startSync(store)
            try await lost.setRecoveryPassphrase(store, passphrase: "four random words here")
        }
        let new = try vault()
        do {
            try await new.joinSync(store, recoveryPassphrase: "five random words here")
            XCTFail("a wrong recovery passphrase joined")
        } catch JetonError.WrongPassphrase {}
        XCTAssertFalse(try new.isSyncSetUp)
        let joined = try await new.joinSync(store, recoveryPassphrase: "four random words here")
        XCTAssertEqual(joined.added, 1)
    }

    func testAPhoneHandsItsAccountsToANewOneAsQrCodesWithNoStorage() async throws {
        let old = try vault(), new = try vault()
        _ = try old.accounts.addUri(uri: Vectors.rfcUri)
        for i in 0..<11 {
            let letter = Character(UnicodeScalar(UInt8(ascii: "A") + UInt8(i)))
            _ = try old.accounts.addUri(uri: "otpauth://totp/Club\(i):student\(i)@example.org?secret=JBSWY3DPEHPK3PX\(letter)")
        }
        let series = try await old.handOff()
        XCTAssertGreaterThanOrEqual(series.frames.count, 2)
        let receiver = HandoffReceiver()
        for frame in series.frames.reversed() { _ = try receiver.add(payload: frame) }
        do {
            _ = try await new.receiveHandoff(receiver, code: "AAAAA-AAAAA")
            XCTFail("a wrong code opened the series")
        } catch JetonError.WrongPassphrase {}
        let summary = try await new.receiveHandoff(receiver, code: series.code)
        XCTAssertEqual(summary.added.count, 12)
        XCTAssertEqual(try labels(new), try labels(old))
    }

    func testAWrongPairingCodeOrAForeignQrCodeIsRefused() async throws {
        let a = try vault()
        try await a.startSync(MemoryStore())
        let invitation = try await a.invite(storeAddress: "memory")
        let wrong = (invitation.code.hasPrefix("A") ? "B" : "A") + invitation.code.dropFirst()
        do {
            _ = try await JetonVault.acceptPairing(payload: invitation.payload, code: wrong)
            XCTFail("a wrong code opened the invitation")
        } catch JetonError.WrongPassphrase {}
        do {
            _ = try await JetonVault.acceptPairing(payload: Vectors.rfcUri, code: invitation.code)
            XCTFail("an otpauth URI was taken for an invitation")
        } catch JetonError.Pairing {}
    }

    func testAStoreThatBreaksTheContractIsCaughtInRust() async throws {
        let a = try vault()
        _ = try a.accounts.addUri(uri: Vectors.rfcUri)
        do {
            try await a.startSync(LyingStore())
            XCTFail("a listing outside the folder was accepted")
        } catch let JetonError.SyncStorage(message) {
            XCTAssertTrue(message.contains("invalid sync file name"), message)
        }
    }
}
