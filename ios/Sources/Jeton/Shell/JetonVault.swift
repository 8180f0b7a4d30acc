import Foundation

/// An open vault file. Locked (its key and decrypted accounts dropped in Rust) when released;
/// call `lock()` earlier when the app goes to the background.
public final class JetonVault {
    private let vault: Vault
    /// List, add, update, reorder, remove, and the codes of every account.
    public let accounts: VaultAccounts
    /// The passphrase and device keystore slots.
    public let keys: VaultKeys

    private init(_ vault: Vault) {
        self.vault = vault
        accounts = vault.accounts()
        keys = vault.keys()
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

    /// Unlocks with the device key; `JetonError.Keystore` means: ask for the passphrase.
    public func unlock(key: KeyWrapper) throws {
        try vault.unlockWithKey(wrapper: key)
    }

    /// Drops the key and decrypted accounts until the next unlock.
    public func lock() throws {
        try vault.lock()
    }
}
