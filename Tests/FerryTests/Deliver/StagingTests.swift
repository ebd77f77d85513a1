import Foundation
import Testing
@testable import Ferry

/// Staging holds a unit's outputs only while it is processed or waits for delivery: no failure path
/// leaves files behind.
@Suite("staging")
struct StagingTests {
    /// 40,000 account numbers that compress poorly, so the package's data part is large.
    static let accounts = "accountnumber\n" + (0..<40_000).map { index -> String in
        var value = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        value ^= value >> 29
        return String(value, radix: 16) + "\n"
    }.joined()

    /// Two entities in one package: each is deflated into staging, then copied into the zip.
    static let twoEntities = """
    takes: accounts*.csv
    targets:
      - system: finance-and-operations
        entity: CustCustomerV3Entity
        label: Customers V3
        name: customers
        fields:
          CUSTOMERACCOUNT: accountnumber | required
      - system: finance-and-operations
        entity: smmContactPersonCDSV2Entity
        label: CDS Contacts V2
        name: customers
        fields:
          CONTACTPERSONID: accountnumber
    """

    @Test("a write that fails while the package is assembled (disk full) leaves nothing in staging")
    func failedWriteLeavesNothing() throws {
        // The sizes of the package's deflated data parts, from a run without limits.
        let reference = try TemporaryWorkspace.withTemplate(Self.twoEntities)
        try reference.drop("accounts-1.csv", Self.accounts)
        #expect(try reference.ferry().status == 0)
        let package = reference.workspace.outbox + "/" + (reference.files(in: reference.workspace.outbox).first ?? "")
        let parts = try ZipArchiveReader(path: package, displayName: package).entries.filter { $0.name.hasSuffix(".csv") }
        #expect(parts.count == 2)

        // Files may grow just past the larger part: each part is written whole, the package that copies both
        // fails midway (the first part copied and removed, the second taken over from staging, as a full disk does).
        let scratch = try TemporaryWorkspace.withTemplate(Self.twoEntities)
        try scratch.drop("accounts-1.csv", Self.accounts)
        let limit = (parts.map(\.compressedSize).max() ?? 0) + 200
        let script = """
            import os, resource, signal, sys
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (\(limit), \(limit)))
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let full = try runProcess("/usr/bin/env", ["python3", "-c", script, ferryExecutable(), "run", "--root", scratch.root])
        #expect(full.status == 3, "\(full.output) \(full.error)")
        #expect(full.output.contains("File too large"), "\(full.output)")
        #expect(scratch.stagedFiles.isEmpty, "left in staging: \(scratch.stagedFiles)")
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-1.csv"])

        #expect(try scratch.ferry().status == 0)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }
}
