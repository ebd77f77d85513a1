/// A template bound to one input's columns: turns each source record into a target row,
/// or says why the row is filtered out or rejected.
public struct RowTransformer: Sendable {
    public enum Outcome: Equatable {
        case row
        case filtered
        case rejected([RowProblem])
    }

    public let template: Template
    public let fileName: String
    public let columns: ColumnIndex
    private let fields: [FieldRule]
    private let filter: RowCondition?

    /// Target field names, in output order.
    public var targetFields: [String] { fields.map(\.target) }

    /// Binds the template's column names to the input's header; a column the template needs
    /// but the file lacks fails the whole file.
    public init(template: Template, columns: [String], fileName: String) throws(InputError) {
        self.template = template
        self.fileName = fileName
        let index = ColumnIndex(columns)
        self.columns = index
        do {
            fields = try template.fields.map { rule throws(ColumnIndex.Missing) in
                var bound = rule
                bound.source = try rule.source.bound(to: index)
                return bound
            }
            filter = try template.filter?.bound(to: index)
        } catch {
            let reference = error.reference
            throw InputError(.schema, InputLocation(file: fileName, line: 1, field: reference.name),
                             "template \(template.name) (line \(reference.position.line)) needs column \"\(reference.name)\", which the header does not have",
                             hint: "columns in the file: \(columns.joined(separator: ", ")); fix the column name in the template or export the missing column")
        }
    }

    /// Fills `row` with the target values for `record`.
    public func transform(_ record: SourceRecord, into row: inout [String]) -> Outcome {
        if record.fieldCount != columns.names.count {
            return .rejected([RowProblem(
                location: location(record, field: nil),
                reason: "the row has \(record.fieldCount) values but the header has \(columns.names.count) columns")])
        }
        if let filter, !filter.matches(record) { return .filtered }
        row.removeAll(keepingCapacity: true)
        var problems: [RowProblem] = []
        for field in fields {
            switch field.evaluate(record) {
            case .value(let value):
                row.append(value)
            case .reject(let reason):
                let value = field.source.evaluate(record)
                problems.append(RowProblem(location: location(record, field: field.target), value: value,
                                           reason: "\(field.target) \(reason)"))
                row.append("")
            }
        }
        return problems.isEmpty ? .row : .rejected(problems)
    }

    /// The row problem for a value the output encoding cannot hold.
    func problem(_ unencodable: UnencodableValue, in record: SourceRecord) -> RowProblem {
        let field = unencodable.field < fields.count ? fields[unencodable.field].target : "field \(unencodable.field + 1)"
        return RowProblem(location: location(record, field: field), value: String(unencodable.character),
                          reason: "\(field) has the character \"\(unencodable.character)\", which \(unencodable.encoding.rawValue) cannot represent")
    }

    private func location(_ record: SourceRecord, field: String?) -> InputLocation {
        InputLocation(file: fileName, line: record.line, record: record.number, field: field)
    }
}
