import Testing
@testable import Ferry

@Suite("Row transformer")
struct RowTransformerTests {
    static let yaml = """
    takes: a.csv
    target: {system: sales, entity: account}
    filter: statecode == 0 and (name is not empty or code in (1, 2))
    fields:
      NUMBER: number | trim | required
      NAME: name | trim | max 10
    """

    static func transformer() throws -> RowTransformer {
        try RowTransformer(template: try Fixtures.template(yaml), columns: ["number", "name", "statecode", "code"], fileName: "a.csv")
    }

    @Test("filter conditions decide which rows are kept", arguments: [
        (["1", "A", "0", ""], true),
        (["1", "A", "1", ""], false),
        (["1", "", "0", "2"], true),
        (["1", "", "0.0", "3"], false),
        (["1", "", "0", "1.0"], true),
    ])
    func filter(values: [String], kept: Bool) throws {
        var row: [String] = []
        let outcome = try Self.transformer().transform(SourceRecord(fields: values), into: &row)
        #expect((outcome != .filtered) == kept)
    }

    @Test("every failing field of a row is reported with line, record and field")
    func rejectsAllProblems() throws {
        var row: [String] = []
        let record = SourceRecord(fields: ["  ", "Much too long a name", "0", ""], line: 7, number: 6)
        guard case .rejected(let problems) = try Self.transformer().transform(record, into: &row) else {
            Issue.record("row was not rejected")
            return
        }
        #expect(problems.map(\.location.field) == ["NUMBER", "NAME"])
        #expect(problems.allSatisfy { $0.location.line == 7 && $0.location.record == 6 && $0.location.file == "a.csv" })
        #expect(problems[1].reason == "NAME is 20 characters long; at most 10 allowed")
    }

    @Test("a row with the wrong number of values is rejected, not misread")
    func wrongWidth() throws {
        var row: [String] = []
        guard case .rejected(let problems) = try Self.transformer().transform(SourceRecord(fields: ["1", "A", "0"]), into: &row) else {
            Issue.record("row was not rejected")
            return
        }
        #expect(problems[0].reason.contains("3 values but the header has 4 columns"))
    }

    @Test("a column the file lacks fails the whole file, naming the columns it has")
    func missingColumn() throws {
        let error = #expect(throws: InputError.self) {
            _ = try RowTransformer(template: try Fixtures.template(Self.yaml), columns: ["number", "statecode", "code"], fileName: "a.csv")
        }
        #expect(error?.kind == .schema)
        #expect(error?.message.contains("needs column \"name\"") == true)
        #expect(error?.hint?.contains("number, statecode, code") == true)
    }

    @Test("column names match regardless of case when unambiguous")
    func caseInsensitiveColumns() throws {
        _ = try RowTransformer(template: try Fixtures.template(Self.yaml), columns: ["Number", "NAME", "StateCode", "code"], fileName: "a.csv")
    }
}

@Suite("targets and keys")
struct TargetsAndKeysTests {
    static func run(_ yaml: String, _ csv: String) throws -> (TemporaryWorkspace, RunSummary) {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("input.csv", csv)
        let template = try Fixtures.template(yaml, name: "t")
        return (scratch, try RunPass(workspace: scratch.workspace, templates: [template], clock: { RunPassTests.fixedTime }).run())
    }

    @Test("one input, two targets chosen per row; a row rejected by one target is rejected for both")
    func twoTargets() throws {
        let (scratch, summary) = try Self.run("""
        takes: input.csv
        targets:
          - when: kind == "customer"
            system: file
            entity: customer
            name: customers
            fields:
              ID: id | required
          - system: file
            entity: contact
            name: contacts
            fields:
              ID: id
              NAME: name | required
        max_rejects: unlimited
        """, "id,name,kind\n1,Anna,customer\n2,Béla,\n3,,customer\n")
        #expect(summary.rowsRejected == 1)
        #expect(scratch.text(scratch.workspace.outbox + "/customers-input-20261125T120000Z.csv") == "ID\n1\n")
        #expect(scratch.text(scratch.workspace.outbox + "/contacts-input-20261125T120000Z.csv") == "ID,NAME\n1,Anna\n2,Béla\n")
    }

    @Test("duplicate keys", arguments: [
        ("reject", "K\nA\nB\n", 1),
        ("first", "K,V\nA,1\nB,3\n", 0),
        ("last", "K,V\nA,2\nB,3\n", 0),
    ])
    func duplicates(policy: String, expected: String, rejected: Int) throws {
        let fields = policy == "reject" ? "  K: k" : "  K: k\n  V: v"
        let (scratch, summary) = try Self.run("""
        takes: input.csv
        target: {system: file, entity: x, name: out}
        key: K
        duplicates: \(policy)
        fields:
        \(fields)
        max_rejects: unlimited
        """, "k,v\nA,1\nA,2\nB,3\n")
        #expect(summary.rowsRejected == rejected)
        #expect(scratch.text(scratch.workspace.outbox + "/out-input-20261125T120000Z.csv") == expected)
        if policy == "reject" {
            #expect(scratch.text(scratch.workspace.reports + "/t-input-20261125T120000Z.rejects.csv").contains("K \"\"A\"\" appears again; its first row is at line 2"))
        }
    }
}
