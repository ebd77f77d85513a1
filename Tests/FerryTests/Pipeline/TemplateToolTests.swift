import Foundation
import Testing
@testable import Ferry

@Suite("check, preview and dry run")
struct TemplateToolTests {
    @Test("ferry check: the shipped templates are clean")
    func samplesClean() throws {
        let result = try runProcess(ferryExecutable(), ["check", Fixtures.packageRoot + "/samples/templates"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("5 templates checked, no problems"))
    }

    @Test("ferry check: every problem of a broken template, each at its line, and exit 1")
    func brokenTemplate() throws {
        let scratch = try TemporaryWorkspace()
        let path = scratch.root + "/broken.yaml"
        try Data("""
        takes: accounts*.csv
        target:
          system: finance-and-operations
          entity: CustCustomerV3Entity
          label: Customers V3
        fields:
          CUSTOMERACCOUNT: accountnumber | trim | requird
          ORGANISATIONNAME: name | trim
          CUSTOMERGROUPID: customertypecode | map groups
          SALESCURRENCYCODE: transactioncurrency | upper
        """.utf8).write(to: URL(fileURLWithPath: path))
        let result = try runProcess(ferryExecutable(), ["check", path])
        #expect(result.status == 1)
        #expect(result.output.contains("broken.yaml:7:43: unknown function \"requird\" (hint: did you mean \"required\"?)"), "\(result.output)")
        #expect(result.output.contains("broken.yaml:9:43: unknown map \"groups\""))
        #expect(result.output.contains("2 problems"))

        try Data(scratch.text(path).replacingOccurrences(of: " | requird", with: "").replacingOccurrences(of: " | map groups", with: "")
            .utf8).write(to: URL(fileURLWithPath: path))
        let withSample = try runProcess(ferryExecutable(), ["check", path, "--sample", Fixtures.packageRoot + "/samples/exports/accounts.csv"])
        #expect(withSample.status == 1)
        #expect(withSample.output.contains("broken.yaml:8:3: ORGANISATIONNAME is not a field of CustCustomerV3Entity (hint: did you mean ORGANIZATIONNAME?)"), "\(withSample.output)")
        #expect(withSample.output.contains("broken.yaml:10:22: unknown column \"transactioncurrency\": the sample accounts.csv has no such column (hint: did you mean transactioncurrencyid?)"))
    }

    @Test("ferry preview: target rows, filtered and rejected rows with reasons; nothing written")
    func preview() throws {
        let template = try TemplateLoader().load(path: Fixtures.packageRoot + "/samples/templates/accounts-to-customers.yaml")
        let result = try Preview().run(template: template, file: Fixtures.packageRoot + "/samples/exports/accounts.csv", rows: 24)
        #expect(result.recordsRead == 24)
        #expect(result.targets[0].rows.count == 20)
        #expect(result.targets[0].rows[0].values[0] == "ACC-00000-XI9000")
        #expect(result.filtered.count == 1)
        #expect(result.rejected.map(\.location.line) == [10, 14, 26])

        let output = try runProcess(ferryExecutable(), ["preview", Fixtures.packageRoot + "/samples/templates/accounts-to-customers.yaml",
                                                        Fixtures.packageRoot + "/samples/exports/accounts.csv", "--rows", "12"])
        #expect(output.status == 0)
        #expect(output.output.contains("CustCustomerV3Entity: 10 rows"))
        #expect(output.output.contains("line 14, CUSTOMERGROUPID: CUSTOMERGROUPID value \"99\" is not in map customer_group"))
        #expect(output.output.contains("12 records read; nothing was written or moved."))
    }

    @Test("ferry run --dry-run validates everything, writes only to its scratch folder and moves nothing")
    func dryRun() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        for name in ["accounts-to-customers.yaml", "countries.csv"] {
            try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/templates/" + name, toPath: scratch.root + "/templates/" + name)
        }
        try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/exports/accounts.csv", toPath: scratch.workspace.inbox + "/accounts.csv")
        try scratch.drop("accounts-bad.csv", "accountnumber,name\n\"unclosed\n")
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.workspace.inbox).sorted()
        let result = try runProcess(ferryExecutable(), ["run", "--dry-run", "--root", scratch.root])
        #expect(result.status == 1, "the broken file would fail: \(result.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.workspace.inbox).sorted() == before, "nothing moved")
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.archive).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/.ferry/ledger.sqlite3"))
        #expect(result.output.contains("rejected 3"), "validation ran: \(result.output)")
        let line = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("Dry run:") })
        let folder = String(line.split(separator: " ").last ?? "")
        #expect(scratch.files(in: folder + "/outbox").count == 1)
        #expect(scratch.files(in: folder + "/reports").count == 1)
        #expect(scratch.files(in: folder + "/failed") == ["accounts-bad.csv.error.txt"])
    }
}
