/// One target field: where its value comes from and the steps that shape and check it.
public struct FieldRule: Sendable, Equatable {
    /// The target field (F&O public field name or Dataverse column).
    public var target: String
    public var source: ValueSource
    public var steps: [FieldStep]
    /// Where the rule stands in the template.
    public var position: TemplatePosition

    /// The field's value for one record, or the reason the row is rejected.
    func evaluate(_ record: SourceRecord) -> FieldStep.Outcome {
        var value = source.evaluate(record)
        for step in steps {
            switch step.apply(to: value) {
            case .value(let next): value = next
            case .reject(let reason): return .reject(reason)
            }
        }
        return .value(value)
    }
}
