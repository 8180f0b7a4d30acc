import Foundation
import XCTest
@testable import Jeton

/// Many threads and tasks at once (twin of ConcurrencyTest.kt, and a task group on one vault).
final class ConcurrencyTests: XCTestCase {
    func testEightThreadsGetTheRfcCodesFromSharedAndOwnAccounts() throws {
        let shared = try [HashAlgorithm.sha1, .sha256, .sha512].map(Vectors.account)
        let checked = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<500 {
                let vector = Vectors.rfc6238[(worker + round) % Vectors.rfc6238.count]
                if Vectors.digits(codesAt(accounts: shared, unixSeconds: vector.time)) == [vector.sha1, vector.sha256, vector.sha512] {
                    checked.add()
                }
                if (try? shared[2].codeAt(unixSeconds: vector.time).digits) == vector.sha512 { checked.add() }
                if (try? Vectors.account(.sha1).codeAt(unixSeconds: vector.time).digits) == vector.sha1 { checked.add() }
            }
        }
        XCTAssertEqual(checked.value, 8 * 500 * 3)
    }

    /// Many tasks read the vault's codes while one adds and removes accounts: every read sees a
    /// whole list (the first account always there with its RFC code), and nothing is lost.
    func testATaskGroupReadsCodesWhileOneTaskAddsAndRemoves() async throws {
        let vault = try JetonVault.create(path: try Vectors.temporaryPath(), passphrase: "password", kdf: Vectors.cheapKdf)
        let first = try vault.accounts.addUri(uri: Vectors.rfcUri)
        let reads = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<40 {
                    let id = try vault.accounts.addUri(uri: "otpauth://totp/Writer:user\(i)?secret=JBSWY3DPEHPK3PXP")
                    if i % 2 == 0 { try vault.accounts.remove(id: id) }
                }
                return 0
            }
            for _ in 0..<8 {
                group.addTask {
                    var reads = 0
                    for _ in 0..<50 {
                        let codes = try vault.accounts.codesAt(unixSeconds: 59)
                        guard case let .ready(id, code) = codes[0], id == first, code.digits == "94287082" else {
                            throw JetonError.Internal(message: "a read saw \(codes[0])")
                        }
                        reads += 1
                    }
                    return reads
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(reads, 8 * 50)
        XCTAssertEqual(try vault.accounts.list().count, 1 + 20)
    }
}

/// A thread-safe counter for the tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
