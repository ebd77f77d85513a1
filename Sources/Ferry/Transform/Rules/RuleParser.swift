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
    let tokens: [Located]
    var index = 0
    /// Problems found in steps while the rest of a field line was still read.
    var problems: [TemplateError] = []
    let textLength: Int

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
    mutating func parseSource() throws(TemplateError) -> ValueSource {
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

    mutating func parseConditional() throws(TemplateError) -> ValueSource {
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
    mutating func parseValue() throws(TemplateError) -> ValueSource {
        var parts = [try parsePart()]
        while take(.symbol("+")) { parts.append(try parsePart()) }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    /// `calc(a * b - c)`: + - * / with spaces around them, parentheses, numbers and columns.
    mutating func parseArithmetic() throws(TemplateError) -> Arithmetic {
        var left = try parseTerm()
        while let next = peek()?.token, next == .symbol("+") || next == .word("-") {
            index += 1
            left = .operation(left, next == .symbol("+") ? "+" : "-", try parseTerm())
        }
        return left
    }

    mutating func parseTerm() throws(TemplateError) -> Arithmetic {
        var left = try parseFactor()
        while let next = peek()?.token, next == .word("*") || next == .word("/") {
            index += 1
            left = .operation(left, next == .word("*") ? "*" : "/", try parseFactor())
        }
        return left
    }

    mutating func parseFactor() throws(TemplateError) -> Arithmetic {
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

    mutating func parsePart() throws(TemplateError) -> ValueSource {
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
}
