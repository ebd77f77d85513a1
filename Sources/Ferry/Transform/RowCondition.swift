/// A row filter such as `statecode == 0 and name is not empty`.
public indirect enum RowCondition: Sendable, Equatable {
    public enum Comparison: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    case compare(ValueSource, Comparison, ValueSource)
    case isEmpty(ValueSource)
    case oneOf(ValueSource, [ValueSource])
    case not(RowCondition)
    case and(RowCondition, RowCondition)
    case or(RowCondition, RowCondition)

    var columns: [ColumnReference] {
        switch self {
        case .compare(let left, _, let right): left.columns + right.columns
        case .isEmpty(let value): value.columns
        case .oneOf(let value, let options): value.columns + options.flatMap(\.columns)
        case .not(let inner): inner.columns
        case .and(let left, let right), .or(let left, let right): left.columns + right.columns
        }
    }

    func bound(to columns: ColumnIndex) throws(ColumnIndex.Missing) -> RowCondition {
        switch self {
        case .compare(let left, let comparison, let right):
            .compare(try left.bound(to: columns), comparison, try right.bound(to: columns))
        case .isEmpty(let value): .isEmpty(try value.bound(to: columns))
        case .oneOf(let value, let options):
            .oneOf(try value.bound(to: columns), try options.map { option throws(ColumnIndex.Missing) in try option.bound(to: columns) })
        case .not(let inner): .not(try inner.bound(to: columns))
        case .and(let left, let right): .and(try left.bound(to: columns), try right.bound(to: columns))
        case .or(let left, let right): .or(try left.bound(to: columns), try right.bound(to: columns))
        }
    }

    /// Whether the row passes; a value that cannot be computed (a failed calc) does not.
    func matches(_ record: SourceRecord) -> Bool {
        switch self {
        case .compare(let left, let comparison, let right):
            if let equal = Self.equalOnBytes(left, comparison, right, in: record) { return equal == (comparison == .equal) }
            guard let a = try? left.evaluate(record), let b = try? right.evaluate(record) else { return false }
            return Self.compare(a, comparison, b)
        case .isEmpty(let value):
            return value.display(record).trimmingWhitespace().isEmpty
        case .oneOf(let value, let options):
            guard let text = try? value.evaluate(record) else { return false }
            return options.contains { option in (try? option.evaluate(record)).map { Self.compare(text, .equal, $0) } ?? false }
        case .not(let inner): return !inner.matches(record)
        case .and(let left, let right): return left.matches(record) && right.matches(record)
        case .or(let left, let right): return left.matches(record) || right.matches(record)
        }
    }

    /// `matches` where bytes decide it exactly (see `equalOnBytes`); nil where text must.
    func decidedOnBytes(_ record: SourceRecord) -> Bool? {
        switch self {
        case .compare(let left, let comparison, let right):
            return Self.equalOnBytes(left, comparison, right, in: record).map { $0 == (comparison == .equal) }
        case .not(let inner):
            return inner.decidedOnBytes(record).map { !$0 }
        case .and(let left, let right):
            guard let first = left.decidedOnBytes(record) else { return nil }
            return first ? right.decidedOnBytes(record) : false
        case .or(let left, let right):
            guard let first = left.decidedOnBytes(record) else { return nil }
            return first ? true : right.decidedOnBytes(record)
        default:
            return nil
        }
    }

    /// For `==` and `!=` between columns and texts: whether the two values are equal as `compare` sees them,
    /// where their bytes decide it — the same bytes are the same text, and two different ASCII values are
    /// different unless both could read as numbers (`0` and `0.0`). Nil otherwise.
    static func equalOnBytes(_ left: ValueSource, _ comparison: Comparison, _ right: ValueSource, in record: SourceRecord) -> Bool? {
        guard comparison == .equal || comparison == .notEqual else { return nil }
        var equal: Bool?
        _ = left.withPlainBytes(in: record) { a in
            right.withPlainBytes(in: record) { b in
                if a.count == b.count, a.elementsEqual(b) {
                    equal = true
                } else if !a.contains(where: { $0 >= 0x80 }), !b.contains(where: { $0 >= 0x80 }),
                          !(mayReadAsNumber(a) && mayReadAsNumber(b)) {
                    equal = false
                }
            }
        }
        return equal
    }

    /// False when `Double(text.trimmingWhitespace())` is surely nil for this ASCII text: it is empty or
    /// starts with a character no number, `inf` or `nan` starts with.
    private static func mayReadAsNumber(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first(where: { !ByteScan.isWhitespace($0) }) else { return false }
        return (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || "+-.iInN".utf8.contains(first)
    }

    /// Numbers compare as numbers (`0` equals `0.0`), everything else as exact text.
    static func compare(_ left: String, _ comparison: Comparison, _ right: String) -> Bool {
        let order: Int
        if left == right {
            order = 0
        } else if let a = Double(left.trimmingWhitespace()), let b = Double(right.trimmingWhitespace()) {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else {
            order = left < right ? -1 : (left > right ? 1 : 0)
        }
        switch comparison {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }
}
