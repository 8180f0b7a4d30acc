#if canImport(Security)
import Foundation
import Security

/// The vault's device key on iOS: a P-256 key in the Secure Enclave, used with ECIES (X9.63
/// SHA-256, AES-GCM) to wrap the vault key. The private key never leaves the Secure Enclave.
/// With `requireUserPresence`, unwrapping asks for Face ID / Touch ID / the passcode, and the key
/// is invalidated when biometrics change (the vault then opens with its passphrase).
///
/// Where there is no Secure Enclave (the simulator, old Macs), `wrap` fails with
/// `KeyWrapError.Failed` unless the app chose `allowKeychainKey: true`: then the key is a
/// software key kept in the Keychain (this device only), which is weaker — its bytes exist in
/// memory and in the Keychain — so it is never chosen silently.
public final class KeychainKeyWrapper: KeyWrapper {
    private let tag: Data
    private let requireUserPresence: Bool
    private let allowKeychainKey: Bool
    private static let algorithm = SecKeyAlgorithm.eciesEncryptionCofactorVariableIVX963SHA256AESGCM

    public init(tag: String = "dev.jeton.vault-key", requireUserPresence: Bool = false, allowKeychainKey: Bool = false) {
        self.tag = Data(tag.utf8)
        self.requireUserPresence = requireUserPresence
        self.allowKeychainKey = allowKeychainKey
    }

    /// Encrypts the vault key. Security reads it through a `CFData` over Jeton's own copy, made
    /// without copying (`CFDataCreateWithBytesNoCopy`), and that copy is zeroed afterwards.
    public func wrap(vaultKey: KeyBytes) throws -> Data {
        let key = try privateKey()
        guard let publicKey = SecKeyCopyPublicKey(key) else {
            throw KeyWrapError.Failed(reason: "the device key has no public key")
        }
        var error: Unmanaged<CFError>?
        let sealed = vaultKey.withUnsafeBytes { bytes -> CFData? in
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                  let plain = CFDataCreateWithBytesNoCopy(nil, base, bytes.count, kCFAllocatorNull)
            else { return nil }
            return SecKeyCreateEncryptedData(publicKey, Self.algorithm, plain, &error)
        }
        guard let sealed else { throw Self.failure(error) }
        return sealed as Data
    }

    /// Decrypts a wrapped key and hands it to Rust, zeroing this side's copy. (The `CFData`
    /// Security returns is immutable: it is released, not zeroed, when this returns.)
    public func unwrap(wrapped: Data) throws -> KeyBytes {
        guard let key = try existingKey() else { throw KeyWrapError.KeyGone }
        var error: Unmanaged<CFError>?
        guard let plain = SecKeyCreateDecryptedData(key, Self.algorithm, wrapped as CFData, &error) else {
            throw Self.failure(error)
        }
        var bytes = plain as Data
        return KeyBytes.moving(&bytes)
    }

    /// Deletes the device key (e.g. when the user turns device unlock off).
    public func deleteKey() {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
        ]
        SecItemDelete(query as CFDictionary)
    }

    private func existingKey() throws -> SecKey? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let item, CFGetTypeID(item) == SecKeyGetTypeID() else {
                throw KeyWrapError.Failed(reason: "the Keychain item is not a key")
            }
            return (item as! SecKey)
        case errSecItemNotFound:
            return nil
        default:
            throw KeyWrapError.Failed(reason: "the Keychain failed (OSStatus \(status))")
        }
    }

    private func privateKey() throws -> SecKey {
        if let key = try existingKey() { return key }
        do {
            return try createKey(secureEnclave: true)
        } catch {
            guard allowKeychainKey else {
                throw KeyWrapError.Failed(reason: "no Secure Enclave key could be made (\(error)); unlock with the passphrase")
            }
            return try createKey(secureEnclave: false)
        }
    }

    private func createKey(secureEnclave: Bool) throws -> SecKey {
        var flags: SecAccessControlCreateFlags = secureEnclave ? [.privateKeyUsage] : []
        if requireUserPresence { flags.insert(.biometryCurrentSet) }
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error
        ) else {
            throw Self.failure(error)
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        if secureEnclave {
            attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        }
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw Self.failure(error)
        }
        return key
    }

    private static func failure(_ error: Unmanaged<CFError>?) -> KeyWrapError {
        let description = error.map { String(describing: $0.takeRetainedValue()) } ?? "unknown error"
        return KeyWrapError.Failed(reason: description)
    }
}
#endif
