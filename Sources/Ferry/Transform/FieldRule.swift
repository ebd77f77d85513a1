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

    /// Appends this field's value to `row` as bytes, applying the steps in place, or returns why
    /// the row is rejected (the row then holds an unfinished field, which the caller ends).
    func evaluate(_ record: SourceRecord, into row: inout SourceRecord) -> String? {
        let start = row.storage.count
        switch source {
        case .column(let reference) where reference.optionValues == nil:
            if reference.index < record.fieldCount {
                let range = record.range(of: reference.index)
                record.storage.withUnsafeBufferPointer { row.storage.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            }
        case .text(let text):
            row.storage.append(contentsOf: text.utf8)
        default:
            do {
                row.storage.append(contentsOf: try source.evaluate(record).utf8)
            } catch {
                return "\(target): \(error.reason)"
            }
        }
        // Steps are read from the array: through an unsafe buffer each would be copied for the call (the row
        // it writes could alias the buffer).
        for index in steps.indices {
            switch steps[index].apply(to: &row.storage, from: start) {
            case .done:
                continue
            case .reject(let reason):
                return messages[index] ?? "\(target) \(reason)"
            case .useText:
                let text = row.storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
                switch steps[index].apply(to: text) {
                case .value(let value):
                    row.storage.removeSubrange(start...)
                    row.storage.append(contentsOf: value.utf8)
                case .reject(let reason):
                    return messages[index] ?? "\(target) \(reason)"
                }
            }
        }
        row.endField()
        return nil
    }
}
