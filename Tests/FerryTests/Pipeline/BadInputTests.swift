import Foundation
import Testing
@testable import Ferry

/// Inputs that are wrong in ways the formats allow: each gets a precise reason, never a crash or a stuck file.
@Suite("bad input, end to end")
struct BadInputTests {
    static let template = """
    takes: [accounts*.csv, accounts*.zip]
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
      name: name
    max_rejects: unlimited
    """

    @Test("a NUL byte inside a field rejects the row instead of reaching the output")
    func nulRejectsRow() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", bytes: Array("accountnumber,name\nA1,Kov".utf8) + [0] + Array("acs\nA2,Nagy\n".utf8))
        let summary = try scratch.run(template: Self.template)
        #expect(summary.rowsRejected == 1 && summary.rowsWritten == 1)
        #expect(!scratch.text(scratch.workspace.outbox + "/accounts-accounts-20261125T120000Z.csv").contains("\0"))
        let rejects = scratch.text(scratch.workspace.reports + "/accounts-accounts-20261125T120000Z.rejects.csv")
        #expect(rejects.contains("name contains a NUL byte"), "\(rejects)")
        #expect(rejects.contains("Kov\\0acs") && !rejects.contains("\0"))
    }

    @Test("UTF-16 without a byte order mark is named as such; the reason holds no NUL bytes", arguments: [true, false])
    func utf16WithoutBOM(littleEndian: Bool) throws {
        let scratch = try TemporaryWorkspace()
        let text = "accountnumber,name\r\nA1,Kovács\r\n"
        try scratch.drop("accounts.csv", bytes: text.utf16.flatMap { littleEndian ? [UInt8($0 & 0xFF), UInt8($0 >> 8)] : [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        #expect(try scratch.run(template: Self.template).failed == 1)
        let reason = scratch.text(scratch.workspace.failed + "/accounts.csv.error.txt")
        #expect(reason.contains("looks like UTF-16\(littleEndian ? "LE" : "BE") without a byte order mark"), "\(reason)")
        #expect(reason.contains("encoding: utf-16\(littleEndian ? "le" : "be")"))
        #expect(!reason.contains("\0"))
    }

    @Test("a zip with more entries than Ferry takes says how to fix it")
    func tooManyEntries() throws {
        let scratch = try TemporaryWorkspace()
        let members = (0...BundleSafety.maxMembers).map { ArchiveMaker.Member("accounts-\($0).csv", "accountnumber,name\nA\($0),x\n") }
        try scratch.drop("accounts-many.zip", bytes: try ArchiveMaker.zip(members))
        #expect(try scratch.run(template: Self.template).failed == 1)
        let reason = scratch.text(scratch.workspace.failed + "/accounts-many.zip.error.txt")
        #expect(reason.contains("1001 members, more than 1000"), "\(reason)")
        #expect(reason.contains("How to fix: split it into bundles of at most 1000 files"))
    }
}
