import Foundation
import Testing
@testable import Ferry

/// The template language where a user got stuck or was misled (issue 11, items 9-14 and 7).
@Suite("template language traps")
struct TemplateLanguageTests {
    static let header = """
    takes: [accounts*.csv, accounts*.xml, drop*.zip]
    source: {record: /accounts/account}
    target: {system: file, entity: accounts}

    """

    func run(_ scratch: TemporaryWorkspace, _ yaml: String) throws -> RunSummary {
        try RunPass(workspace: scratch.workspace, templates: [try Fixtures.template(yaml, name: "accounts")]).run()
    }

    func outputText(_ scratch: TemporaryWorkspace) -> String {
        scratch.files(in: scratch.workspace.outbox).map { scratch.text(scratch.workspace.outbox + "/" + $0) }.joined()
    }

    func writeTemplate(_ scratch: TemporaryWorkspace, _ name: String, _ yaml: String) throws -> String {
        let path = scratch.root + "/" + name
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: 9. column references that read as fixed text

    @Test("NAME: [Account Name] as the README writes it, and \"[Account Name]\" quoted, read the column")
    func bracketedColumns() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "Account Name,Account Number\nKovács Kft.,A1\n")
        let summary = try run(scratch, Self.header + """
        fields:
          NAME: [Account Name]
          NUMBER: "[Account Number]"
          DRAFT: '"[draft]"'
          TYPE: "Organization"
        """)
        #expect(summary.succeeded, "\(summary.files.first?.error ?? "")")
        #expect(outputText(scratch) == "NAME,NUMBER,DRAFT,TYPE\nKovács Kft.,A1,[draft],Organization\n")
    }

    @Test("\"@id\" and \"address/@type\" quoted (as YAML needs) read XML attributes")
    func quotedAttributes() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.xml", "<accounts><account id=\"A1\"><name>X</name><address type=\"bill\"/></account></accounts>")
        let summary = try run(scratch, Self.header + """
        fields:
          ID: "@id"
          KIND: 'address/@type'
          NAME: name
        """)
        #expect(summary.succeeded, "\(summary.files.first?.error ?? "")")
        #expect(outputText(scratch) == "ID,KIND,NAME\nA1,bill,X\n")
    }

    @Test("an unquoted [column] with steps, or @id, is a YAML error whose hint shows the quoted rule")
    func unquotedSyntax() throws {
        let bracket = #expect(throws: TemplateError.self) { try Fixtures.template(Self.header + "fields:\n  NAME: [Account Name] | trim\n") }
        #expect(bracket?.hint?.contains("put the rule in quotes, e.g. NAME: '[Account Name] | trim'") == true, "\(String(describing: bracket))")
        let attribute = #expect(throws: TemplateError.self) { try Fixtures.template(Self.header + "fields:\n  ID: @id\n") }
        #expect(attribute?.hint?.contains("ID: '@id'") == true, "\(String(describing: attribute))")
    }

    // MARK: 10. XML columns that never occur

    static let xml = "<accounts><account><name>A</name><address1_city>Győr</address1_city></account><account><name>B</name></account></accounts>"

    @Test("an XML column no record has fails the file like a missing CSV column; declared optional it reads empty")
    func xmlColumnNeverPresent() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.xml", Self.xml)
        let summary = try run(scratch, Self.header + "fields:\n  NAME: name\n  CITY: address1_town\n")
        let report = try #require(summary.files.first)
        #expect(report.outcome == .failed)
        #expect(report.error?.contains("the template needs column \"address1_town\", which no <account> record of the file has") == true, "\(report.error ?? "")")
        #expect(report.error?.contains("did you mean address1_town -> address1_city? The records have: address1_city, name.") == true, "\(report.error ?? "")")

        try FileManager.default.moveItem(atPath: scratch.workspace.failed + "/accounts.xml", toPath: scratch.workspace.inbox + "/accounts.xml")
        let optional = try run(scratch, Self.header.replacingOccurrences(of: "source: {record: /accounts/account}",
                                                                         with: "source: {record: /accounts/account, optional: [address1_town]}")
                                   + "fields:\n  NAME: name\n  CITY: address1_town\n")
        #expect(optional.succeeded)
        #expect(outputText(scratch) == "NAME,CITY\nA,\nB,\n")
    }

    @Test("check --sample on an XML sample finds a column no record has")
    func checkXMLSample() throws {
        let scratch = try TemporaryWorkspace()
        let template = try writeTemplate(scratch, "accounts.yaml", Self.header + "fields:\n  NAME: name\n  CITY: address1_town\n")
        let sample = scratch.root + "/accounts.xml"
        try Self.xml.write(toFile: sample, atomically: false, encoding: .utf8)
        let result = TemplateCheck().run(paths: [template], sample: sample)
        #expect(result.problems.map(\.description) == [
            "\(template):6:9: unknown column \"address1_town\": the sample accounts.xml has no such column (hint: did you mean address1_city?)",
        ])
    }

    @Test("a CSV header missing several columns names them all")
    func allMissingColumns() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "name\nA\n")
        let summary = try run(scratch, Self.header + "fields:\n  NAME: name\n  CITY: city\n  ZIP: zip\n")
        let error = try #require(summary.files.first?.error)
        #expect(error.contains("needs columns \"city\" (line 6), \"zip\" (line 7), which the header does not have"), "\(error)")
    }

    // MARK: 11. dates

    @Test("date \"yyyy-mm-dd\" (minutes, no hours) is a warning in check and preview")
    func minutesInDateLayout() throws {
        let scratch = try TemporaryWorkspace()
        let path = try writeTemplate(scratch, "dates.yaml", Self.header + "fields:\n  DAY: createdon | date \"yyyy-mm-dd\" \"dd.MM.yyyy\"\n")
        let check = try runProcess(ferryExecutable(), ["check", path])
        #expect(check.output.contains("warning: \(path):5:8: DAY: the date layout \"yyyy-mm-dd\" has mm (minutes) but no hours (hint: months are MM: \"yyyy-MM-dd\")"), "\(check.output)")
        #expect(check.output.contains("1 template checked, no problems, 1 warning"))
        try scratch.drop("accounts.csv", "createdon\n2024-07-19\n")
        let preview = try runProcess(ferryExecutable(), ["preview", path, scratch.workspace.inbox + "/accounts.csv"])
        #expect(preview.output.contains("warning: \(path):5:8: DAY: the date layout"), "\(preview.output)")
    }

    @Test("dates are read strictly: no month 13, no February 30, no hour 24, no offset beyond 14 hours",
          arguments: ["2024-13-01T10:00:00Z", "2024-02-30T10:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z",
                      "2024-01-01T10:00:00+25:00", "2024-01-01T10:00:00+01:75", "24-01-01T10:00:00Z", "2024-01-01T10:00:00Zjunk"])
    func strictDates(value: String) throws {
        let pattern = try DatePattern("yyyy-MM-dd'T'HH:mm:ssXXX")
        #expect(pattern.parse(value) == nil)
        #expect(pattern.parse("2024-02-29T23:59:59+01:00") != nil)
    }

    // MARK: 12. check in one round

    @Test("check reports keys, steps, arguments, a missing lookup file and columns in one round, each where it is")
    func checkOneRound() throws {
        let scratch = try TemporaryWorkspace()
        let path = try writeTemplate(scratch, "broken.yaml", """
        takes: accounts*.csv
        description: [a, list]
        target: {system: file, entity: accounts, nmae: x}
        fields:
          A: accountnumber | uper | max x
          B: country | lookup countries
          C: transactioncurrency
        lookups:
          countries: {file: countries.csv, key: iso2, value: iso3}
        """)
        let sample = scratch.root + "/accounts.csv"
        try "accountnumber,country,transactioncurrencyid\nA1,HU,EUR\n".write(toFile: sample, atomically: false, encoding: .utf8)
        let result = TemplateCheck().run(paths: [path], sample: sample)
        let text = result.problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("broken.yaml:2:14: description must be a single value"), "\(text)")
        #expect(text.contains("broken.yaml:3:42: unknown key \"nmae\" in target (hint: did you mean \"name\"?)"))
        #expect(text.contains("broken.yaml:5:22: unknown function \"uper\""))
        #expect(text.contains("broken.yaml:5:33: max needs a whole number"))
        #expect(text.contains("lookup countries: cannot read countries.csv (looked at \(scratch.root)/countries.csv)"))
        #expect(!text.contains("unknown lookup"), "a declared lookup whose file is missing is not an unknown lookup")
        #expect(text.contains("broken.yaml:7:6: unknown column \"transactioncurrency\": the sample accounts.csv has no such column (hint: did you mean transactioncurrencyid?)"))
        #expect(result.problems.count == 6)
    }

    @Test("two templates whose takes: overlap are found by check, with a name both take")
    func overlappingTakes() throws {
        let scratch = try TemporaryWorkspace()
        let first = try writeTemplate(scratch, "a.yaml", "takes: accounts*.csv\ntarget: {system: file, entity: a}\nfields:\n  A: a\n")
        let second = try writeTemplate(scratch, "b.yaml", "takes: [invoices.csv, acc*-hu.csv]\ntarget: {system: file, entity: b}\nfields:\n  B: b\n")
        let result = TemplateCheck().run(paths: [first, second])
        #expect(result.problems.map(\.description) == [
            "\(second):1:8: takes: acc*-hu.csv overlaps a's takes: (accounts*.csv): a file such as \"accounts-hu.csv\" matches both and would go to failed/ (hint: make the patterns distinct, e.g. with a longer fixed prefix)",
        ])
        #expect(GlobPattern.sharedName("quotes*.csv", "quotedetails*.csv") == nil)
        #expect(GlobPattern.sharedName("accounts*.csv", "accounts-[0-9].csv.gz") == "accounts-0.csv.gz")
        #expect(GlobPattern.sharedName("a?c.csv", "[!a]*") == nil)
    }

    @Test("ferry check --template F checks F, not the workspace")
    func checkTemplateFlag() throws {
        let scratch = try TemporaryWorkspace()
        let path = try writeTemplate(scratch, "one.yaml", "takes: x.csv\ntarget: {system: file, entity: x}\nfields:\n  A: a | shout\n")
        let result = try runProcess(ferryExecutable(), ["check", "--template", path, "--root", scratch.root])
        #expect(result.status == 1)
        #expect(result.output.contains("one.yaml:4:10: unknown function \"shout\""), "\(result.output)")
    }

    @Test("tabs in the indentation and a key written twice are named at the line to fix")
    func yamlMistakes() throws {
        let tabs = #expect(throws: TemplateError.self) { try Fixtures.template("takes: x.csv\ntarget: {system: file, entity: x}\nfields:\n\tA: a\n") }
        #expect(tabs?.description == "test.yaml:4:1: this line is indented with a tab; YAML allows only spaces for indentation (hint: replace the tab with spaces (two per level, as in the other lines))")
        let twice = #expect(throws: TemplateError.self) {
            try Fixtures.template("takes: x.csv\ntarget: {system: file, entity: x}\nfields:\n  A: a\n  B: b\n  A: c\n")
        }
        #expect(twice?.description == "test.yaml:6:3: the key \"A\" appears twice in the same section (first at line 4) (hint: keep one of them; YAML does not allow a key twice)")
    }

    // MARK: 13. preview and max_rejects

    @Test("preview says a run would fail the file when its rejects exceed max_rejects, and exits 1")
    func previewWouldFail() throws {
        let scratch = try TemporaryWorkspace()
        let path = try writeTemplate(scratch, "strict.yaml", Self.header + "fields:\n  A: accountnumber | required\nmax_rejects: 10%\n")
        try scratch.drop("accounts.csv", "accountnumber\nA1\n\"\"\nA3\n\"\"\n")
        let preview = try runProcess(ferryExecutable(), ["preview", path, scratch.workspace.inbox + "/accounts.csv", "--rows", "1"])
        #expect(preview.status == 1)
        #expect(preview.output.contains("A run would FAIL this file: 2 of 4 rows would be rejected, more than the template allows (max_rejects: 10%)"), "\(preview.output)")
        #expect(preview.output.contains("1 record shown of 4 read: 0 filtered, 2 rejected in the whole file."))
    }

    // MARK: 14. rejects report for computed values

    @Test("a rejected computed value shows the source values it was computed from")
    func rejectedComputedValue() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", "quantity,price\n2,5\n-3,5\n")
        let summary = try run(scratch, Self.header + """
        fields:
          QTY: 'when quantity > 0 then quantity | required "the quantity must be more than 0"'
          AMOUNT: calc(quantity * price)
        max_rejects: unlimited
        """)
        let report = try #require(summary.files.first?.rejectsReport)
        let lines = scratch.text(report).split(whereSeparator: \.isNewline)
        #expect(lines.count == 2)
        #expect(lines[1].contains(",QTY,quantity=-3,the quantity must be more than 0"), "\(lines)")
    }

    // MARK: 7. bundles

    @Test("a bundle member no template takes is listed and left out; a template can make it fatal")
    func bundleOtherMembers() throws {
        let scratch = try TemporaryWorkspace()
        let zip = try ArchiveMaker.zip([.init("accounts.csv", "name\nA\n"), .init("readme.txt", "exported by hand\n")])
        try scratch.drop("drop-1.zip", bytes: zip)
        let summary = try run(scratch, Self.header + "fields:\n  NAME: name\n")
        let report = try #require(summary.files.first)
        #expect(report.outcome == .delivered, "\(report.error ?? "")")
        #expect(report.ignoredMembers == ["readme.txt"])

        // Other content: the same zip again would be a duplicate of the first, whatever the template says now.
        try scratch.drop("drop-2.zip", bytes: try ArchiveMaker.zip([.init("accounts.csv", "name\nB\n"), .init("readme.txt", "exported by hand\n")]))
        let strict = try run(scratch, Self.header + "fields:\n  NAME: name\nbundle: {other_members: fail}\n")
        #expect(strict.files.first?.outcome == .failed)
        #expect(strict.files.first?.error?.contains("no template takes member readme.txt, and template accounts says bundle: other_members: fail") == true)
    }

    @Test("preview on a bundle previews its members; nothing is said about nesting")
    func previewBundle() throws {
        let scratch = try TemporaryWorkspace()
        let path = try writeTemplate(scratch, "accounts.yaml", Self.header + "fields:\n  NAME: name\n")
        try scratch.drop("drop.zip", bytes: try ArchiveMaker.zip([.init("accounts.csv", "name\nA\nB\n"), .init("readme.txt", "x\n")]))
        let preview = try runProcess(ferryExecutable(), ["preview", path, scratch.workspace.inbox + "/drop.zip"])
        #expect(preview.status == 0, "\(preview.output) \(preview.error)")
        #expect(preview.output.contains("== accounts.csv\naccounts: 2 rows"), "\(preview.output)")
        #expect(preview.output.contains("== readme.txt\nnot taken by accounts"))
        #expect(!preview.output.contains("nest") && !preview.error.contains("nest"))
    }
}
