import Foundation
import Yams

/// `fields:`, `maps:`, `lookups:` and `learn:`: the rules of each field and what they may name.
extension TemplateDocument {
    /// `learn: {accounts: {key: accountnumber, from: [accountid, accountnumber], names: [name]}}`
    func parseLearn(_ node: Node?) throws(TemplateError) -> [LearnRule] {
        guard let node else { return [] }
        var rules: [LearnRule] = []
        for (key, value) in try mapping(node, what: "learn") {
            let reference = try text(key, what: "a reference name")
            let section = try mapping(value, what: "learn \(reference)")
            checkKeys(section, allowed: ["key", "from", "names", "rows"], in: "learn \(reference)")
            let keyNode = try required(section, "key", hint: "the column whose value lookups return, e.g. key: accountnumber")
            var lists: [String: [ColumnReference]] = [:]
            for name in ["from", "names"] {
                guard let node = section[name] else { continue }
                var items: [ColumnReference] = []
                for item in node.sequence.map(Array.init) ?? [node] {
                    items.append(ColumnReference(name: try text(item, what: name), position: origin(of: item)))
                }
                lists[name] = items
            }
            let keyColumn = ColumnReference(name: try text(keyNode, what: "key"), position: origin(of: keyNode))
            var rule = LearnRule(reference: reference, key: keyColumn, ids: lists["from"] ?? [keyColumn], names: lists["names"] ?? [])
            if let node = section["rows"] {
                let value = try text(node, what: "rows").lowercased()
                guard value == "delivered" || value == "all" else { throw error(at: node, "rows must be delivered (the default) or all") }
                rule.everyRow = value == "all"
            }
            rules.append(rule)
        }
        return rules
    }

    /// `lookups:` tables read from CSV files beside the template. A table that cannot be read is
    /// reported and stands in empty, so rules naming it are still checked (not as unknown lookups).
    func parseLookups(_ node: Node?) throws(TemplateError) -> [String: LookupTable] {
        guard let node else { return [:] }
        var tables: [String: LookupTable] = [:]
        let folder = (path as NSString).deletingLastPathComponent
        for (key, value) in try mapping(node, what: "lookups") {
            let table = collected.attempt(nil) { () throws(TemplateError) -> (String, LookupTable)? in
                let name = try text(key, what: "a lookup name")
                let section = try mapping(value, what: "lookup \(name)")
                checkKeys(section, allowed: ["file", "key", "value", "fallback", "reference"], in: "lookup \(name)")
                let fallback = try section["fallback"].map { node throws(TemplateError) in try text(node, what: "fallback") }
                if let node = section["reference"] {
                    guard section["file"] == nil else { throw self.error(at: node, "lookup \(name): give either file: or reference:, not both") }
                    return (name, LookupTable.learned(name: name, reference: try text(node, what: "reference"), fallback: fallback))
                }
                let file = try text(try required(section, "file", hint: "file: countries.csv (beside the template)"), what: "file")
                let keyColumn = try text(try required(section, "key", hint: "the column to look up by"), what: "key")
                let valueColumn = try text(try required(section, "value", hint: "the column to return"), what: "value")
                let filePath = file.hasPrefix("/") ? file : (folder.isEmpty ? file : folder + "/" + file)
                do {
                    return (name, try LookupTable.load(name: name, path: filePath, inside: folder, keyColumn: keyColumn, valueColumn: valueColumn,
                                                       fallback: fallback))
                } catch {
                    collected.list.append(self.error(at: section["file"] ?? value, "lookup \(name): cannot read \(file) (looked at \(Self.absolute(filePath))): \(error)",
                                                     hint: "the file is read relative to the template's folder, and must lie inside it"))
                    return (name, LookupTable(name: name, file: filePath, entries: [:], fallback: fallback))
                }
            }
            if let (name, lookup) = table { tables[name] = lookup }
        }
        return tables
    }

    func parseMaps(_ node: Node?) throws(TemplateError) -> [String: ValueMap] {
        guard let node else { return [:] }
        var maps: [String: ValueMap] = [:]
        for (key, value) in try mapping(node, what: "maps") {
            let name = try text(key, what: "a map name")
            var entries: [String: String] = [:]
            var fallback: String?
            for (from, to) in try mapping(value, what: "map \(name)") {
                let source = try text(from, what: "a map key")
                let target = try text(to, what: "a map value")
                if source == "*" { fallback = target } else { entries[source] = target }
            }
            maps[name] = ValueMap(name: name, entries: entries, fallback: fallback)
        }
        return maps
    }

    func parseFields(_ node: Node, context: RuleContext) throws(TemplateError) -> [FieldRule] {
        var rules: [FieldRule] = []
        var seen = Set<String>()
        let before = collected.list.count
        for (key, value) in try mapping(node, what: "fields") {
            let rule = collected.attempt(nil) { () throws(TemplateError) -> FieldRule? in
                let target = try text(key, what: "a target field name")
                guard seen.insert(target).inserted else { throw error(at: key, "field \(target) is listed twice") }
                return try parseField(target, value, context: context)
            }
            if let rule { rules.append(rule) }
        }
        guard !rules.isEmpty || collected.list.count > before || node.mapping?.isEmpty == true && node.mark == nil else {
            throw error(at: node, "fields: lists no target fields")
        }
        return rules
    }

    func parseField(_ target: String, _ value: Node, context: RuleContext) throws(TemplateError) -> FieldRule {
        if let items = value.sequence {
            // `NAME: [Account Name]`: YAML reads the brackets as a one-item list; it is the bracketed column.
            guard items.count == 1, let only = items.first?.scalar, only.style == .plain, !only.string.isEmpty else {
                throw error(at: value, "field \(target): YAML reads a value in [ ] as a list",
                            hint: "put the rule in quotes: \(target): \"[column name] | trim\"")
            }
            let position = origin(of: value)
            let column = ColumnReference(name: only.string, position: TemplatePosition(line: position.line, column: position.column + 1))
            return FieldRule(target: target, source: .column(column), steps: [], position: position)
        }
        guard let scalar = value.scalar else {
            throw error(at: value, "field \(target) must be one line, e.g. \(target): source_column | trim")
        }
        if (scalar.style == .doubleQuoted || scalar.style == .singleQuoted) && !Self.quotedValueIsRule(scalar.string) {
            return FieldRule(target: target, source: .text(scalar.string), steps: [], position: origin(of: value))
        }
        guard !scalar.string.trimmingWhitespace().isEmpty else {
            throw error(at: value, "field \(target) has no rule", hint: "name a source column, or write a fixed text in quotes")
        }
        var parser = try RuleParser(scalar.string, file: path, origin: origin(of: value), maps: context.maps, lookups: context.lookups)
        let rule = try parser.parseFieldRule(target: target)
        collected.list += parser.problems
        return rule
    }

    /// A quoted YAML value is a fixed text, except where quoting is what YAML needs: a rule with steps
    /// (` | `, for rules holding `: ` or ` #`), a bracketed column (`"[Account Name]"`), an XML attribute
    /// path (`"@id"`, `"address/@type"`: `@` cannot start a plain YAML value), or a text in quotes of
    /// the rule language itself (`'"[draft]"'`, to write brackets as text).
    static func quotedValueIsRule(_ value: String) -> Bool {
        if value.contains(" | ") { return true }
        if value.count >= 2, value.hasPrefix("["), value.hasSuffix("]"), !value.dropFirst().dropLast().contains("]") { return true }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { return true }
        return isAttributePath(value)
    }

    /// `@id`, `address/@type`: an XML attribute, directly on the record or on an element below it.
    static func isAttributePath(_ value: String) -> Bool {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard let last = parts.last, last.hasPrefix("@"), last.count > 1 else { return false }
        func isName(_ part: Substring) -> Bool {
            guard let first = part.first, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { $0.isLetter || $0.isNumber || "_-.:".contains($0) }
        }
        return isName(last.dropFirst()) && parts.dropLast().allSatisfy(isName)
    }
}
