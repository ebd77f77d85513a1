/// Row filters and `when:` conditions: `statecode == 0 and name is not empty`.
extension RuleParser {
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

    mutating func parseAnd() throws(TemplateError) -> RowCondition {
        var condition = try parseUnary()
        while take(.word("and")) { condition = .and(condition, try parseUnary()) }
        return condition
    }

    mutating func parseUnary() throws(TemplateError) -> RowCondition {
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
}
