import XCTest
@testable import Jeton

/// The AsyncStream ticker (mirrors CodeTickerTest.kt).
final class CodeTickerTests: XCTestCase {
    func testTwoTicksOneSecondApart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let vault = try JetonVault.create(path: dir.appendingPathComponent("v.jeton").path, passphrase: "pw",
                                          kdf: KdfParameters(memoryKib: 8, iterations: 1, parallelism: 1))
        _ = try vault.accounts.addUri(uri: "otpauth://totp/A:b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        var ticks: [VaultTick] = []
        for await tick in vault.codeTicks() {
            ticks.append(tick)
            if ticks.count == 2 { break }
        }
        XCTAssertEqual(ticks[1].unixSeconds - ticks[0].unixSeconds, 1)
        XCTAssertEqual(ticks[0].codes.count, 1)
    }
}
