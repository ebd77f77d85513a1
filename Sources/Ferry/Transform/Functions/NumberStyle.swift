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
        guard let normalized = Self.normalized(text, decimalMark: decimalMark) else { return nil }
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

    /// The number with a decimal point and no separators, or nil. A thousands separator (the other mark,
    /// a space, a no-break space or an apostrophe) counts only between groups of three digits before the
    /// decimal mark, so "12,50" read with a decimal point is refused rather than read as 1250.
    private static func normalized(_ text: String, decimalMark: Character) -> String? {
        var characters = Substring(text)
        var sign = ""
        if let first = characters.first, first == "-" || first == "+" {
            sign = String(first)
            characters = characters.dropFirst()
        }
        let parts = characters.split(separator: decimalMark, maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts.first ?? "", fraction = parts.count > 1 ? parts[1] : nil
        guard fraction?.allSatisfy({ $0.isASCII && $0.isNumber }) ?? true else { return nil }
        let separators: Set<Character> = [",", ".", " ", "\u{00A0}", "'"]
        let used = Set(whole.filter { separators.contains($0) })
        guard whole.allSatisfy({ ($0.isASCII && $0.isNumber) || used.contains($0) }), used.count <= 1 else { return nil }
        if let separator = used.first {
            let groups = whole.split(separator: separator, omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        let digits = whole.filter { $0.isASCII && $0.isNumber }
        return sign + digits + (fraction.map { "." + $0 } ?? "")
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
