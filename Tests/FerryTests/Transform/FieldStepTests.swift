import Testing
@testable import Ferry

@Suite("Field steps")
struct FieldStepTests {
    static let groups = ValueMap(name: "groups", entries: ["3": "10"], fallback: nil)
    static let withFallback = ValueMap(name: "groups", entries: ["3": "10"], fallback: "90")

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
        guard case .value(let value) = step.apply(to: input) else {
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
        guard case .reject(let text) = step.apply(to: input) else {
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
