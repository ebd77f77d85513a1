/// A template bound to one input's columns: turns each source record into rows for its targets,
/// or says why the record is filtered out or rejected. A record is rejected as a whole when any
/// target it goes to rejects it, so related targets never get half of a record.
public struct RowTransformer: Sendable {
    public enum Outcome: Equatable {
        /// `rows[i]` holds target i's row where `applies[i]`.
        case rows
        case filtered
        case rejected([RowProblem])
    }

    struct BoundTarget: Sendable {
        var rule: TargetRule
        var condition: RowCondition?
        var program: FieldProgram
        var fields: [FieldRule] { program.rules }
    }

    public let template: Template
    public let fileName: String
    public let columns: ColumnIndex
    let targets: [BoundTarget]
    private let filter: RowCondition?
    private let learnRules: [LearnRule]

    /// Each target's field names, in output order.
    public var targetFields: [[String]] { targets.map { $0.fields.map(\.target) } }

    /// Binds the template's column names to the input's header (a column the template needs but the
    /// file lacks fails the whole file) and its `reference:` lookups to `resolver`.
    public init(template: Template, columns: [String], fileName: String, resolver: (any KeyResolver)? = nil) throws(InputError) {
        self.template = template
        self.fileName = fileName
        let index = ColumnIndex(columns, source: template.source)
        self.columns = index
        let resolver = resolver.map { MemoizedResolver($0) }
        let missing = index.missing(template.columnReferences)
        if missing.count > 1 {
            let names = missing.map { "\"\($0.name)\" (line \($0.position.line))" }.joined(separator: ", ")
            throw InputError(.schema, InputLocation(file: fileName, line: 1, field: missing[0].name),
                             "template \(template.name) needs columns \(names), which the header does not have",
                             hint: "columns in the file: \(columns.joined(separator: ", ")); fix the column names in the template or export the missing columns")
        }
        do {
            targets = try template.targets.map { rule throws(ColumnIndex.Missing) in
                BoundTarget(rule: rule, condition: try rule.condition?.bound(to: index),
                            program: FieldProgram(rules: try rule.fields.map { field throws(ColumnIndex.Missing) in
                                var bound = field
                                bound.source = try field.source.bound(to: index)
                                if let resolver { bound.steps = bound.steps.map { Self.bind($0, to: resolver) } }
                                return bound
                            }))
            }
            filter = try template.filter?.bound(to: index)
            learnRules = try template.learn.map { rule throws(ColumnIndex.Missing) in try rule.bound(to: index) }
        } catch {
            let reference = error.reference
            throw InputError(.schema, InputLocation(file: fileName, line: 1, field: reference.name),
                             "template \(template.name) (line \(reference.position.line)) needs column \"\(reference.name)\", which the header does not have",
                             hint: "columns in the file: \(columns.joined(separator: ", ")); fix the column name in the template or export the missing column")
        }
    }

    /// Fills `rows` (one per target, field bytes) and `applies` (which targets take the record).
    public func transform(_ record: SourceRecord, into rows: inout [SourceRecord], applies: inout [Bool]) -> Outcome {
        if record.fieldCount != columns.names.count {
            return .rejected([RowProblem(
                location: location(record, field: nil),
                reason: "the row has \(record.fieldCount) values but the header has \(columns.names.count) columns")])
        }
        if let filter, !filter.matches(record) { return .filtered }
        if rows.count != targets.count {
            rows = Array(repeating: SourceRecord(), count: targets.count)
            applies = Array(repeating: false, count: targets.count)
        }
        var problems: [RowProblem] = []
        var rejections: [(rule: Int, reason: String)] = []
        var any = false
        for index in targets.indices {
            applies[index] = targets[index].condition?.matches(record) ?? true
            guard applies[index] else { continue }
            any = true
            rows[index].reset(line: record.line, number: record.number)
            let program = targets[index].program
            program.run(record, into: &rows[index], rejections: &rejections)
            if !rejections.isEmpty {
                for (rule, reason) in rejections {
                    let field = program.rules[rule]
                    problems.append(RowProblem(location: location(record, field: field.target), value: field.source.display(record), reason: reason))
                }
                rejections.removeAll()
            }
            if problems.isEmpty, let field = rows[index].firstFieldWithNUL() {
                let name = program.rules[field].target
                let value = (rows[index].string(at: field) ?? "").replacingNUL()
                problems.append(RowProblem(location: location(record, field: name), value: value,
                                           reason: "\(name) contains a NUL byte (shown as \\0), which F&O and most importers cut values at or refuse; fix the export"))
            }
        }
        if !problems.isEmpty { return .rejected(problems) }
        return any ? .rows : .filtered
    }

    private static func bind(_ step: FieldStep, to resolver: any KeyResolver) -> FieldStep {
        guard case .lookup(let table) = step, table.reference != nil else { return step }
        return .resolve(ReferenceLookup(table: table, resolver: resolver))
    }

    /// Adds what a record teaches (`learn:`) to `keys`: every rule for a delivered record, the
    /// `rows: all` rules for a filtered or rejected one.
    func learn(from record: SourceRecord, delivered: Bool, into keys: StagedLearnedKeys) throws {
        for rule in learnRules where delivered || rule.everyRow { try rule.learn(from: record, into: keys) }
    }

    /// The first target's row as texts (templates with one target, tests).
    public func transform(_ record: SourceRecord, into row: inout [String]) -> Outcome {
        var rows: [SourceRecord] = []
        var applies: [Bool] = []
        let outcome = transform(record, into: &rows, applies: &applies)
        row = rows.first.map { first in (0..<first.fieldCount).map { first.string(at: $0) ?? "" } } ?? []
        return outcome
    }

    /// The row problem for a value the output encoding cannot hold.
    func problem(_ unencodable: UnencodableValue, target: Int, in record: SourceRecord) -> RowProblem {
        let fields = targets[target].fields
        let field = unencodable.field < fields.count ? fields[unencodable.field].target : "field \(unencodable.field + 1)"
        return RowProblem(location: location(record, field: field), value: String(unencodable.character),
                          reason: "\(field) has the character \"\(unencodable.character)\", which \(unencodable.encoding.rawValue) cannot represent")
    }

    func location(_ record: SourceRecord, field: String?) -> InputLocation {
        InputLocation(file: fileName, line: record.line, record: record.number, field: field)
    }
}

private extension String {
    func replacingNUL() -> String {
        String(unicodeScalars.flatMap { $0 == "\0" ? ["\\", "0"] : [Character($0)] })
    }
}
