import Foundation

/// `calc(quantity * priceperunit - manualdiscountamount)`: arithmetic over columns in exact decimals.
public indirect enum Arithmetic: Sendable, Equatable {
    case number(Decimal)
    case value(ValueSource)
    case operation(Arithmetic, Character, Arithmetic)

    enum Failure: Error { case notANumber(String, String), divisionByZero }

    var columns: [ColumnReference] {
        switch self {
        case .number: []
        case .value(let source): source.columns
        case .operation(let left, _, let right): left.columns + right.columns
        }
    }

    func bound(to columns: ColumnIndex) throws(ColumnIndex.Missing) -> Arithmetic {
        switch self {
        case .number: self
        case .value(let source): .value(try source.bound(to: columns))
        case .operation(let left, let symbol, let right): .operation(try left.bound(to: columns), symbol, try right.bound(to: columns))
        }
    }

    func evaluate(_ record: SourceRecord) throws(Failure) -> Decimal {
        switch self {
        case .number(let value):
            return value
        case .value(let source):
            let text = source.display(record).trimmingWhitespace()
            guard let number = NumberStyle().convert(text).flatMap({ Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }), !text.isEmpty else {
                throw .notANumber(source.label, text)
            }
            return number
        case .operation(let left, let symbol, let right):
            let a = try left.evaluate(record), b = try right.evaluate(record)
            switch symbol {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            default:
                guard b != 0 else { throw .divisionByZero }
                return a / b
            }
        }
    }
}
