/// `takes:` patterns as fnmatch reads them (`*`, `?`, `[a-z]`, `[!x]`), compared with each other.
enum GlobPattern {
    private enum Token: Equatable {
        case literal(Character)
        case any
        case star
        case set([ClosedRange<Character>], negated: Bool)

        func admits(_ character: Character) -> Bool {
            switch self {
            case .literal(let literal): literal == character
            case .any: true
            case .star: true
            case .set(let ranges, let negated): ranges.contains { $0.contains(character) } != negated
            }
        }

        /// Characters to try when a witness name is built.
        var candidates: [Character] {
            switch self {
            case .literal(let literal): [literal]
            case .any, .star: ["x"]
            case .set(let ranges, let negated):
                negated ? Self.printable.filter(admits) : ranges.map(\.lowerBound) + Self.printable.filter(admits)
            }
        }

        static let printable: [Character] = (0x21...0x7E).compactMap { UnicodeScalar($0).map(Character.init) }
    }

    /// A file name both patterns take, directly or through a `.gz` / `.gzip` suffix (as `Template.takes`
    /// looks through them); nil when no name matches both.
    static func sharedName(_ first: String, _ second: String) -> String? {
        for (a, b) in [(first, second), (first + ".gz", second), (first, second + ".gz"), (first + ".gzip", second), (first, second + ".gzip")] {
            if let name = intersection(tokens(a), tokens(b)) { return name }
        }
        return nil
    }

    private static func tokens(_ pattern: String) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "*": if tokens.last != .star { tokens.append(.star) }
            case "?": tokens.append(.any)
            case "[":
                var cursor = index + 1
                let negated = cursor < characters.count && (characters[cursor] == "!" || characters[cursor] == "^")
                if negated { cursor += 1 }
                var ranges: [ClosedRange<Character>] = []
                var closed = false
                var first = true
                while cursor < characters.count {
                    let member = characters[cursor]
                    if member == "]" && !first { closed = true; break }
                    first = false
                    if cursor + 2 < characters.count, characters[cursor + 1] == "-", characters[cursor + 2] != "]", member <= characters[cursor + 2] {
                        ranges.append(member...characters[cursor + 2])
                        cursor += 3
                    } else {
                        ranges.append(member...member)
                        cursor += 1
                    }
                }
                if closed {
                    tokens.append(.set(ranges, negated: negated))
                    index = cursor
                } else {
                    tokens.append(.literal("["))
                }
            case "\\" where index + 1 < characters.count:
                index += 1
                tokens.append(.literal(characters[index]))
            default:
                tokens.append(.literal(character))
            }
            index += 1
        }
        return tokens
    }

    /// A string both token lists match, searched depth-first with the dead ends remembered.
    private static func intersection(_ a: [Token], _ b: [Token]) -> String? {
        var failed = Set<Int>()
        func search(_ i: Int, _ j: Int) -> String? {
            let key = i * (b.count + 1) + j
            if failed.contains(key) { return nil }
            defer { failed.insert(key) }
            if i == a.count && j == b.count { return "" }
            if i < a.count, a[i] == .star {
                if let rest = search(i + 1, j) { return rest }
                if j < b.count, b[j] != .star, let character = b[j].candidates.first, let rest = search(i, j + 1) { return String(character) + rest }
                if j < b.count, b[j] == .star, let rest = search(i, j + 1) { return rest }
                return nil
            }
            if j < b.count, b[j] == .star {
                if let rest = search(i, j + 1) { return rest }
                if i < a.count, let character = a[i].candidates.first, let rest = search(i + 1, j) { return String(character) + rest }
                return nil
            }
            guard i < a.count, j < b.count else { return nil }
            guard let character = a[i].candidates.first(where: b[j].admits) ?? b[j].candidates.first(where: a[i].admits) else { return nil }
            return search(i + 1, j + 1).map { String(character) + $0 }
        }
        return search(0, 0)
    }
}
