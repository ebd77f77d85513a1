/// A source column, resolved to its position once the input's header is known.
public struct ColumnReference: Sendable, Equatable {
    public var name: String
    /// Position in the input's columns; -1 until bound.
    public var index: Int = -1
    /// Where the template mentions it, for errors.
    public var position: TemplatePosition
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

    /// Every column this source reads.
    var columns: [ColumnReference] {
        switch self {
        case .column(let reference): [reference]
        case .text: []
        case .concat(let parts), .join(_, let parts): parts.flatMap(\.columns)
        }
    }

    /// The same source with column names replaced by positions in `columns`.
    func bound(to columns: ColumnIndex) throws(ColumnIndex.Missing) -> ValueSource {
        switch self {
        case .column(var reference):
            reference.index = try columns.position(of: reference)
            return .column(reference)
        case .text:
            return self
        case .concat(let parts):
            return .concat(try parts.map { part throws(ColumnIndex.Missing) in try part.bound(to: columns) })
        case .join(let separator, let parts):
            return .join(separator: separator, try parts.map { part throws(ColumnIndex.Missing) in try part.bound(to: columns) })
        }
    }

    func evaluate(_ record: SourceRecord) -> String {
        switch self {
        case .column(let reference): record.string(at: reference.index) ?? ""
        case .text(let text): text
        case .concat(let parts): parts.map { $0.evaluate(record) }.joined()
        case .join(let separator, let parts):
            parts.map { $0.evaluate(record).trimmingWhitespace() }.filter { !$0.isEmpty }.joined(separator: separator)
        }
    }
}

/// The input's column names, for binding a template to one file.
public struct ColumnIndex: Sendable {
    public struct Missing: Error, Sendable {
        public var reference: ColumnReference
    }

    public let names: [String]
    private let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }

    func position(of reference: ColumnReference) throws(Missing) -> Int {
        if let index = positions[reference.name] { return index }
        // Exports differ in case (Accountnumber vs accountnumber); accept a unique case-insensitive match.
        let folded = reference.name.lowercased()
        let matches = names.indices.filter { names[$0].lowercased() == folded }
        guard matches.count == 1 else { throw Missing(reference: reference) }
        return matches[0]
    }
}
