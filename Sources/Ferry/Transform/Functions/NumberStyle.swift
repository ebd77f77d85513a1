import Foundation

/// Reads numbers written with a decimal comma or point (and thousands separators) and writes them
/// with the target's separator, optionally rounded (half away from zero, as spreadsheets do).
public struct NumberStyle: Sendable, Equatable {
    public enum Separator: String, Sendable { case auto, comma, point }

    public var from: Separator = .auto
    public var to: Separator = .point
    public var places: Int?

    /// The number as the target wants it, or nil when the value is not a number.
    func convert(_ value: String) -> String? {
        let text = value.trimmingWhitespace()
        guard !text.isEmpty else { return "" }
        var decimalMark: Character = "."
        switch from {
        case .comma: decimalMark = ","
        case .point: decimalMark = "."
        case .auto:
            let lastComma = text.lastIndex(of: ","), lastPoint = text.lastIndex(of: ".")
            if let lastComma, lastPoint == nil || lastComma > lastPoint! {
                // "12,50" or "1.234,56"; but "1,234" alone stays thousands only if there are 3 digits after it and a point elsewhere.
                decimalMark = ","
            }
        }
        var normalized = ""
        var seenDecimal = false
        for (position, character) in text.enumerated() {
            if character == decimalMark {
                guard !seenDecimal else { return nil }
                seenDecimal = true
                normalized.append(".")
            } else if character.isASCII, character.isNumber {
                normalized.append(character)
            } else if (character == "-" || character == "+") && position == 0 {
                normalized.append(character)
            } else if character == "," || character == "." || character == " " || character == "\u{00A0}" || character == "'" {
                continue  // thousands separators
            } else {
                return nil
            }
        }
        guard normalized.contains(where: \.isNumber), var decimal = Decimal(string: normalized, locale: Locale(identifier: "en_US_POSIX")) else {
            return nil
        }
        var output: String
        if let places {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &decimal, places, .plain)
            output = Self.fixed(rounded, places: places)
        } else {
            output = decimal.description
        }
        if to == .comma { output = output.replacingAll(".", with: ",") }
        return output
    }

    /// Exactly `places` decimals: 12.5 -> "12.50".
    private static func fixed(_ value: Decimal, places: Int) -> String {
        var text = value.description
        guard places > 0 else { return text }
        if !text.contains(".") { text += "." }
        let decimals = text.count - (text.firstIndex(of: ".").map { text.distance(from: text.startIndex, to: $0) + 1 } ?? text.count)
        return text + String(repeating: "0", count: max(0, places - decimals))
    }
}
