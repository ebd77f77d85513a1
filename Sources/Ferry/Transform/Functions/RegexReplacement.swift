/// A regular expression replacement compiled once (`regex "\\s+" " "`); `$1` ... in the
/// replacement insert the groups.
public struct RegexReplacement: @unchecked Sendable, Equatable {
    public let pattern: String
    public let replacement: String
    // Regex<AnyRegexOutput> is immutable once compiled; it is only read while rows are transformed.
    private let regex: Regex<AnyRegexOutput>
    /// The same replacement on bytes, for a pattern that is one class of ASCII characters.
    let asciiClass: ASCIIClassReplacement?

    init(pattern: String, replacement: String) throws {
        self.pattern = pattern
        self.replacement = replacement
        regex = try Regex(pattern)
        asciiClass = ASCIIClassReplacement(pattern: pattern, replacement: replacement)
    }

    public static func == (lhs: RegexReplacement, rhs: RegexReplacement) -> Bool {
        lhs.pattern == rhs.pattern && lhs.replacement == rhs.replacement
    }

    func apply(to value: String) -> String {
        value.replacing(regex) { match in
            var result = ""
            var characters = Array(replacement)[...]
            while let character = characters.popFirst() {
                if character == "$", let digit = characters.first?.wholeNumberValue {
                    characters.removeFirst()
                    if digit < match.output.count, let group = match.output[digit].substring { result += group }
                } else {
                    result.append(character)
                }
            }
            return result
        }
    }
}
