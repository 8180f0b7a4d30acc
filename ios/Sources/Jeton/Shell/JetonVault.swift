import Foundation

/// An open vault file. Locked (its key and decrypted accounts dropped in Rust) when released;
/// call `lock()` earlier when the app goes to the background.
///
/// Safe to share across tasks: every call goes to the core, which serialises access to the file.
/// The `async` overloads of the slow calls (unlock, import, backup) run off the caller's actor,
/// so calling them from the main actor never blocks the UI while Argon2 or the keystore works.
public final class JetonVault: Sendable {
    private let vault: Vault
    /// List, add, update, reorder, remove, and the codes of every account.
    public let accounts: VaultAccounts
    /// The passphrase and device keystore slots.
    public let keys: VaultKeys
    private let syncing: VaultSync

    private init(_ vault: Vault) {
        self.vault = vault
        accounts = vault.accounts()
        keys = vault.keys()
        syncing = vault.sync()
    }

    deinit {
        try? vault.lock()
    }

    /// Creates a vault at `path` protected by `passphrase`; it is returned unlocked.
    public static func create(path: String, passphrase: String, kdf: KdfParameters? = nil) throws -> JetonVault {
        if let kdf {
            return JetonVault(try Vault.createWithKdf(path: path, passphrase: passphrase, kdf: kdf))
        }
        return JetonVault(try Vault.create(path: path, passphrase: passphrase))
    }

    /// Opens the vault at `path`, locked.
    public static func open(path: String) throws -> JetonVault {
        JetonVault(try Vault.open(path: path))
    }

    /// Whether `unlock` is needed before the accounts can be read.
    public var isLocked: Bool { (try? vault.isLocked()) ?? true }

    /// Unlocks with the passphrase; throws `JetonError.WrongPassphrase` otherwise.
    public func unlock(passphrase: String) throws {
        try vault.unlockWithPassphrase(passphrase: passphrase)
    }

    /// Unlocks with the passphrase off the caller's actor (Argon2 takes a noticeable fraction
    /// of a second); throws `JetonError.WrongPassphrase` otherwise.
    public func unlock(passphrase: String) async throws {
        try await offActor { [vault] in try vault.unlockWithPassphrase(passphrase: passphrase) }
    }

    /// Unlocks with the device key; `JetonError.Keystore` means: ask for the passphrase.
    public func unlock(key: KeyWrapper) throws {
        try vault.unlockWithKey(wrapper: key)
    }

    /// Unlocks with the device key off the caller's actor (the keystore may show a biometric
    /// prompt); `JetonError.Keystore` means: ask for the passphrase.
    public func unlock(key: KeyWrapper) async throws {
        try await offActor { [vault] in try vault.unlockWithKey(wrapper: key) }
    }

    /// Lets the device keystore `key` open the vault too, off the caller's actor (the keystore
    /// may prompt); the passphrase still opens it.
    public func addPlatformSlot(_ key: KeyWrapper) async throws {
        try await offActor { [keys] in try keys.addPlatformSlot(wrapper: key) }
    }

    /// Replaces the passphrase off the caller's actor (Argon2id); no account is rewritten.
    public func changePassphrase(_ newPassphrase: String) async throws {
        try await offActor { [keys] in try keys.changePassphrase(newPassphrase: newPassphrase) }
    }

    /// Imports another app's export or a Jeton backup, all or nothing, off the caller's actor.
    /// `password` is the file's own password when it has one: `JetonError.PasswordRequired`
    /// when the file is encrypted and none was given (ask, then import again),
    /// `JetonError.WrongPassphrase` when it is wrong.
    public func importFile(_ bytes: Data, password: String? = nil) async throws -> ImportSummary {
        try await offActor { [accounts] in try accounts.importFile(data: bytes, password: password) }
    }

    /// Imports a Google Authenticator export once every one of its codes is scanned into `scans`
    /// (all or nothing), off the caller's actor. `JetonError.InvalidFile` while codes are missing.
    public func importScans(_ scans: MigrationScans) async throws -> ImportSummary {
        try await offActor { [accounts] in try scans.importInto(accounts: accounts) }
    }

    /// A Jeton backup of every account, sealed with `passphrase`, made off the caller's actor.
    public func exportBackup(passphrase: String) async throws -> Data {
        try await offActor { [accounts] in try accounts.exportBackup(passphrase: passphrase) }
    }

    /// Drops the key and decrypted accounts until the next unlock.
    public func lock() throws {
        try vault.lock()
    }

    /// Checks the device clock against a server's HTTP `Date` header, read from a response to a
    /// request sent at `sent` and received at `received` (device time), and keeps the correction
    /// with the vault: from then on `codeTicks` and `deviceCodesAt` show codes at the server's
    /// time. Returns the offset in seconds (server minus device).
    @discardableResult
    public func checkClock(dateHeader: String, sent: Date, received: Date) throws -> Int64 {
        try vault.checkClock(dateHeader: dateHeader, requestSentUnixMs: Self.millis(sent), responseReceivedUnixMs: Self.millis(received))
    }

    /// The stored clock correction in seconds, or nil before any `checkClock`.
    public var clockOffsetSeconds: Int64? {
        get throws { try vault.clockOffsetSeconds() }
    }

    /// Turns automatic backups on: after each change, an encrypted backup in `folder` (a path),
    /// the newest `keep` kept, each opening with the vault's `passphrase`. Writes the first one
    /// at once (`lastAutoBackup` says how it went). Argon2id runs off the caller's actor.
    public func setAutoBackup(folder: String, keep: UInt32, passphrase: String) async throws {
        try await offActor { [vault] in try vault.setAutoBackup(folder: folder, keep: keep, passphrase: passphrase) }
    }

    /// Turns automatic backups off; the backups written stay.
    public func turnOffAutoBackup() throws {
        try vault.turnOffAutoBackup()
    }

    /// The automatic backup setting, or nil when they are off.
    public var autoBackup: AutoBackupSetting? {
        get throws { try vault.autoBackup() }
    }

    /// What the last automatic backup did (a failed one never undoes the change), or nil.
    public var lastAutoBackup: AutoBackupOutcome? {
        get throws { try vault.lastAutoBackup() }
    }

    /// Whether this vault syncs with the person's other devices.
    public var isSyncSetUp: Bool {
        get throws { try syncing.isSetUp() }
    }

    /// Sets up sync on `store` with this device as the first one, then syncs, off the caller's
    /// actor. `JetonError.SyncState` when the store already holds a sync: pair instead.
    @discardableResult
    public func startSync(_ store: SyncStore) async throws -> SyncSummary {
        try await offActor { [syncing] in
            try syncing.setUp(store: store)
            return try syncing.sync(store: store)
        }
    }

    /// Joins the sync that `pairing` (from `acceptPairing`) opens on `store`, then syncs.
    @discardableResult
    public func joinSync(_ store: SyncStore, pairing: Pairing) async throws -> SyncSummary {
        try await offActor { [syncing] in
            try syncing.join(store: store, pairing: pairing)
            return try syncing.sync(store: store)
        }
    }

    /// Joins the sync on `store` with its recovery passphrase alone (a lost phone: no device to
    /// pair from), then syncs. `JetonError.WrongPassphrase` when it does not open the sync.
    @discardableResult
    public func joinSync(_ store: SyncStore, recoveryPassphrase: String) async throws -> SyncSummary {
        try await offActor { [syncing] in
            try syncing.joinWithPassphrase(store: store, passphrase: recoveryPassphrase)
            return try syncing.sync(store: store)
        }
    }

    /// Lets a new device join with `passphrase` alone if this one is lost: the sync key goes on
    /// `store` sealed with it (Argon2id), replacing the one set before. Ask for a strong one.
    public func setRecoveryPassphrase(_ store: SyncStore, passphrase: String) async throws {
        try await offActor { [syncing] in try syncing.setRecoveryPassphrase(store: store, passphrase: passphrase) }
    }

    /// Sends this device's changes to `store` and applies the other devices', off the caller's
    /// actor. Nothing is applied when it throws: `SyncStorage` (try again later), `SyncRefused`
    /// (the store went back in time or was altered: tell the user), `SyncState`.
    @discardableResult
    public func sync(_ store: SyncStore) async throws -> SyncSummary {
        try await offActor { [syncing] in try syncing.sync(store: store) }
    }

    /// A pairing invitation for a new device: show `payload` as a QR code and `code` beside it.
    /// `storeAddress` is what the new device opens.
    public func invite(storeAddress: String) async throws -> PairingInvitation {
        try await offActor { [syncing] in try syncing.invite(storeAddress: storeAddress) }
    }

    /// Every account as a series of sealed QR codes for a new phone with no storage at all: show
    /// each of `frames` as a QR code and `code` beside them. Off the caller's actor.
    public func handOff() async throws -> HandoffSeries {
        try await offActor { [accounts] in try accounts.handOff() }
    }

    /// Imports the accounts of a series whose QR codes were all fed to `receiver`, opened with
    /// the `code` typed by the user (`JetonError.WrongPassphrase` when it is wrong).
    public func receiveHandoff(_ receiver: HandoffReceiver, code: String) async throws -> ImportSummary {
        try await offActor { [accounts] in try accounts.receiveHandoff(receiver: receiver, code: code) }
    }

    /// This device leaves the sync; its accounts stay.
    public func leaveSync() throws {
        try syncing.leave()
    }

    /// Opens a scanned pairing QR code with the code the user typed (Argon2id, off the caller's
    /// actor). `JetonError.WrongPassphrase` for a wrong code, `.Pairing` for an expired or
    /// foreign QR code.
    public static func acceptPairing(payload: String, code: String) async throws -> Pairing {
        try await offActor { try Jeton.acceptPairing(payload: payload, code: code) }
    }

    private static func millis(_ date: Date) -> UInt64 {
        UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// Runs a blocking call into the core on the global concurrent executor, never on the caller's
/// actor (e.g. the main actor).
private func offActor<T: Sendable>(_ call: @escaping @Sendable () throws -> T) async throws -> T {
    try await Task.detached(priority: .userInitiated) { try call() }.value
}
