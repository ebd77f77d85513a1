import Foundation

/// The steps of a field line (`trim`, `truncate 100`, `lookup accounts`) and the help texts that name them.
extension RuleParser {
    mutating func parseStep() throws(TemplateError) -> FieldStep {
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

    mutating func parseCount(for step: String) throws(TemplateError) -> Int {
        guard let next = peek(), case .word(let word) = next.token, let count = Int(word), count >= 0 else {
            throw error("\(step) needs a whole number of characters", hint: "\(step) 60")
        }
        index += 1
        return count
    }

    mutating func parseText(for step: String) throws(TemplateError) -> String {
        guard let next = peek() else { throw error("\(step) needs a value", hint: Self.usage(of: step)) }
        switch next.token {
        case .string(let text), .word(let text):
            index += 1
            return text
        default:
            throw error("\(step) needs a value, found \(Self.describe(next.token))", hint: Self.usage(of: step))
        }
    }

    static var stepNames: String { FieldStep.catalogue.map(\.name).joined(separator: ", ") }

    static func usage(of step: String) -> String? {
        FieldStep.catalogue.first { $0.name == step }?.usage
    }

    /// The known step closest to a misspelt one (`uper` -> `upper`).
    static func suggestion(for name: String) -> String? {
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
