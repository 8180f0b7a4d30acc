import Foundation

/// The codes of a vault at one second, in the user's order.
public struct VaultTick: Sendable {
    /// The second the codes are for (Unix time).
    public let unixSeconds: UInt64
    /// One code (or reason) per account.
    public let codes: [VaultCode]
}

extension JetonVault {
    /// The codes of every account at once, then at the start of each second, as an
    /// `AsyncStream`: one call into the core per tick, at the device time corrected by the
    /// clock offset stored with the vault. Ends when the task is cancelled.
    public func codeTicks(clock: @escaping @Sendable () -> TimeInterval = { Date().timeIntervalSince1970 }) -> AsyncStream<VaultTick> {
        let accounts = self.accounts
        return AsyncStream { continuation in
            let task = Task {
                while !Task.isCancelled {
                    let now = clock()
                    let second = UInt64(max(0, now.rounded(.down)))
                    if let codes = try? accounts.deviceCodesAt(deviceUnixSeconds: second) {
                        continuation.yield(VaultTick(unixSeconds: second, codes: codes))
                    }
                    let wait = 1.0 - (clock() - clock().rounded(.down))
                    try? await Task.sleep(nanoseconds: UInt64(max(0.001, wait) * 1_000_000_000))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
