import Foundation
import XCTest
@testable import Jeton

/// A clock that only moves when the ticker waits.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: TimeInterval
    private var recorded: [TimeInterval] = []

    init(now: TimeInterval) { self.now = now }

    var waits: [TimeInterval] { lock.withLock { recorded } }

    var tickClock: TickClock {
        TickClock(now: { self.lock.withLock { self.now } },
                  sleep: { seconds in self.lock.withLock { self.recorded.append(seconds); self.now += seconds } })
    }
}

/// The tickers (twin of CodeTickerTest.kt, and what only Swift has: cancellation, a locked vault).
final class CodeTickerTests: XCTestCase {
    func testTicksAtTheStartOfEachSecondWithTheSecondsLeft() async throws {
        let clock = FakeClock(now: 57.25)
        let account = try Vectors.account(.sha1)
        var ticks: [CodeTick] = []
        for try await tick in codeTicks(for: [account], clock: clock.tickClock) {
            ticks.append(tick)
            if ticks.count == 4 { break }
        }
        XCTAssertEqual(ticks.map(\.unixSeconds), [57, 58, 59, 60])
        XCTAssertEqual(clock.waits.map { ($0 * 1000).rounded() }, [750, 1000, 1000])
        let codes = ticks.map { tick -> OtpCode? in
            if case let .ready(code) = tick.codes[0] { return code }
            return nil
        }
        XCTAssertEqual(codes.map { $0?.secondsLeft }, [3, 2, 1, 30])
        XCTAssertEqual(codes[2]?.digits, "94287082")
        XCTAssertEqual(codes[0]?.digits, codes[2]?.digits)
    }

    func testTheRealStreamEmitsOncePerSecond() async throws {
        let account = try Vectors.account(.sha1)
        let started = Date()
        var ticks: [CodeTick] = []
        for try await tick in codeTicks(for: [account]) {
            ticks.append(tick)
            if ticks.count == 2 { break }
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(ticks[1].unixSeconds - ticks[0].unixSeconds, 1)
        XCTAssertLessThan(elapsed, 1.5, "two ticks took \(elapsed) s")
    }

    func testAVaultTicksItsCodesOneSecondApart() async throws {
        let vault = try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "password", kdf: Vectors.cheapKdf)
        _ = try vault.accounts.addUri(uri: Vectors.rfcUri)
        var ticks: [VaultTick] = []
        for try await tick in vault.codeTicks() {
            ticks.append(tick)
            if ticks.count == 2 { break }
        }
        XCTAssertEqual(ticks[1].unixSeconds - ticks[0].unixSeconds, 1)
        XCTAssertEqual(ticks[0].rows.count, 1)
    }

    func testALockedVaultEndsTheStreamWithLockedNotSilence() async throws {
        let clock = FakeClock(now: 59)
        let vault = try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "password", kdf: Vectors.cheapKdf)
        _ = try vault.accounts.addUri(uri: Vectors.rfcUri)
        var ticks = 0
        do {
            for try await tick in vault.codeTicks(clock: clock.tickClock) {
                ticks += 1
                XCTAssertEqual(tick.rows[0].code, "94287082")
                XCTAssertEqual(tick.rows[0].secondsLeft, 1)
                try vault.lock() // the app went to the background
            }
            XCTFail("the stream ended without an error")
        } catch JetonError.Locked {
            XCTAssertEqual(ticks, 1)
        }
    }

    func testCancellingTheTickersTaskStopsItAndLetsTheVaultGo() async throws {
        weak var released: JetonVault?
        let task: Task<Int, Error>
        do {
            let vault = try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "password", kdf: Vectors.cheapKdf)
            _ = try vault.accounts.addUri(uri: Vectors.rfcUri)
            released = vault
            let ticks = vault.codeTicks()
            task = Task {
                var count = 0
                for try await _ in ticks { count += 1 }
                return count
            }
        }
        // The running ticker keeps the vault open.
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertNotNil(released)
        task.cancel()
        let count = try await task.value
        XCTAssertGreaterThanOrEqual(count, 1)
        // Once its task is cancelled, nothing holds the vault any more: it is locked and freed.
        for _ in 0..<50 where released != nil { try await Task.sleep(nanoseconds: 10_000_000) }
        XCTAssertNil(released, "the cancelled ticker still holds the vault")
    }
}
