import Foundation

extension KeyBytes {
    /// Hands `bytes` to Rust and zeroes them: how a `KeyWrapper` returns the vault key it
    /// unwrapped, leaving no copy in Swift.
    public static func moving(_ bytes: inout Data) -> KeyBytes {
        defer { bytes.resetBytes(in: bytes.startIndex..<bytes.endIndex) }
        return KeyBytes(bytes: bytes)
    }

    /// Calls `body` with a copy of the key's bytes and zeroes the copy afterwards, even if `body`
    /// throws (as CryptoKit's `SymmetricKey.withUnsafeBytes`): how a `KeyWrapper` reads the vault
    /// key it is asked to wrap. The pointer is valid only inside `body`.
    public func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var copy = bytes()
        defer { copy.resetBytes(in: copy.startIndex..<copy.endIndex) }
        return try copy.withUnsafeBytes(body)
    }
}
