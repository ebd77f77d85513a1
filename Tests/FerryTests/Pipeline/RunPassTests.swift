import Foundation
import Testing
@testable import Ferry

@Suite("ferry run, end to end over real folders")
struct RunPassTests {
    static let accountsTemplate = """
    takes: accounts*.csv
    target:
      system: finance-and-operations
      entity: CustCustomerV3Entity
      label: Customers V3
      name: customers
    filter: statecode == 0
    fields:
      CUSTOMERACCOUNT: accountnumber | trim | required
      ORGANIZATIONNAME: name | trim
      CUSTOMERGROUPID: customertypecode | map groups
    maps:
      groups: {"3": "10", "5": "20"}
    max_rejects: 2
    """

    static let fixedTime = UTCDateTime(year: 2026, month: 11, day: 25, hour: 12, minute: 0, second: 0)

    func run(_ scratch: TemporaryWorkspace, templates: [String] = [accountsTemplate]) throws -> RunSummary {
        let loaded = try templates.enumerated().map { try Fixtures.template($1, name: "t\($0)") }
        return try RunPass(workspace: scratch.workspace, templates: loaded, clock: { Self.fixedTime }).run()
    }

    @Test("a good file becomes a package in outbox/, the input goes to archive/")
    func delivered() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "accountnumber,name,customertypecode,statecode\nACC-1,Kovács Kft.,3,0\nACC-2,\"Fabrikam, Inc.\",5,0\nACC-3,Old Ltd.,3,1\n")
        let summary = try run(scratch)
        #expect(summary.succeeded)
        let report = try #require(summary.files.first)
        #expect((report.rowsRead, report.rowsWritten, report.rowsFiltered, report.rowsRejected) == (3, 2, 1, 0))
        #expect(report.seconds > 0, "the report says how long the file took")
        #expect(scratch.files(in: scratch.workspace.outbox) == ["customers-accounts-20261125T120000Z.zip"])
        #expect(scratch.archived == ["accounts.csv"])
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
        #expect(scratch.files(in: scratch.workspace.reports).isEmpty)
    }

    @Test("output names have no spaces: an input named with spaces gives a slug in every output name")
    func outputNamesWithoutSpaces() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts Q4 (final).csv", "accountnumber,name,customertypecode,statecode\nACC-1,A,3,0\n,B,3,0\n")
        let summary = try run(scratch)
        #expect(summary.succeeded)
        #expect(scratch.files(in: scratch.workspace.outbox) == ["customers-accounts-Q4-final-20261125T120000Z.zip"])
        #expect(scratch.files(in: scratch.workspace.reports) == ["customers-accounts-Q4-final-20261125T120000Z.rejects.csv"])
        #expect(scratch.archived == ["accounts Q4 (final).csv"], "the input keeps its own name")
    }

    @Test("bad rows go to a rejects report while good rows are delivered")
    func partlyRejected() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "accountnumber,name,customertypecode,statecode\nACC-1,A,3,0\n,B,3,0\nACC-3,C,99,0\nACC-4,D,5,0\n")
        let summary = try run(scratch)
        #expect(summary.succeeded)
        #expect(summary.rowsRejected == 2)
        #expect(summary.rowsWritten == 2)
        let rejects = scratch.text(scratch.workspace.reports + "/customers-accounts-20261125T120000Z.rejects.csv")
        #expect(rejects.contains("accounts.csv,3,2,CUSTOMERACCOUNT,,CUSTOMERACCOUNT is required but empty"))
        #expect(rejects.contains("accounts.csv,4,3,CUSTOMERGROUPID,99,"))
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }

    @Test("a malformed file goes to failed/ with a reason naming the line; nothing reaches outbox/")
    func malformed() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "accountnumber,name,customertypecode,statecode\nACC-1,A,3,0\nACC-2,\"B,3,0\nACC-3,C,3,0\n")
        let summary = try run(scratch)
        #expect(summary.failed == 1)
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts.csv", "accounts.csv.error.txt"])
        let reason = scratch.text(scratch.workspace.failed + "/accounts.csv.error.txt")
        #expect(reason.contains("accounts.csv line 3"))
        #expect(reason.contains("never closes"))
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
    }

    @Test("more rejects than max_rejects fail the file, with the rejects beside it")
    func tooManyRejects() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "accountnumber,name,customertypecode,statecode\n,A,3,0\n,B,3,0\n,C,3,0\nACC-4,D,3,0\n")
        let summary = try run(scratch)
        #expect(summary.failed == 1)
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts.csv", "accounts.csv.error.txt", "accounts.csv.rejects.csv"])
        #expect(scratch.text(scratch.workspace.failed + "/accounts.csv.error.txt").contains("max_rejects: 2 rows"))
    }

    @Test("a file no template takes goes to failed/ saying which patterns were tried")
    func noTemplate() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("invoices.csv", "a,b\n1,2\n")
        let summary = try run(scratch)
        #expect(summary.failed == 1)
        let reason = scratch.text(scratch.workspace.failed + "/invoices.csv.error.txt")
        #expect(reason.contains("no template matches"))
        #expect(reason.contains("accounts*.csv"))
    }

    @Test("a header without a column the template needs fails the file")
    func missingColumn() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "accountnumber,title,customertypecode,statecode\nACC-1,A,3,0\n")
        #expect(try run(scratch).failed == 1)
        #expect(scratch.text(scratch.workspace.failed + "/accounts.csv.error.txt").contains("needs column \"name\""))
    }

    @Test("names still being uploaded, dot files and folders stay in the inbox untouched")
    func inProgressNames() throws {
        let scratch = try TemporaryWorkspace()
        for name in ["accounts.csv.part", "accounts.csv.filepart", ".accounts.csv", "~$accounts.csv", "accounts.tmp"] {
            try scratch.drop(name, "x")
        }
        try FileManager.default.createDirectory(atPath: scratch.workspace.inbox + "/accounts-folder.csv", withIntermediateDirectories: false)
        let summary = try run(scratch)
        #expect(summary.files.isEmpty)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.workspace.inbox)
        #expect(left.count == 6)
    }

    @Test("after a crash, a claimed input returns to the inbox and half-written outputs are removed")
    func recovery() throws {
        let scratch = try TemporaryWorkspace()
        let csv = "accountnumber,name,customertypecode,statecode\nACC-1,A,3,0\n"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: scratch.workspace.work + "/accounts.csv"))
        try Data("half a zip".utf8).write(to: URL(fileURLWithPath: scratch.workspace.staging + "/123.zip"))
        let summary = try run(scratch)
        #expect(summary.recovered == ["accounts.csv"])
        #expect(summary.delivered == 1)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }

    @Test("an input name already in archive/ or failed/ is kept beside it, never overwritten")
    func noOverwrite() throws {
        let scratch = try TemporaryWorkspace()
        for round in 1...2 {
            try scratch.drop("accounts.csv", "accountnumber,name,customertypecode,statecode\nACC-\(round),A,3,0\n")
            _ = try run(scratch)
        }
        #expect(scratch.archived == ["accounts-2.csv", "accounts.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox) == ["customers-accounts-20261125T120000Z-2.zip", "customers-accounts-20261125T120000Z.zip"])
    }

    @Test("the shipped samples all become packages with the shipped templates")
    func samples() throws {
        let scratch = try TemporaryWorkspace()
        let exports = Fixtures.packageRoot + "/samples/exports"
        for name in try FileManager.default.contentsOfDirectory(atPath: exports) {
            try FileManager.default.copyItem(atPath: exports + "/" + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { Self.fixedTime }).run()
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        let outbox = scratch.files(in: scratch.workspace.outbox)
        #expect(outbox.contains("customers-accounts-20261125T120000Z.zip"))
        #expect(outbox.contains("products-sellable-released-products-20261125T120000Z.csv"))
        #expect(outbox.contains("quotations-20261125T120000Z.zip"))
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
    }
}
