import Yams

/// Reads a template's YAML into a node tree, turning YAML's own complaints into messages that say
/// what to change: tabs in the indentation, a key written twice (at the second one), a value that
/// starts with `[` or `@` and needs quotes.
enum TemplateYAML {
    static func compose(_ text: String, path: String) throws(TemplateError) -> Node {
        let tabs = tabIndentation(text, path: path)
        if var first = tabs.first {
            // A tab in the indentation is what the parser would stumble over; say that instead.
            first.additional = Array(tabs.dropFirst())
            throw first
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw TemplateError(file: path, line: 1, "the template is empty")
            }
            return node
        } catch let error as TemplateError {
            throw error
        } catch let error as YamlError {
            throw templateError(from: error, text: text, path: path)
        } catch {
            throw TemplateError(file: path, "cannot read the YAML: \(error)")
        }
    }

    /// Every line whose indentation holds a tab.
    static func tabIndentation(_ text: String, path: String) -> [TemplateError] {
        var problems: [TemplateError] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            guard let tab = indentation.firstIndex(of: "\t"), indentation.count < line.count else { continue }
            problems.append(TemplateError(file: path, line: index + 1, column: line.distance(from: line.startIndex, to: tab) + 1,
                                          "this line is indented with a tab; YAML allows only spaces for indentation",
                                          hint: "replace the tab with spaces (two per level, as in the other lines)"))
        }
        return problems
    }

    private static func templateError(from error: YamlError, text: String, path: String) -> TemplateError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return TemplateError(file: path, line: mark.line, column: mark.column, "YAML syntax: \(problem)",
                                 hint: hint(forLine: mark.line, in: text))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return duplicateKey(duplicates.first ?? "?", firstAt: context.mark, text: text, path: path)
        case .reader(let problem, _, _, _):
            return TemplateError(file: path, "YAML cannot be read: \(problem)")
        default:
            return TemplateError(file: path, "YAML error: \(error)")
        }
    }

    /// What usually causes a syntax error on this line.
    private static func hint(forLine number: Int, in text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard number >= 1, number <= lines.count, let colon = lines[number - 1].firstRange(of: ": ") else {
            return "check the indentation, and put values containing \": \" or \" #\" in quotes"
        }
        let line = lines[number - 1]
        let key = String(line[..<colon.lowerBound]).trimmingWhitespace()
        let value = String(line[colon.upperBound...]).trimmingWhitespace()
        if value.hasPrefix("[") || value.hasPrefix("@") || value.hasPrefix("{") || value.hasPrefix("*") || value.hasPrefix("&") {
            return "YAML reads a value that starts with \(value.prefix(1)) as syntax, not text: put the rule in quotes, "
                + "e.g. \(key): '\(value)'"
        }
        return "check the indentation, and put values containing \": \" or \" #\" in quotes"
    }

    /// Yams names the first occurrence of a repeated key; the mistake is usually the later one, so find it:
    /// the next line at the same indentation with the same key, before the section ends.
    private static func duplicateKey(_ key: String, firstAt mark: Mark, text: String, path: String) -> TemplateError {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indentation = max(0, mark.column - 1)
        var second: Int?
        var index = mark.line
        while index < lines.count {
            let line = lines[index]
            let body = line.drop { $0 == " " }
            let depth = line.count - body.count
            if !body.isEmpty && !body.hasPrefix("#") {
                if depth < indentation || (depth == indentation && body.hasPrefix("- ")) { break }
                if depth == indentation, body.hasPrefix(key + ":") || body.hasPrefix("\"\(key)\":") || body.hasPrefix("'\(key)':") {
                    second = index + 1
                    break
                }
            }
            index += 1
        }
        guard let second else {
            return TemplateError(file: path, line: mark.line, column: mark.column, "the key \"\(key)\" appears more than once in the same section",
                                 hint: "keep one of them")
        }
        return TemplateError(file: path, line: second, column: indentation + 1,
                             "the key \"\(key)\" appears twice in the same section (first at line \(mark.line))",
                             hint: "keep one of them; YAML does not allow a key twice")
    }
}
