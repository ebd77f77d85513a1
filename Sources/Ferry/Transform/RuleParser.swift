/// Parses the small rule language of templates: field lines (`name | trim | truncate 100`)
/// and row filters (`statecode == 0 and name is not empty`).
struct RuleParser {
    enum Token: Equatable {
        /// A bare word: a column name, a number, a step name or a step argument.
        case word(String)
        case string(String)
        /// A column name written in brackets because it has spaces: `[Account Name]`.
        case bracketed(String)
        case symbol(String)
    }

    struct Located {
        var token: Token
        var offset: Int
    }

    let file: String
    /// Where the rule text starts in the template.
    let origin: TemplatePosition
    let maps: [String: ValueMap]
    private let tokens: [Located]
    private var index = 0
    private let textLength: Int

    init(_ text: String, file: String, origin: TemplatePosition, maps: [String: ValueMap]) throws(TemplateError) {
        self.file = file
        self.origin = origin
        self.maps = maps
        self.textLength = text.count
        self.tokens = try Self.tokenize(text, file: file, origin: origin)
    }

    // MARK: Field lines

    /// `source ('|' step)*`
    mutating func parseFieldRule(target: String) throws(TemplateError) -> FieldRule {
        let start = position()
        let source = try parseSource()
        var steps: [FieldStep] = []
        while take(.symbol("|")) {
            steps.append(try parseStep())
        }
        if let extra = peek() {
            throw error("unexpected \(Self.describe(extra.token)) after the value",
                        hint: "separate steps with | (e.g. name | trim | upper)")
        }
        return FieldRule(target: target, source: source, steps: steps, position: start)
    }

    /// `part ('+' part)*` or `join "sep" part part ...`
    private mutating func parseSource() throws(TemplateError) -> ValueSource {
        if case .word("join")? = peek()?.token, case .string(let separator)? = peek(1)?.token {
            index += 2
            var parts: [ValueSource] = []
            while let next = peek(), next.token != .symbol("|") {
                parts.append(try parsePart())
            }
            guard !parts.isEmpty else { throw error("join needs the columns to join", hint: "join \", \" address1_line1 address1_line2") }
            return .join(separator: separator, parts)
        }
        var parts = [try parsePart()]
        while take(.symbol("+")) { parts.append(try parsePart()) }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    private mutating func parsePart() throws(TemplateError) -> ValueSource {
        let here = position()
        guard let next = peek() else { throw error("a value is missing here", hint: "name a source column or write a text in quotes") }
        index += 1
        switch next.token {
        case .string(let text): return .text(text)
        case .bracketed(let name): return .column(ColumnReference(name: name, position: here))
        case .word(let word):
            if Self.isNumber(word) { return .text(word) }
            return .column(ColumnReference(name: word, position: here))
        case .symbol(let symbol):
            index -= 1
            throw error("expected a column name or a text in quotes, found \"\(symbol)\"")
        }
    }

    private mutating func parseStep() throws(TemplateError) -> FieldStep {
        guard let next = peek(), case .word(let name) = next.token else {
            throw error("a step name is missing after |", hint: "one of: \(Self.stepNames)")
        }
        index += 1
        switch name {
        case "trim": return .trim
        case "upper": return .upper
        case "lower": return .lower
        case "required": return .required
        case "truncate": return .truncate(try parseCount(for: name))
        case "max": return .maxLength(try parseCount(for: name))
        case "default": return .defaultValue(try parseText(for: name))
        case "replace":
            let old = try parseText(for: name)
            return .replace(old, with: try parseText(for: name))
        case "map":
            guard let next = peek(), case .word(let mapName) = next.token else {
                throw error("map needs the name of a map from the template's maps section", hint: "map customer_group")
            }
            guard let map = maps[mapName] else {
                let known = maps.keys.sorted().joined(separator: ", ")
                throw error("unknown map \"\(mapName)\"", hint: known.isEmpty ? "add it under maps:" : "maps defined here: \(known)")
            }
            index += 1
            return .map(map)
        default:
            index -= 1
            throw error("unknown function \"\(name)\"", hint: Self.suggestion(for: name) ?? "one of: \(Self.stepNames)")
        }
    }

    private mutating func parseCount(for step: String) throws(TemplateError) -> Int {
        guard let next = peek(), case .word(let word) = next.token, let count = Int(word), count >= 0 else {
            throw error("\(step) needs a whole number of characters", hint: "\(step) 60")
        }
        index += 1
        return count
    }

    private mutating func parseText(for step: String) throws(TemplateError) -> String {
        guard let next = peek() else { throw error("\(step) needs a value", hint: Self.usage(of: step)) }
        switch next.token {
        case .string(let text), .word(let text):
            index += 1
            return text
        default:
            throw error("\(step) needs a value, found \(Self.describe(next.token))", hint: Self.usage(of: step))
        }
    }

    // MARK: Filters

    mutating func parseCondition() throws(TemplateError) -> RowCondition {
        let condition = try parseOr()
        if let extra = peek() {
            throw error("unexpected \(Self.describe(extra.token)) in the filter", hint: "combine tests with and / or")
        }
        return condition
    }

    private mutating func parseOr() throws(TemplateError) -> RowCondition {
        var condition = try parseAnd()
        while take(.word("or")) { condition = .or(condition, try parseAnd()) }
        return condition
    }

    private mutating func parseAnd() throws(TemplateError) -> RowCondition {
        var condition = try parseUnary()
        while take(.word("and")) { condition = .and(condition, try parseUnary()) }
        return condition
    }

    private mutating func parseUnary() throws(TemplateError) -> RowCondition {
        if take(.word("not")) { return .not(try parseUnary()) }
        if take(.symbol("(")) {
            let inner = try parseOr()
            guard take(.symbol(")")) else { throw error("a closing parenthesis is missing") }
            return inner
        }
        let left = try parsePart()
        if take(.word("is")) {
            let negated = take(.word("not"))
            guard take(.word("empty")) else { throw error("expected \"empty\" after \"is\"", hint: "name is empty, name is not empty") }
            return negated ? .not(.isEmpty(left)) : .isEmpty(left)
        }
        if take(.word("in")) {
            guard take(.symbol("(")) else { throw error("expected ( after in", hint: "statecode in (0, 1)") }
            var options = [try parsePart()]
            while take(.symbol(",")) { options.append(try parsePart()) }
            guard take(.symbol(")")) else { throw error("a closing parenthesis is missing after the list") }
            return .oneOf(left, options)
        }
        guard let next = peek(), case .symbol(let symbol) = next.token,
              let comparison = RowCondition.Comparison(rawValue: symbol) else {
            throw error("expected a comparison (==, !=, <, <=, >, >=, is empty, in (...))", hint: "statecode == 0")
        }
        index += 1
        return .compare(left, comparison, try parsePart())
    }

    // MARK: Tokens

    private func peek(_ ahead: Int = 0) -> Located? {
        index + ahead < tokens.count ? tokens[index + ahead] : nil
    }

    private mutating func take(_ token: Token) -> Bool {
        guard peek()?.token == token else { return false }
        index += 1
        return true
    }

    private func position() -> TemplatePosition {
        let offset = peek()?.offset ?? textLength
        return TemplatePosition(line: origin.line, column: origin.column + offset)
    }

    private func error(_ message: String, hint: String? = nil) -> TemplateError {
        let here = position()
        return TemplateError(file: file, line: here.line, column: here.column, message, hint: hint)
    }

    private static let symbols: Set<Character> = ["|", "+", "(", ")", ","]

    private static func tokenize(_ text: String, file: String, origin: TemplatePosition) throws(TemplateError) -> [Located] {
        var tokens: [Located] = []
        let characters = Array(text)
        var index = 0
        func fail(_ message: String, at offset: Int) -> TemplateError {
            TemplateError(file: file, line: origin.line, column: origin.column + offset, message)
        }
        while index < characters.count {
            let character = characters[index]
            let start = index
            if character.isWhitespace {
                index += 1
            } else if character == "\"" {
                var text = ""
                index += 1
                var closed = false
                while index < characters.count {
                    let next = characters[index]
                    if next == "\\", index + 1 < characters.count {
                        text.append(characters[index + 1])
                        index += 2
                    } else if next == "\"" {
                        index += 1
                        closed = true
                        break
                    } else {
                        text.append(next)
                        index += 1
                    }
                }
                guard closed else { throw fail("a text in quotes is not closed", at: start) }
                tokens.append(Located(token: .string(text), offset: start))
            } else if character == "[" {
                guard let end = characters[index...].firstIndex(of: "]") else {
                    throw fail("a [column name] is not closed with ]", at: start)
                }
                tokens.append(Located(token: .bracketed(String(characters[(index + 1)..<end])), offset: start))
                index = end + 1
            } else if symbols.contains(character) {
                tokens.append(Located(token: .symbol(String(character)), offset: start))
                index += 1
            } else if "=!<>".contains(character) {
                var symbol = String(character)
                if index + 1 < characters.count, characters[index + 1] == "=" { symbol.append("="); index += 1 }
                index += 1
                if symbol == "=" || symbol == "!" {
                    throw fail("\"\(symbol)\" is not an operator; write == to compare, != for not equal", at: start)
                }
                tokens.append(Located(token: .symbol(symbol), offset: start))
            } else {
                var word = ""
                while index < characters.count {
                    let next = characters[index]
                    if next.isWhitespace || symbols.contains(next) || "\"[=!<>".contains(next) { break }
                    word.append(next)
                    index += 1
                }
                tokens.append(Located(token: .word(word), offset: start))
            }
        }
        return tokens
    }

    // MARK: Help texts

    private static var stepNames: String { FieldStep.catalogue.map(\.name).joined(separator: ", ") }

    private static func usage(of step: String) -> String? {
        FieldStep.catalogue.first { $0.name == step }?.usage
    }

    /// The known step closest to a misspelt one (`uper` -> `upper`).
    private static func suggestion(for name: String) -> String? {
        let best = FieldStep.catalogue.map(\.name).min { editDistance($0, name) < editDistance($1, name) }
        guard let best, editDistance(best, name) <= 2 else { return nil }
        return "did you mean \"\(best)\"?"
    }

    static func describe(_ token: Token) -> String {
        switch token {
        case .word(let word): "\"\(word)\""
        case .string(let text): "the text \"\(text)\""
        case .bracketed(let name): "[\(name)]"
        case .symbol(let symbol): "\"\(symbol)\""
        }
    }

    static func isNumber(_ word: String) -> Bool {
        guard let first = word.first, first.isNumber || first == "-" || first == "." else { return false }
        return Double(word) != nil
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
