/// A source column, resolved to its position once the input's header is known.
public struct ColumnReference: Sendable, Equatable {
    public var name: String
    /// Position in the input's columns; -1 until bound.
    public var index: Int = -1
    /// Where the template mentions it, for errors.
    public var position: TemplatePosition
    /// For an option-set column of a known Dataverse table: label -> value, so an "Export to Excel"
    /// file's labels (`Active`) read as the values a logical-name export has (`1`). Set when bound.
    public var optionValues: [String: String]? = nil

    /// The column's value in `record`, option-set labels read as their values.
    func value(in record: SourceRecord) -> String {
        let text = record.string(at: index) ?? ""
        if let optionValues, let value = optionValues[text] { return value }
        return text
    }
}

/// Line and column in a template file.
public struct TemplatePosition: Sendable, Equatable {
    public var line: Int
    public var column: Int
}

/// Where a field's value comes from before the steps run.
public indirect enum ValueSource: Sendable, Equatable {
    case column(ColumnReference)
    case text(String)
    /// Parts glued together as they are: `firstname + " " + lastname`.
    case concat([ValueSource])
    /// Non-empty parts joined with a separator: `join ", " address1_line1 address1_line2`.
    case join(separator: String, [ValueSource])
    /// The first branch whose condition holds, else the fallback: `when statecode == 1 then "90" else "10"`.
    case conditional([Branch], otherwise: ValueSource)
    /// Arithmetic over columns: `calc(quantity * priceperunit)`.
    case calc(Arithmetic)

    public struct Branch: Sendable, Equatable {
        public var condition: RowCondition
        public var value: ValueSource
    }

    /// Why a value could not be computed (the row is rejected with this).
    struct Failure: Error {
        var reason: String
    }

    /// How the source is named in messages.
    var label: String {
        switch self {
        case .column(let reference): reference.name
        case .text(let text): "\"\(text)\""
        case .concat(let parts): parts.map(\.label).joined(separator: " + ")
        case .join(_, let parts): "join of " + parts.map(\.label).joined(separator: ", ")
        case .conditional: "when ..."
        case .calc: "calc(...)"
        }
    }

    /// Every column this source reads.
    var columns: [ColumnReference] {
        switch self {
        case .column(let reference): [reference]
        case .text: []
        case .concat(let parts), .join(_, let parts): parts.flatMap(\.columns)
        case .conditional(let branches, let otherwise):
            branches.flatMap { $0.condition.columns + $0.value.columns } + otherwise.columns
        case .calc(let arithmetic): arithmetic.columns
        }
    }

    /// The same source with column names replaced by positions in `columns`.
    func bound(to columns: ColumnIndex) throws(ColumnIndex.Missing) -> ValueSource {
        switch self {
        case .column(let reference):
            return .column(try columns.bind(reference))
        case .text:
            return self
        case .concat(let parts):
            return .concat(try parts.map { part throws(ColumnIndex.Missing) in try part.bound(to: columns) })
        case .join(let separator, let parts):
            return .join(separator: separator, try parts.map { part throws(ColumnIndex.Missing) in try part.bound(to: columns) })
        case .conditional(let branches, let otherwise):
            return .conditional(try branches.map { branch throws(ColumnIndex.Missing) in
                Branch(condition: try branch.condition.bound(to: columns), value: try branch.value.bound(to: columns))
            }, otherwise: try otherwise.bound(to: columns))
        case .calc(let arithmetic):
            return .calc(try arithmetic.bound(to: columns))
        }
    }

    func evaluate(_ record: SourceRecord) throws(Failure) -> String {
        switch self {
        case .column(let reference):
            return reference.value(in: record)
        case .text(let text):
            return text
        case .concat(let parts):
            var result = ""
            for part in parts { result += try part.evaluate(record) }
            return result
        case .join(let separator, let parts):
            var pieces: [String] = []
            for part in parts {
                let piece = try part.evaluate(record).trimmingWhitespace()
                if !piece.isEmpty { pieces.append(piece) }
            }
            return pieces.joined(separator: separator)
        case .conditional(let branches, let otherwise):
            for branch in branches where branch.condition.matches(record) { return try branch.value.evaluate(record) }
            return try otherwise.evaluate(record)
        case .calc(let arithmetic):
            do {
                return "\(try arithmetic.evaluate(record))"
            } catch .notANumber(let name, let value) {
                throw Failure(reason: "calc: \(name) is \(value.isEmpty ? "empty" : "\"\(value)\""), not a number")
            } catch {
                throw Failure(reason: "calc: division by zero")
            }
        }
    }

    /// Appends the value's UTF-8 bytes to `buffer` without making text, where bytes decide it exactly as
    /// `evaluate` does: columns (not option sets), texts, and `+`, `join` and `when` over them. False, with
    /// `buffer` as it was, for anything else (a `calc`, an option-set column, a `join` piece with non-ASCII
    /// ends, a condition bytes cannot decide): then `evaluate` gives the value.
    func append(_ record: SourceRecord, to buffer: inout [UInt8]) -> Bool {
        switch self {
        case .column(let reference) where reference.optionValues == nil:
            if reference.index < record.fieldCount {
                let range = record.range(of: reference.index)
                record.storage.withUnsafeBufferPointer { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
            }
            return true
        case .text(let text):
            buffer.append(contentsOf: text.utf8)
            return true
        case .concat(let parts):
            let start = buffer.count
            for part in parts where !part.append(record, to: &buffer) {
                buffer.removeSubrange(start...)
                return false
            }
            return true
        case .join(let separator, let parts):
            let start = buffer.count
            var joined = false
            for part in parts {
                let beforeSeparator = buffer.count
                if joined { buffer.append(contentsOf: separator.utf8) }
                let pieceStart = buffer.count
                guard part.append(record, to: &buffer), case .done = FieldProgram.trim(&buffer, from: pieceStart) else {
                    buffer.removeSubrange(start...)
                    return false
                }
                if buffer.count == pieceStart {
                    buffer.removeSubrange(beforeSeparator...)
                } else {
                    joined = true
                }
            }
            return true
        case .conditional(let branches, let otherwise):
            for branch in branches {
                guard let matches = branch.condition.decidedOnBytes(record) else { return false }
                if matches { return branch.value.append(record, to: &buffer) }
            }
            return otherwise.append(record, to: &buffer)
        default:
            return false
        }
    }

    /// The bytes of a column (not an option set) or a text, for as long as `body` runs; nil for other sources.
    func withPlainBytes<Result>(in record: SourceRecord, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        switch self {
        case .column(let reference) where reference.optionValues == nil:
            return record.withBytes(at: reference.index, body)
        case .text(let text):
            var text = text
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        default:
            return nil
        }
    }

    /// What the rejects report shows as the offending value: a column's own value; for a computed
    /// source, the columns it read with their values (`quantity=-3`), since the computed value may be
    /// empty or never made.
    func display(_ record: SourceRecord) -> String {
        if case .column(let reference) = self { return record.string(at: reference.index) ?? "" }
        var seen = Set<String>()
        let read = columns.filter { seen.insert($0.name).inserted }
        guard !read.isEmpty else { return (try? evaluate(record)) ?? "" }
        return read.map { "\($0.name)=\(record.string(at: $0.index) ?? "")" }.joined(separator: ", ")
    }
}

/// The input's column names, for binding a template to one file.
public struct ColumnIndex: Sendable {
    public struct Missing: Error, Sendable {
        public var reference: ColumnReference
    }

    public let names: [String]
    private let positions: [String: Int]
    /// The Dataverse table the input is an export of, and the template's own column names: a column is
    /// found by its logical name or its display name, whichever the export's header uses. Its optional
    /// columns read as empty when the input lacks them.
    private let source: SourceOptions

    /// Where an optional column the input lacks is bound: past every record's end, so it reads empty.
    static let absent = Int.max

    public init(_ names: [String], source: SourceOptions = SourceOptions()) {
        self.names = names
        self.source = source
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    func position(of reference: ColumnReference) throws(Missing) -> Int {
        for name in source.columnNames(for: reference.name) {
            if let index = positions[name] { return index }
            // Exports differ in case (Accountnumber vs accountnumber); accept a unique case-insensitive match.
            let folded = name.lowercased()
            let matches = names.indices.filter { names[$0].lowercased() == folded }
            if matches.count == 1 { return matches[0] }
        }
        if source.optionalColumns.contains(reference.name) { return Self.absent }
        throw Missing(reference: reference)
    }

    /// The reference with its position, and for an option-set column its labels.
    func bind(_ reference: ColumnReference) throws(Missing) -> ColumnReference {
        var bound = reference
        bound.index = try position(of: reference)
        bound.optionValues = source.optionValues(for: reference.name)
        return bound
    }

    /// The references that cannot be bound, each column once, in the order given.
    func missing(_ references: [ColumnReference]) -> [ColumnReference] {
        var seen = Set<String>()
        return references.filter { reference in (try? position(of: reference)) == nil && seen.insert(reference.name).inserted }
    }
}
