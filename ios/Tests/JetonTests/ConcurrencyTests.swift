import XCTest
@testable import Jeton

/// Many threads generating codes at once (mirrors ConcurrencyTest.kt).
final class ConcurrencyTests: XCTestCase {
    func testEightThreadsGetTheRfcCodes() throws {
        let accounts = try [HashAlgorithm.sha1, .sha256, .sha512].map(Vectors.account)
        let failures = ManagedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<500 {
                let vector = Vectors.rfc6238[(worker + round) % Vectors.rfc6238.count]
                let digits = codesAt(accounts: accounts, unixSeconds: vector.time).map { outcome -> String in
                    if case let .ready(code) = outcome { return code.digits }
                    return "failed"
                }
                if digits != [vector.sha1, vector.sha256, vector.sha512] { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
    }
}

final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func increment() { lock.lock(); count += 1; lock.unlock() }
}
