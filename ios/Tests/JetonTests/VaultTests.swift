import XCTest
@testable import Jeton

/// A key wrapper written in Swift, for tests on any platform: XOR with a random pad. (The real
/// one, KeychainKeyWrapper, needs the Secure Enclave.)
final class PadKeyWrapper: KeyWrapper {
    let pad = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
    func wrap(vaultKey: KeyBytes) throws -> Data { vaultKey.withUnsafeBytes { Data(zip($0, pad).map { $0 ^ $1 }) } }
    func unwrap(wrapped: Data) throws -> KeyBytes {
        var key = Data(zip(wrapped, pad).map { $0 ^ $1 })
        return KeyBytes.moving(&key)
    }
}

/// A keystore that fails in one of the ways a real one does.
final class FailingKeyWrapper: KeyWrapper {
    enum Failure: Sendable { case keyGone, swiftError, wrongKey }
    struct KeystoreOnFire: Error {}
    let failure: Failure
    init(_ failure: Failure) { self.failure = failure }

    func wrap(vaultKey: KeyBytes) throws -> Data {
        switch failure {
        case .keyGone: throw KeyWrapError.KeyGone
        case .swiftError: throw KeystoreOnFire()
        case .wrongKey: return vaultKey.bytes()
        }
    }

    func unwrap(wrapped: Data) throws -> KeyBytes {
        switch failure {
        case .keyGone: throw KeyWrapError.KeyGone
        case .swiftError: throw KeystoreOnFire()
        case .wrongKey: return KeyBytes(bytes: Data(count: 32))
        }
    }
}

/// The vault through the FFI, with key wrappers written in Swift (twin of VaultTest.kt).
final class VaultTests: XCTestCase {
    private let cheap = Vectors.cheapKdf
    private let rfcUri = Vectors.rfcUri
    private let hotpUri = Vectors.hotpUri
    private let error = Vectors.jetonError
    private var path = ""

    override func setUpWithError() throws {
        path = try Vectors.temporaryPath()
    }

    private func readyDigits(_ codes: [VaultCode]) -> [String] {
        codes.map { code in
            if case let .ready(_, code) = code { return code.digits }
            return "not ready: \(code)"
        }
    }

    func testAVaultKeepsItsAccountsAcrossCloseAndPassphraseUnlock() throws {
        let alice: String
        do {
            let vault = try JetonVault.create(path: path, passphrase: "correct horse", kdf: cheap)
            alice = try vault.accounts.addUri(uri: rfcUri)
            _ = try vault.accounts.addUri(uri: hotpUri)
            let codes = try vault.accounts.codesAt(unixSeconds: 59)
            XCTAssertEqual(readyDigits([codes[0]]), ["94287082"])
            guard case .counterBased = codes[1] else { return XCTFail("\(codes[1])") }
        }
        let vault = try JetonVault.open(path: path)
        XCTAssertTrue(vault.isLocked)
        guard case .Locked = error({ _ = try vault.accounts.list() }) else { return XCTFail() }
        let wrong = error { try vault.unlock(passphrase: "wrong horse") }
        guard case .WrongPassphrase = wrong else { return XCTFail("\(String(describing: wrong))") }
        XCTAssertTrue(Vectors.message(wrong).contains("passphrase"), Vectors.message(wrong))
        try vault.unlock(passphrase: "correct horse")
        let list = try vault.accounts.list()
        XCTAssertEqual(list.map(\.label), ["ACME (alice)", "Bank (bob)"])
        XCTAssertEqual(list[0].id, alice)
        XCTAssertEqual(list[1].kind, .hotp)
        XCTAssertEqual(try vault.accounts.get(id: alice).codeAt(unixSeconds: 59).digits, "94287082")
    }

    func testHotpCodesFollowRfc4226AndTheCounterIsSaved() throws {
        let id: String
        do {
            let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
            id = try vault.accounts.addUri(uri: hotpUri)
            XCTAssertEqual(try (0..<3).map { _ in try vault.accounts.nextHotp(id: id).digits }, ["755224", "287082", "359152"])
        }
        let vault = try JetonVault.open(path: path)
        try vault.unlock(passphrase: "password")
        XCTAssertEqual(try vault.accounts.nextHotp(id: id).digits, "969429")
    }

    func testUpdateRenameReorderRemove() throws {
        let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
        let a = try vault.accounts.addUri(uri: rfcUri)
        let b = try vault.accounts.addUri(uri: hotpUri)
        try vault.accounts.rename(id: a, issuer: "ACME Corp", name: "alice@acme")
        try vault.accounts.reorder(ids: [b])
        XCTAssertEqual(try vault.accounts.list().map(\.id), [b, a])
        XCTAssertEqual(try vault.accounts.list()[1].label, "ACME Corp (alice@acme)")
        XCTAssertEqual(try vault.accounts.search(query: "corp").map(\.id), [a])
        try vault.accounts.update(id: a, account: try OtpAccount.fromUri(uri: "otpauth://totp/New:carol?secret=JBSWY3DPEHPK3PXP"))
        XCTAssertEqual(try vault.accounts.list()[1].label, "New (carol)")
        try vault.accounts.remove(id: b)
        XCTAssertEqual(try vault.accounts.list().map(\.id), [a])
        guard case .NoSuchAccount = error({ try vault.accounts.remove(id: b) }) else { return XCTFail() }
    }

    func testKeyBytesLeaveNoCopyInSwift() {
        var unwrapped = Data(repeating: 7, count: 32)
        let key = KeyBytes.moving(&unwrapped)
        XCTAssertEqual(unwrapped, Data(count: 32), "the array handed to Rust is zeroed")
        XCTAssertEqual(key.withUnsafeBytes { $0.first }, 7)
        XCTAssertEqual(key.bytes(), Data(repeating: 7, count: 32), "Rust still holds the key")
    }

    func testAKeyWrapperWrittenInSwiftUnlocksTheVault() throws {
        let wrapper = PadKeyWrapper()
        do {
            let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
            _ = try vault.accounts.addUri(uri: rfcUri)
            try vault.keys.addPlatformSlot(wrapper: wrapper)
            XCTAssertEqual(try vault.keys.platformSlotCount(), 1)
        }
        do {
            let vault = try JetonVault.open(path: path)
            try vault.unlock(key: wrapper)
            XCTAssertFalse(vault.isLocked)
            XCTAssertEqual(readyDigits(try vault.accounts.codesAt(unixSeconds: 59)), ["94287082"])
            try vault.lock()
            XCTAssertTrue(vault.isLocked)
        }
        // Another pad cannot open it, and the vault says to use the passphrase.
        let vault = try JetonVault.open(path: path)
        let e = error { try vault.unlock(key: PadKeyWrapper()) }
        guard case .Keystore = e else { return XCTFail("\(String(describing: e))") }
        XCTAssertTrue(Vectors.message(e).contains("passphrase"), Vectors.message(e))
        try vault.unlock(passphrase: "password")
    }

    /// Twin of aVaultsCodesCrossAsOneSheetAndReadAsRows.
    func testAVaultsCodesCrossAsOneSheetAndReadAsRows() throws {
        let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
        let totp = try vault.accounts.addUri(uri: rfcUri)
        let hotp = try vault.accounts.addUri(uri: hotpUri)
        let rows = CodeRow.rows(of: try vault.accounts.deviceCodeSheetAt(deviceUnixSeconds: 59))
        // RFC 6238 (SHA-1, 8 digits, T = 59 s): 94287082, 1 s left in its step.
        XCTAssertEqual(rows, [CodeRow(id: totp, code: "94287082", secondsLeft: 1, problem: nil),
                              CodeRow(id: hotp, code: nil, secondsLeft: 0, problem: nil)])
    }

    /// Twin of aKeyWrapperMayCallBackIntoTheVaultWhileItRuns: the vault is not held while the
    /// platform's keystore (and its prompt) runs, so the wrapper may use the vault.
    func testAKeyWrapperMayCallBackIntoTheVaultWhileItRuns() throws {
        final class Reentrant: KeyWrapper, @unchecked Sendable {
            let pad = PadKeyWrapper()
            var vault: JetonVault?
            var lockedSeenDuringUnwrap: Bool?
            var accountsSeenDuringWrap: Int?
            func wrap(vaultKey: KeyBytes) throws -> Data {
                accountsSeenDuringWrap = try vault?.accounts.list().count
                return try pad.wrap(vaultKey: vaultKey)
            }
            func unwrap(wrapped: Data) throws -> KeyBytes {
                lockedSeenDuringUnwrap = vault?.isLocked
                return try pad.unwrap(wrapped: wrapped)
            }
        }
        let wrapper = Reentrant()
        let created = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
        wrapper.vault = created
        _ = try created.accounts.addUri(uri: rfcUri)
        try created.keys.addPlatformSlot(wrapper: wrapper)
        XCTAssertEqual(wrapper.accountsSeenDuringWrap, 1)
        let opened = try JetonVault.open(path: path)
        wrapper.vault = opened
        try opened.unlock(key: wrapper)
        XCTAssertEqual(wrapper.lockedSeenDuringUnwrap, true)
        XCTAssertFalse(opened.isLocked)
        wrapper.vault = nil
    }

    func testAFailingOrThrowingPlatformKeyBecomesAKeystoreError() throws {
        do {
            let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
            try vault.keys.addPlatformSlot(wrapper: PadKeyWrapper())
        }
        let vault = try JetonVault.open(path: path)
        guard case .Keystore = error({ try vault.unlock(key: FailingKeyWrapper(.keyGone)) }) else { return XCTFail() }
        // A Swift error that is no KeyWrapError reaches the caller as the documented Keystore error.
        guard case .Keystore = error({ try vault.unlock(key: FailingKeyWrapper(.swiftError)) }) else { return XCTFail() }
        guard case .Keystore = error({ try vault.unlock(key: FailingKeyWrapper(.wrongKey)) }) else { return XCTFail() }
        XCTAssertTrue(vault.isLocked)
        try vault.unlock(passphrase: "password")
        guard case .Keystore = error({ try vault.keys.addPlatformSlot(wrapper: FailingKeyWrapper(.swiftError)) }) else { return XCTFail() }
        XCTAssertEqual(try vault.keys.platformSlotCount(), 1)
    }

    func testBadPathsAndIdsGetTypedErrors() throws {
        let dir = (path as NSString).deletingLastPathComponent
        guard case .VaultFile = error({ _ = try JetonVault.open(path: dir + "/missing.jeton") }) else { return XCTFail() }
        try Data("not a vault at all".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        guard case .VaultFile = error({ _ = try JetonVault.open(path: dir + "/notes.txt") }) else { return XCTFail() }
        _ = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
        guard case .VaultFile = error({ _ = try JetonVault.create(path: path, passphrase: "password", kdf: cheap) }) else { return XCTFail() }
        let vault = try JetonVault.open(path: path)
        try vault.unlock(passphrase: "password")
        for id in ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "\u{0}"] {
            guard case .NoSuchAccount = error({ try vault.accounts.remove(id: id) }) else { return XCTFail(id) }
            guard case .NoSuchAccount = error({ _ = try vault.accounts.nextHotp(id: id) }) else { return XCTFail(id) }
            guard case .NoSuchAccount = error({ _ = try vault.accounts.get(id: id) }) else { return XCTFail(id) }
        }
        guard case .InvalidUri = error({ _ = try vault.accounts.addUri(uri: "https://example.com") }) else { return XCTFail() }
        let totp = try vault.accounts.addUri(uri: rfcUri)
        guard case .InvalidParameters = error({ _ = try vault.accounts.nextHotp(id: totp) }) else { return XCTFail() }
        let bad = KdfParameters(memoryKib: 0, iterations: 0, parallelism: 0)
        guard case .InvalidParameters = error({ _ = try JetonVault.create(path: dir + "/bad-kdf.jeton", passphrase: "password", kdf: bad) }) else { return XCTFail() }
    }

    func testImportIsAllOrNothingWithASummary() async throws {
        let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
        _ = try vault.accounts.addUri(uri: rfcUri)
        let list = """
            \(rfcUri)
            otpauth://totp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air+Canada
            otpauth://totp/Broken:x?secret=NOT*BASE32
            """
        let summary = try await vault.importFile(Data(list.utf8))
        XCTAssertEqual(summary.added, ["Air Canada (Benjamin)"])
        XCTAssertEqual(summary.duplicates, ["ACME (alice)"])
        XCTAssertEqual(summary.refused.count, 1)
        XCTAssertTrue(summary.refused[0].contains("base32"), summary.refused[0])
        XCTAssertEqual(try vault.accounts.list().count, 2)
        do {
            _ = try await vault.importFile(Data("{\"version\": 1, \"header\": {".utf8))
            XCTFail("a broken file was imported")
        } catch let e as JetonError {
            guard case .InvalidFile = e else { return XCTFail("\(e)") }
            XCTAssertFalse(Vectors.message(e).isEmpty)
        }
        XCTAssertEqual(try vault.accounts.list().count, 2)
    }

    func testAClockCheckIsKeptWithTheVaultAndCorrectsTheCodes() throws {
        do {
            let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
            _ = try vault.accounts.addUri(uri: rfcUri)
            XCTAssertNil(try vault.clockOffsetSeconds)
            // The phone's clock reads 120 s less than the server's: the Date header says
            // 2005-03-18 01:58:29 UTC (Unix 1111111109), the phone says 1111110989; the request
            // took 1 s, and the middle of the round trip meets the middle of the server's second.
            let sent = Date(timeIntervalSince1970: 1_111_110_989)
            let offset = try vault.checkClock(dateHeader: "Fri, 18 Mar 2005 01:58:29 GMT", sent: sent, received: sent + 1)
            XCTAssertEqual(offset, 120)
        }
        let vault = try JetonVault.open(path: path)
        try vault.unlock(passphrase: "password")
        XCTAssertEqual(try vault.clockOffsetSeconds, 120)
        // RFC 6238 Appendix B, SHA-1, T = 1111111109, although the phone is 2 minutes slow.
        XCTAssertEqual(readyDigits(try vault.accounts.deviceCodesAt(deviceUnixSeconds: 1_111_110_989)), ["07081804"])
        guard case .InvalidParameters = error({ _ = try vault.checkClock(dateHeader: "yesterday", sent: Date(), received: Date()) }) else {
            return XCTFail("a Date header that is no date was accepted")
        }
    }

    func testABackupRestoresIntoAnotherVaultAndNeedsItsPassphrase() async throws {
        let dir = (path as NSString).deletingLastPathComponent
        let a = try JetonVault.create(path: dir + "/a.jeton", passphrase: "password", kdf: cheap)
        _ = try a.accounts.addUri(uri: rfcUri)
        _ = try a.accounts.addUri(uri: hotpUri)
        guard case .InvalidParameters = error({ _ = try a.accounts.exportBackup(passphrase: "") }) else { return XCTFail() }
        let backup = try await a.exportBackup(passphrase: "backup passphrase")
        XCTAssertNil(String(decoding: backup, as: UTF8.self).range(of: "GEZDGNBV"), "the backup is sealed")

        let b = try JetonVault.create(path: dir + "/b.jeton", passphrase: "password", kdf: cheap)
        do {
            _ = try await b.importFile(backup, password: "wrong")
            XCTFail("a wrong backup passphrase was accepted")
        } catch JetonError.WrongPassphrase {}
        do {
            _ = try await b.importFile(backup)
            XCTFail("an encrypted backup was imported without its passphrase")
        } catch JetonError.PasswordRequired {}
        XCTAssertEqual(try b.accounts.list().count, 0)
        let restored = try await b.importFile(backup, password: "backup passphrase")
        XCTAssertEqual(restored.added, ["ACME (alice)", "Bank (bob)"])
        XCTAssertEqual(readyDigits([try b.accounts.codesAt(unixSeconds: 59)[0]]), ["94287082"])
        let again = try await b.importFile(backup, password: "backup passphrase")
        XCTAssertEqual(again.duplicates, ["ACME (alice)", "Bank (bob)"])
    }

    func testCodesKeepComingWhileThePassphraseChanges() async throws {
        // Default Argon2id costs for the new passphrase: the core must not hold the vault
        // while it derives, so the ticker's call answers meanwhile.
        let vault = try JetonVault.create(path: path, passphrase: "password", kdf: cheap)
        _ = try vault.accounts.addUri(uri: rfcUri)
        let done = Flag()
        let change = Task {
            defer { done.raise() }
            try await vault.changePassphrase("a new passphrase")
        }
        let started = Date()
        var longest: TimeInterval = 0
        var answers = 0
        while true {
            let asked = Date()
            XCTAssertEqual(CodeRow.rows(of: try vault.accounts.deviceCodeSheetAt(deviceUnixSeconds: 59)).first?.code, "94287082")
            longest = max(longest, Date().timeIntervalSince(asked))
            answers += 1
            if done.isRaised { break }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        try await change.value
        let whole = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(answers, 3)
        XCTAssertLessThan(longest * 2, whole, "the ticker waited \(longest) s of \(whole) s")
        try vault.lock()
        try await vault.unlock(passphrase: "a new passphrase")
    }

    func testAutomaticBackupsKeepTheNewestAndOpenWithTheVaultPassphrase() async throws {
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir + "/backups"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            let vault = try JetonVault.create(path: dir + "/a.jeton", passphrase: "password", kdf: cheap)
            do {
                try await vault.setAutoBackup(folder: folder, keep: 2, passphrase: "wrong horse")
                XCTFail("a wrong passphrase turned backups on")
            } catch JetonError.WrongPassphrase {}
            try await vault.setAutoBackup(folder: folder, keep: 2, passphrase: "password")
            XCTAssertEqual(try vault.autoBackup, AutoBackupSetting(folder: folder, keep: 2))
            _ = try vault.accounts.addUri(uri: rfcUri)
            _ = try vault.accounts.addUri(uri: hotpUri)
            guard case .written? = try vault.lastAutoBackup else { return XCTFail("\(String(describing: try vault.lastAutoBackup))") }
            try vault.turnOffAutoBackup()
            _ = try vault.accounts.addUri(uri: "otpauth://totp/Later:x?secret=JBSWY3DPEHPK3PXP")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(files.count, 2, "\(files)")
        let b = try JetonVault.create(path: dir + "/b.jeton", passphrase: "password", kdf: cheap)
        let newest = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + files[files.count - 1]))
        let restored = try await b.importFile(newest, password: "password")
        XCTAssertEqual(restored.added, ["ACME (alice)", "Bank (bob)"])
    }
}

/// Set once by one task, read by another.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    func raise() { lock.lock(); raised = true; lock.unlock() }
    var isRaised: Bool { lock.lock(); defer { lock.unlock() }; return raised }
}
