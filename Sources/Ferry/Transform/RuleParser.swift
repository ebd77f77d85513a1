/// Parses the small rule language of templates: field lines (`name | trim | truncate 100`)
/// and row filters (`statecode == 0 and name is not empty`).
import Foundation

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
    let lookups: [String: LookupTable]
    private let tokens: [Located]
    private var index = 0
    /// Problems found in steps while the rest of a field line was still read.
    private(set) var problems: [TemplateError] = []
    private let textLength: Int

    init(_ text: String, file: String, origin: TemplatePosition, maps: [String: ValueMap],
         lookups: [String: LookupTable] = [:]) throws(TemplateError) {
        self.file = file
        self.origin = origin
        self.maps = maps
        self.lookups = lookups
        self.textLength = text.count
        self.tokens = try Self.tokenize(text, file: file, origin: origin)
    }

    // MARK: Field lines

    /// `source ('|' step)*`. A step that cannot be read is recorded in `problems` and skipped, so one
    /// round reports every wrong step of the line and the rule still names its columns.
    mutating func parseFieldRule(target: String) throws(TemplateError) -> FieldRule {
        let start = position()
        let source = try parseSource()
        var steps: [FieldStep] = []
        var messages: [Int: String] = [:]
        while take(.symbol("|")) {
            do {
                let step = try parseStep()
                if step.canReject, case .string(let message)? = peek()?.token {
                    index += 1
                    messages[steps.count] = message
                }
                steps.append(step)
            } catch {
                problems.append(error)
                while let next = peek(), next.token != .symbol("|") { index += 1 }
                continue
            }
            if let extra = peek(), extra.token != .symbol("|") {
                problems.append(self.error("unexpected \(Self.describe(extra.token)) after the step",
                                           hint: "separate steps with | (e.g. name | trim | upper)"))
                while let next = peek(), next.token != .symbol("|") { index += 1 }
            }
        }
        if let extra = peek() {
            throw error("unexpected \(Self.describe(extra.token)) after the value",
                        hint: "separate steps with | (e.g. name | trim | upper)")
        }
        return FieldRule(target: target, source: source, steps: steps, position: start, messages: messages)
    }

    /// `part ('+' part)*`, `join "sep" part part ...`, `when cond then value ... else value`, `calc(...)`
    private mutating func parseSource() throws(TemplateError) -> ValueSource {
        if case .word("when")? = peek()?.token { return try parseConditional() }
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

    private mutating func parseConditional() throws(TemplateError) -> ValueSource {
        var branches: [ValueSource.Branch] = []
        while take(.word("when")) {
            let condition = try parseOr()
            guard take(.word("then")) else { throw error("expected then after the condition", hint: "when statecode == 1 then \"90\" else \"10\"") }
            branches.append(ValueSource.Branch(condition: condition, value: try parseValue()))
        }
        let otherwise: ValueSource = take(.word("else")) ? try parseValue() : .text("")
        return .conditional(branches, otherwise: otherwise)
    }

    /// A value inside `when`: parts glued with `+`.
    private mutating func parseValue() throws(TemplateError) -> ValueSource {
        var parts = [try parsePart()]
        while take(.symbol("+")) { parts.append(try parsePart()) }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    /// `calc(a * b - c)`: + - * / with spaces around them, parentheses, numbers and columns.
    private mutating func parseArithmetic() throws(TemplateError) -> Arithmetic {
        var left = try parseTerm()
        while let next = peek()?.token, next == .symbol("+") || next == .word("-") {
            index += 1
            left = .operation(left, next == .symbol("+") ? "+" : "-", try parseTerm())
        }
        return left
    }

    private mutating func parseTerm() throws(TemplateError) -> Arithmetic {
        var left = try parseFactor()
        while let next = peek()?.token, next == .word("*") || next == .word("/") {
            index += 1
            left = .operation(left, next == .word("*") ? "*" : "/", try parseFactor())
        }
        return left
    }

    private mutating func parseFactor() throws(TemplateError) -> Arithmetic {
        if take(.symbol("(")) {
            let inner = try parseArithmetic()
            guard take(.symbol(")")) else { throw error("a closing parenthesis is missing in calc") }
            return inner
        }
        let part = try parsePart()
        if case .text(let text) = part {
            guard let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw error("\"\(text)\" is not a number", hint: "calc(quantity * priceperunit - manualdiscountamount), with spaces around + - * /")
            }
            return .number(number)
        }
        return .value(part)
    }

    private mutating func parsePart() throws(TemplateError) -> ValueSource {
        if case .word("calc")? = peek()?.token, case .symbol("(")? = peek(1)?.token {
            index += 2
            let arithmetic = try parseArithmetic()
            guard take(.symbol(")")) else { throw error("a closing parenthesis is missing after calc(", hint: "put spaces around + - * /") }
            return .calc(arithmetic)
        }
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
        case "title": return .title
        case "substring":
            let start = try parseCount(for: name)
            guard start >= 1 else { throw error("substring starts at position 1 or later") }
            var length: Int?
            if case .word(let word)? = peek()?.token, let count = Int(word), count >= 0 { index += 1; length = count }
            return .substring(start: start, length: length)
        case "pad":
            guard case .word(let side)? = peek()?.token, side == "left" || side == "right" else {
                throw error("pad needs left or right, a width and a character", hint: "pad left 10 \"0\"")
            }
            index += 1
            let width = try parseCount(for: name)
            var character: Character = " "
            if case .string(let text)? = peek()?.token {
                guard text.count == 1, let first = text.first else { throw error("pad takes one character to pad with") }
                index += 1
                character = first
            }
            return .pad(left: side == "left", width: width, with: character)
        case "split":
            let separator = try parseText(for: name)
            guard case .word(let word)? = peek()?.token, let part = Int(word), part != 0 else {
                throw error("split needs the part to keep: 1 for the first, -1 for the last", hint: "split \";\" 2")
            }
            index += 1
            return .split(separator: separator, part: part)
        case "regex":
            let here = position()
            let pattern = try parseText(for: name)
            let replacement = try parseText(for: name)
            do {
                return .regex(try RegexReplacement(pattern: pattern, replacement: replacement))
            } catch {
                throw TemplateError(file: file, line: here.line, column: here.column, "the regular expression \"\(pattern)\" is not valid",
                                    hint: "\(error)")
            }
        case "date":
            let here = position()
            let from = try parseText(for: name), to = try parseText(for: name)
            var zone: String?
            if take(.word("zone")) {
                let identifier = try parseText(for: name)
                guard TimeZone(identifier: identifier) != nil else {
                    throw error("unknown time zone \"\(identifier)\"", hint: "an IANA name such as Europe/Budapest or UTC")
                }
                zone = identifier
            }
            do {
                return .date(from: try DatePattern(from), to: try DatePattern(to), zone: zone)
            } catch {
                throw TemplateError(file: file, line: here.line, column: here.column, error.message, hint: "e.g. date \"dd.MM.yyyy\" \"yyyy-MM-dd\"")
            }
        case "number":
            var style = NumberStyle()
            while let next = peek(), case .word(let keyword) = next.token, ["from", "to", "round"].contains(keyword) {
                index += 1
                if keyword == "round" {
                    style.places = try parseCount(for: "round")
                    continue
                }
                guard case .word(let value)? = peek()?.token, let separator = NumberStyle.Separator(rawValue: value),
                      keyword == "from" || separator != .auto else {
                    throw error("\(keyword) needs comma or point\(keyword == "from" ? " (or auto)" : "")", hint: "number from comma to point round 2")
                }
                index += 1
                if keyword == "from" { style.from = separator } else { style.to = separator }
            }
            return .number(style)
        case "lookup":
            guard let next = peek(), case .word(let tableName) = next.token else {
                throw error("lookup needs the name of a table from the template's lookups section", hint: "lookup countries")
            }
            guard let table = lookups[tableName] else {
                let known = lookups.keys.sorted().joined(separator: ", ")
                throw error("unknown lookup \"\(tableName)\"", hint: known.isEmpty ? "add it under lookups:" : "lookups defined here: \(known)")
            }
            index += 1
            return .lookup(table)
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

    mutating func parseOr() throws(TemplateError) -> RowCondition {
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
