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

    /// The field's value for one record, or the reason the row is rejected.
    func evaluate(_ record: SourceRecord) -> FieldStep.Outcome {
        var value: String
        do {
            value = try source.evaluate(record)
        } catch {
            return .reject("\(target): \(error.reason)")
        }
        for (index, step) in steps.enumerated() {
            switch step.apply(to: value) {
            case .value(let next): value = next
            case .reject(let reason): return .reject(messages[index] ?? "\(target) \(reason)")
            }
        }
        return .value(value)
    }
}
