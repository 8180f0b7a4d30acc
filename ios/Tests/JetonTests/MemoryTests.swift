import XCTest
@testable import Jeton

/// 100,000 calls that each move buffers and objects across the boundary, with the process's
/// resident memory compared before and after: a leak of even 100 bytes a call would add ~10 MB
/// (twin of MemoryTest.kt).
final class MemoryTests: XCTestCase {
    private func residentKiB() throws -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }

    private func round(_ accounts: [OtpAccount], _ i: Int) throws {
        XCTAssertEqual(codesAt(accounts: accounts, unixSeconds: 59 + UInt64(i)).count, accounts.count)
        _ = try OtpAccount.fromUri(uri: "otpauth://totp/Memory%20Test:user\(i)?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Memory%20Test").details()
        do {
            _ = try OtpAccount.fromUri(uri: "otpauth://totp/bad?secret=NOT-BASE32-\(i)")
        } catch JetonError.InvalidSecret {
        }
    }

    func testOneHundredThousandCallsDoNotGrowMemory() throws {
        guard try residentKiB() != nil else { throw XCTSkip("no /proc here") }
        let algorithms: [HashAlgorithm] = [.sha1, .sha256, .sha512]
        let accounts = try (0..<10).map { try Vectors.account(algorithms[$0 % 3]) }
        // Warm up: allocator pools, lazily made runtime metadata.
        for i in 0..<5_000 { try round(accounts, i) }
        let before = try residentKiB() ?? 0
        // 25,000 rounds of 4 calls (codes, parse, details, failing parse) = 100,000 calls.
        for i in 0..<25_000 { try round(accounts, i) }
        let after = try residentKiB() ?? 0
        print("MemoryTests: resident \(before / 1024) MiB before, \(after / 1024) MiB after 100,000 calls")
        XCTAssertLessThan(after - before, 16 * 1024, "resident memory grew by \((after - before) / 1024) MiB")
    }
}
