import Foundation

/// Where a ticker reads the time and how it waits; `.system` outside tests.
public struct TickClock: Sendable {
    /// Seconds since the Unix epoch, with a fraction.
    public var now: @Sendable () -> TimeInterval
    /// Waits this many seconds; throws `CancellationError` when the task is cancelled.
    public var sleep: @Sendable (TimeInterval) async throws -> Void

    /// A clock from its two parts.
    public init(now: @escaping @Sendable () -> TimeInterval, sleep: @escaping @Sendable (TimeInterval) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The device's wall clock: TOTP codes follow wall time.
    public static let system = TickClock(
        now: { Date().timeIntervalSince1970 },
        sleep: { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000)) }
    )
}

/// The codes of a list of accounts at one second.
public struct CodeTick: Sendable {
    /// The second the codes are for (Unix time).
    public let unixSeconds: UInt64
    /// One outcome per account, in the list's order.
    public let codes: [CodeOutcome]
}

/// The codes of a vault at one second, in the user's order.
public struct VaultTick: Sendable {
    /// The second the codes are for (device time, Unix).
    public let unixSeconds: UInt64
    /// One row per account.
    public let rows: [CodeRow]
}

/// One account's row of a tick: its code and the seconds the code has left, or no code (a
/// counter-based account, whose code is taken with `nextHotp`, or a `problem`).
public struct CodeRow: Sendable, Equatable {
    /// The account's id.
    public let id: String
    /// The code to show, if the account has one now.
    public let code: String?
    /// Seconds until the next code (0 when there is no code).
    public let secondsLeft: UInt32
    /// Why the account has no code now, for a person (nil for counter-based accounts).
    public let problem: String?

    /// The rows of a sheet, in its order: its lines are `<id> <code> <seconds left>`, or `<id>`.
    /// Read from the UTF-8 bytes in one pass: splitting into `Substring`s cost ten times more
    /// (docs/performance.md).
    public static func rows(of sheet: CodeSheet) -> [CodeRow] {
        let problems = Dictionary(sheet.failures.map { ($0.id, $0.reason) }, uniquingKeysWith: { a, _ in a })
        var rows: [CodeRow] = []
        var text = sheet.lines
        text.withUTF8 { bytes in
            rows.reserveCapacity(bytes.count / 40)
            func string(_ range: Range<Int>) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            var start = 0
            var firstSpace = -1
            var secondSpace = -1
            for i in 0..<bytes.count {
                switch bytes[i] {
                case UInt8(ascii: " "):
                    if firstSpace < 0 { firstSpace = i } else if secondSpace < 0 { secondSpace = i }
                case UInt8(ascii: "\n"):
                    let id = string(start..<(firstSpace < 0 ? i : firstSpace))
                    if firstSpace >= 0, secondSpace > firstSpace {
                        var seconds: UInt32 = 0
                        for digit in bytes[(secondSpace + 1)..<i] where (48...57).contains(digit) {
                            seconds = seconds &* 10 &+ UInt32(digit - 48)
                        }
                        rows.append(CodeRow(id: id, code: string((firstSpace + 1)..<secondSpace), secondsLeft: seconds, problem: nil))
                    } else {
                        rows.append(CodeRow(id: id, code: nil, secondsLeft: 0, problem: problems[id]))
                    }
                    start = i + 1
                    firstSpace = -1
                    secondSpace = -1
                default:
                    break
                }
            }
        }
        return rows
    }
}

/// The codes of `accounts` at once, then at the start of each second: one call into the core
/// per tick for the whole list. Ends when the consuming task is cancelled.
public func codeTicks(for accounts: [OtpAccount], clock: TickClock = .system) -> AsyncThrowingStream<CodeTick, Error> {
    everySecond(clock) { second in CodeTick(unixSeconds: second, codes: codesAt(accounts: accounts, unixSeconds: second)) }
}

/// Whether the ticker has emitted its first tick (the first one comes at once).
private actor TickerStart {
    private var started = false

    func begin() -> Bool {
        defer { started = true }
        return !started
    }
}

/// `tick` of the current second at once, then of each following second as it starts. Pulled by
/// the consumer, so nothing runs ahead of it; a cancelled consumer ends the stream, and an error
/// from `tick` ends it with that error.
func everySecond<Element: Sendable>(
    _ clock: TickClock, _ tick: @escaping @Sendable (UInt64) throws -> Element
) -> AsyncThrowingStream<Element, Error> {
    let start = TickerStart()
    return AsyncThrowingStream {
        if await !start.begin() {
            let now = clock.now()
            do {
                try await clock.sleep(1 - (now - now.rounded(.down)))
            } catch is CancellationError {
                return nil
            }
        }
        if Task.isCancelled { return nil }
        return try tick(UInt64(max(0, clock.now().rounded(.down))))
    }
}

extension JetonVault {
    /// The codes of every account at once, then at the start of each second: one call into the
    /// core per tick, which crosses as one string (`CodeSheet`), at the device time corrected by the clock offset stored with the vault.
    /// The stream keeps the vault open while it runs; cancelling the consuming task ends it and
    /// lets the vault go. A vault that is (or becomes) locked ends the stream with
    /// `JetonError.Locked`, so the screen can ask for the passphrase instead of going blank.
    public func codeTicks(clock: TickClock = .system) -> AsyncThrowingStream<VaultTick, Error> {
        everySecond(clock) { [self] second in
            VaultTick(unixSeconds: second, rows: CodeRow.rows(of: try accounts.deviceCodeSheetAt(deviceUnixSeconds: second)))
        }
    }
}
