/// The tokens of a rule (words, texts in quotes, [bracketed] columns, symbols) and the parser's place among them.
extension RuleParser {
    func peek(_ ahead: Int = 0) -> Located? {
        index + ahead < tokens.count ? tokens[index + ahead] : nil
    }

    mutating func take(_ token: Token) -> Bool {
        guard peek()?.token == token else { return false }
        index += 1
        return true
    }

    func position() -> TemplatePosition {
        let offset = peek()?.offset ?? textLength
        return TemplatePosition(line: origin.line, column: origin.column + offset)
    }

    func error(_ message: String, hint: String? = nil) -> TemplateError {
        let here = position()
        return TemplateError(file: file, line: here.line, column: here.column, message, hint: hint)
    }

    static let symbols: Set<Character> = ["|", "+", "(", ")", ","]

    static func tokenize(_ text: String, file: String, origin: TemplatePosition) throws(TemplateError) -> [Located] {
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
}
