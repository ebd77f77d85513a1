import Foundation
import Testing
@testable import Ferry

@Suite("a record goes to all its targets or to none")
struct TargetAtomicityTests {
    static let template = """
    takes: accounts*.csv
    targets:
      - system: file
        entity: accounts
        name: unicode
        fields:
          NAME: name
      - system: file
        entity: accounts
        name: latin2
        csv: {encoding: windows-1250}
        fields:
          NAME: name
    max_rejects: unlimited
    """

    @Test("a value the second target cannot hold rejects the record before the first target is written")
    func checkedBeforeWriting() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "name\nÁrvíztűrő\n日本の会社\nGyőr\n")
        let summary = try RunPass(workspace: scratch.workspace, templates: [try Fixtures.template(Self.template, name: "accounts")]).run()
        let report = try #require(summary.files.first)
        #expect(report.rowsRejected == 1)
        #expect(report.rowsWritten == 4, "two rows in each of the two targets")
        let outputs = scratch.files(in: scratch.workspace.outbox)
        let unicode = try #require(outputs.first { $0.hasPrefix("unicode-") })
        #expect(scratch.text(scratch.workspace.outbox + "/" + unicode) == "NAME\nÁrvíztűrő\nGyőr\n")
        let latin2 = try #require(outputs.first { $0.hasPrefix("latin2-") })
        let latin2Bytes = Array(try Data(contentsOf: URL(fileURLWithPath: scratch.workspace.outbox + "/" + latin2)))
        #expect(String(decoding: latin2Bytes.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self) == "NAME\n?rv?zt?r?\nGy?r\n")
    }
}
