// The cost of a tick from Swift: the codes of 1,000 accounts at one instant, as the ticker asks
// for them each second. Run by scripts/ffi-cost.sh (release build, beside Kotlin and Rust);
// not a test. Prints one line per measurement, in microseconds (median after warm-up).
import Foundation
import Jeton

func medianMicros(runs: Int, inner: Int, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<(runs / 2) { for _ in 0..<inner { try body() } } // warm-up
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<inner { try body() }
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(inner))
    }
    return samples.sorted()[runs / 2]
}

func line(_ label: String, _ micros: Double) {
    print(label.padding(toLength: 40, withPad: " ", startingAt: 0) + ": " + String(format: "%.2f µs", micros))
}

let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
let one = try OtpAccount.fromUri(uri: "otpauth://totp/One:one?secret=\(secret)")
line("empty call (coreVersion)", medianMicros(runs: 200, inner: 1000) { _ = coreVersion() })
line("one TOTP (OtpAccount.codeAt)", try medianMicros(runs: 200, inner: 1000) { _ = try one.codeAt(unixSeconds: 59) })

let accounts = try (0..<1000).map { i in
    try OtpAccount.fromUri(uri: "otpauth://totp/Issuer\(i):user\(i)?secret=\(secret)&issuer=Issuer\(i)")
}
line("1,000 codes, codesAt(accounts)", medianMicros(runs: 50, inner: 10) {
    precondition(codesAt(accounts: accounts, unixSeconds: 59).count == 1000)
})

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jeton-tick-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let vault = try Vault.createWithKdf(path: dir.appendingPathComponent("v.jeton").path, passphrase: "password",
                                    kdf: KdfParameters(memoryKib: 8, iterations: 1, parallelism: 1))
let inVault = vault.accounts()
for account in accounts { _ = try inVault.add(account: account) }
line("1,000 codes, vault.accounts.codesAt", try medianMicros(runs: 50, inner: 10) {
    let codes = try inVault.codesAt(unixSeconds: 59)
    precondition(codes.count == 1000)
})
line("1,000 codes, deviceCodeSheetAt", try medianMicros(runs: 50, inner: 10) {
    let sheet = try inVault.deviceCodeSheetAt(deviceUnixSeconds: 59)
    precondition(sheet.lines.utf8.count > 40_000)
})
line("1,000 codes, sheet -> 1,000 CodeRows", try medianMicros(runs: 50, inner: 10) {
    let rows = CodeRow.rows(of: try inVault.deviceCodeSheetAt(deviceUnixSeconds: 59))
    precondition(rows.count == 1000 && rows[999].code != nil)
})
