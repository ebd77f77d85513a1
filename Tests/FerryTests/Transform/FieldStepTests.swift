import Foundation
import Testing
@testable import Ferry

@Suite("Field steps")
struct FieldStepTests {
    static let groups = ValueMap(name: "groups", entries: ["3": "10"], fallback: nil)
    static let withFallback = ValueMap(name: "groups", entries: ["3": "10"], fallback: "90")

    /// One step over one value, the way a run applies it: on the field's bytes, through text where it must.
    static func apply(_ step: FieldStep, to input: String) -> FieldStep.Outcome {
        RuleFunctionTests.outcome(of: FieldRule(target: "F", source: .text(input), steps: [step], position: TemplatePosition(line: 1, column: 1)),
                                  SourceRecord())
    }

    @Test("each step shapes the value", arguments: [
        (FieldStep.trim, "  Kovács Kft. \t", "Kovács Kft."),
        (.upper, "árvíztűrő", "ÁRVÍZTŰRŐ"),
        (.lower, "INFO@Example.COM", "info@example.com"),
        (.truncate(5), "Tükörfúró", "Tükör"),
        (.truncate(20), "short", "short"),
        (.replace(",", with: "."), "12,50", "12.50"),
        (.defaultValue("EUR"), "", "EUR"),
        (.defaultValue("EUR"), "HUF", "HUF"),
        (.map(groups), "3", "10"),
        (.map(withFallback), "7", "90"),
        (.required, "x", "x"),
        (.maxLength(3), "abc", "abc"),
    ])
    func shapes(step: FieldStep, input: String, expected: String) {
        guard case .value(let value) = Self.apply(step, to: input) else {
            Issue.record("\(step) rejected \(input)")
            return
        }
        #expect(value == expected)
    }

    @Test("validation steps reject with a reason a person understands", arguments: [
        (FieldStep.required, "", "is required but empty"),
        (.maxLength(3), "abcd", "is 4 characters long; at most 3 allowed"),
        (.map(groups), "99", "value \"99\" is not in map groups"),
    ])
    func rejects(step: FieldStep, input: String, reason: String) {
        guard case .reject(let text) = Self.apply(step, to: input) else {
            Issue.record("\(step) accepted \(input)")
            return
        }
        #expect(text.contains(reason))
    }

    @Test("a field line runs its steps in order")
    func pipeline() throws {
        let template = try Fixtures.template("""
        takes: a.csv
        target: {system: sales, entity: account}
        fields:
          NAME: first + " " + last | trim | upper | truncate 9
          ADDRESS: join ", " line1 line2 line3
          CODE: code | default "3" | map groups
        maps:
          groups: {"3": "10"}
        """)
        let transformer = try RowTransformer(template: template, columns: ["first", "last", "line1", "line2", "line3", "code"], fileName: "a.csv")
        var row: [String] = []
        let outcome = transformer.transform(SourceRecord(fields: [" Anna", "Kovács ", "Fő utca 1", "", "2. em.", ""]), into: &row)
        #expect(outcome == .rows)
        #expect(row == ["ANNA KOVÁ", "Fő utca 1, 2. em.", "10"])
    }
}

@Suite("Rule language functions")
struct RuleFunctionTests {
    /// Runs one field line over one record with the given columns.
    static func evaluate(_ rule: String, _ values: [String: String], extra: String = "") throws -> FieldStep.Outcome {
        let columns = values.keys.sorted()
        let template = try Fixtures.template("""
        takes: a.csv
        target: {system: sales, entity: account}
        fields:
          OUT: \(rule)
        \(extra)
        """)
        let transformer = try RowTransformer(template: template, columns: columns, fileName: "a.csv")
        return outcome(of: transformer.targets[0].fields[0], SourceRecord(fields: columns.map { values[$0] ?? "" }))
    }

    /// The field's value for the record, or why the row is rejected, as a run computes it (`evaluate(_:into:)`).
    static func outcome(of rule: FieldRule, _ record: SourceRecord) -> FieldStep.Outcome {
        var row = SourceRecord()
        if let reason = rule.evaluate(record, into: &row) { return .reject(reason) }
        return .value(row.string(at: 0) ?? "")
    }

    static func value(_ rule: String, _ values: [String: String], extra: String = "") throws -> String? {
        if case .value(let value) = try evaluate(rule, values, extra: extra) { return value }
        return nil
    }

    static func rejection(_ rule: String, _ values: [String: String]) throws -> String? {
        if case .reject(let reason) = try evaluate(rule, values) { return reason }
        return nil
    }

    @Test("when ... then ... else picks the first branch that holds", arguments: [
        ("1", "90"), ("3", "10"), ("7", "20"),
    ])
    func conditional(code: String, expected: String) throws {
        #expect(try Self.value("when code == 1 then \"90\" when code in (3, 4) then \"10\" else \"20\"", ["code": code]) == expected)
    }

    @Test("when without else gives an empty value; then-values can be glued columns")
    func conditionalParts() throws {
        #expect(try Self.value("when kind == \"person\" then first + \" \" + last", ["kind": "org", "first": "A", "last": "B"]) == "")
        #expect(try Self.value("when kind == \"person\" then first + \" \" + last", ["kind": "person", "first": "Anna", "last": "Kovács"]) == "Anna Kovács")
    }

    @Test("calc computes in exact decimals from several columns")
    func calc() throws {
        let columns = ["quantity": "3", "price": "19.99", "discount": "0,97"]
        #expect(try Self.value("calc(quantity * price - discount) | number round 2", columns) == "59.00")
        #expect(try Self.value("calc((quantity + 1) / 2)", columns) == "2")
        #expect(try Self.rejection("calc(quantity * price)", ["quantity": "three", "price": "1"])?.contains("quantity is \"three\", not a number") == true)
        #expect(try Self.rejection("calc(quantity / price)", ["quantity": "1", "price": "0"])?.contains("division by zero") == true)
    }

    @Test("date reformats with explicit layouts and moves into a time zone", arguments: [
        ("date \"yyyy-MM-dd'T'HH:mm:ssZ\" \"yyyy-MM-dd\"", "2024-07-19T10:55:48Z", "2024-07-19"),
        ("date \"dd/MM/yyyy\" \"yyyy-MM-dd\"", "05/11/2026", "2026-11-05"),
        ("date \"d.M.yy\" \"dd.MM.yyyy\"", "5.1.26", "05.01.2026"),
        ("date \"yyyy-MM-dd'T'HH:mm:ssZ\" \"yyyy-MM-dd HH:mm\" zone \"Europe/Budapest\"", "2024-07-19T22:30:00Z", "2024-07-20 00:30"),
        ("date \"yyyy-MM-dd'T'HH:mm:ssXXX\" \"yyyy-MM-dd'T'HH:mm:ssZ\" zone \"UTC\"", "2024-01-31T23:30:00+01:00", "2024-01-31T22:30:00Z"),
        ("date \"yyyy-MM-dd\" \"dd.MM.yyyy\"", "", ""),
    ])
    func date(rule: String, input: String, expected: String) throws {
        #expect(try Self.value("d | " + rule, ["d": input]) == expected)
    }

    @Test("an impossible date rejects the row, naming the layout")
    func badDate() throws {
        let reason = try Self.rejection("d | date \"dd/MM/yyyy HH:mm\" \"yyyy-MM-dd\"", ["d": "31/02/2020 25:61"])
        #expect(reason == "OUT value \"31/02/2020 25:61\" is not a date in the layout dd/MM/yyyy HH:mm")
    }

    @Test("number reads decimal commas and points and rounds half away from zero", arguments: [
        ("number", "12,50", "12.5"),
        ("number round 2", "12,5", "12.50"),
        ("number round 2", "1.234,565", "1234.57"),
        ("number round 0", "-2.5", "-3"),
        ("number from point to comma round 2", "1,234.5", "1234,50"),
        ("number from comma", "1 234,5", "1234.5"),
    ])
    func number(rule: String, input: String, expected: String) throws {
        #expect(try Self.value("n | " + rule, ["n": input]) == expected)
    }

    @Test("a separator that does not group thousands is refused, not dropped", arguments: [
        ("number from point", "12,50"), ("number from point round 2", "1,2345.6"), ("number from comma", "1.2.3"),
        ("number from comma", "1.234 567,8"), ("number", "12,5,0"), ("number from point", "1.5,0"), ("number", "1 2"),
    ])
    func notThousands(rule: String, input: String) throws {
        #expect(try Self.rejection("n | " + rule, ["n": input]) == "OUT value \"\(input)\" is not a number")
    }

    @Test("text functions", arguments: [
        ("s | title", "árvíztűrő TÜKÖRFÚRÓ kft.", "Árvíztűrő Tükörfúró Kft."),
        ("s | substring 5 5", "ACC-01000-BVRCPS", "01000"),
        ("s | substring 11", "ACC-01000-BVRCPS", "BVRCPS"),
        ("s | pad left 8 \"0\"", "4711", "00004711"),
        ("s | pad right 6", "ab", "ab    "),
        ("s | split \"-\" 2", "ACC-01000-BVRCPS", "01000"),
        ("s | split \"-\" -1", "ACC-01000-BVRCPS", "BVRCPS"),
        ("s | split \"-\" 5", "ACC-01000-BVRCPS", ""),
        ("s | regex \"[^0-9+]\" \"\"", "+36 (1) 245-8591", "+3612458591"),
        ("s | regex \"(\\\\w+)@(\\\\w+)\" \"$2 at $1\"", "info@example", "example at info"),
    ])
    func text(rule: String, input: String, expected: String) throws {
        #expect(try Self.value(rule, ["s": input]) == expected)
    }

    @Test("a template's own message replaces the built-in one")
    func messages() throws {
        let reason = try Self.rejection("'s | required \"the account number is missing: fill it in Sales and export again\"'", ["s": ""])
        #expect(reason == "the account number is missing: fill it in Sales and export again")
    }

    @Test("lookup reads a reference CSV beside the template")
    func lookup() throws {
        let scratch = try TemporaryWorkspace()
        try Data("iso2,iso3,name\nHU,HUN,Hungary\nUS,USA,United States\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/countries.csv"))
        let yaml = """
        takes: a.csv
        target: {system: sales, entity: account}
        fields:
          COUNTRY: country | upper | lookup countries
          STRICT: country | lookup strict "unknown country code"
        lookups:
          countries: {file: countries.csv, key: iso2, value: iso3, fallback: ""}
          strict: {file: countries.csv, key: iso2, value: name}
        """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: scratch.root + "/t.yaml"))
        let template = try TemplateLoader().load(path: scratch.root + "/t.yaml")
        let transformer = try RowTransformer(template: template, columns: ["country"], fileName: "a.csv")
        var row: [String] = []
        #expect(transformer.transform(SourceRecord(fields: ["hu"]), into: &row) == .rejected([RowProblem(
            location: InputLocation(file: "a.csv", line: 0, record: 0, field: "STRICT"), value: "hu", reason: "unknown country code")]))
        #expect(transformer.transform(SourceRecord(fields: ["US"]), into: &row) == .rows)
        #expect(row == ["USA", "United States"])
        let missing = #expect(throws: TemplateError.self) {
            _ = try Fixtures.template("takes: a.csv\ntarget: {system: sales, entity: a}\nfields:\n  A: a\nlookups:\n  c: {file: nowhere.csv, key: a, value: b}\n")
        }
        #expect(missing?.line == 6)
    }

    @Test("wrong arguments are refused at load with the position", arguments: [
        ("s | date \"yyyy-MM-dd hh:mm\" \"yyyy\"", "the letter h has no meaning"),
        ("s | date \"yyyy\" \"yyyy\" zone \"Mars/Olympus\"", "unknown time zone"),
        ("s | regex \"[unclosed\" \"\"", "is not valid"),
        ("s | pad middle 3", "pad needs left or right"),
        ("s | split \";\" 0", "split needs the part"),
        ("s | number to auto", "to needs comma or point"),
        ("calc(a * )", "expected a column name"),
        ("when a == 1 \"x\"", "expected then"),
    ])
    func refusals(rule: String, message: String) throws {
        let error = #expect(throws: TemplateError.self) {
            _ = try Fixtures.template("takes: a.csv\ntarget: {system: sales, entity: a}\nfields:\n  OUT: \(rule)\n")
        }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.line == 4)
    }
}
