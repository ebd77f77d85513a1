/// One target field: where its value comes from and the steps that shape and check it.
public struct FieldRule: Sendable, Equatable {
    /// The target field (F&O public field name or Dataverse column).
    public var target: String
    public var source: ValueSource
    public var steps: [FieldStep]
    /// Where the rule stands in the template.
    public var position: TemplatePosition
    /// Messages the template wrote for a step's rejection, by step index (`required "ask Sales for it"`).
    public var messages: [Int: String] = [:]

    /// Appends this field's value to `row` as bytes, or returns why the row is rejected (the row then
    /// holds the field as far as it got). Rows are transformed by a `FieldProgram` of all of a target's rules.
    func evaluate(_ record: SourceRecord, into row: inout SourceRecord) -> String? {
        var rejections: [(rule: Int, reason: String)] = []
        FieldProgram(rules: [self]).run(record, into: &row, rejections: &rejections)
        return rejections.first?.reason
    }
}
