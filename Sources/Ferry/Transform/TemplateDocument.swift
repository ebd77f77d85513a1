import Foundation
import Yams

/// Walks a template's YAML tree, checking every key and value and keeping their positions for errors.
struct TemplateDocument {
    let root: Node
    let path: String

    private static let topLevelKeys = ["version", "description", "takes", "source", "target", "targets", "filter", "fields", "maps",
                                       "lookups", "max_rejects", "after", "key", "duplicates", "package", "references", "learn", "bundle"]
    private static let sourceKeys = ["format", "delimiter", "encoding", "invalid_bytes", "record", "table", "columns", "optional"]
    private static let targetKeys = ["system", "entity", "label", "name", "format", "compress", "csv", "xml", "definition_group", "headers"]
    private static let targetListKeys = targetKeys + ["when", "fields", "key", "duplicates", "references"]
    private static let csvKeys = ["delimiter", "encoding", "bom", "line_ending"]
    private static let xmlKeys = ["root", "record", "fields", "encoding"]

    /// Every problem found, so `ferry check` can list them all at once.
    private final class Problems {
        var list: [TemplateError] = []

        /// Runs `body`; a problem is recorded and `fallback` returned instead.
        func attempt<T>(_ fallback: T, _ body: () throws(TemplateError) -> T) -> T {
            do {
                return try body()
            } catch {
                list += error.all
                return fallback
            }
        }
    }

    private let collected = Problems()

    init(root: Node, path: String) {
        self.root = root
        self.path = path
    }

    /// The problems `compile()` found.
    var problems: [TemplateError] { collected.list }

    /// The template as far as it can be read; every problem found on the way is in `problems` (the
    /// template is usable only when there are none). Nil when the file is not a section of keys at all.
    func compile() -> Template? {
        let problems = collected
        guard let top = problems.attempt(nil, { () throws(TemplateError) in try mapping(root, what: "the template") }) else { return nil }
        checkKeys(top, allowed: Self.topLevelKeys, in: "the template")

        if let version = top["version"], scalarText(version) != "1" {
            problems.list.append(error(at: version, "version \(scalarText(version) ?? "?") is not known; this Ferry reads version 1"))
        }
        let summary = problems.attempt("") { () throws(TemplateError) in try top["description"].map { node throws(TemplateError) in try text(node, what: "description") } ?? "" }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let maps = problems.attempt([:]) { () throws(TemplateError) in try parseMaps(top["maps"]) }
        let lookups = problems.attempt([:]) { () throws(TemplateError) in try parseLookups(top["lookups"]) }
        let context = RuleContext(maps: maps, lookups: lookups)
        let targets = problems.attempt([]) { () throws(TemplateError) in try parseTargets(top, templateName: name, context: context) }

        var filter: RowCondition?
        if let node = top["filter"] {
            filter = problems.attempt(nil) { () throws(TemplateError) in
                var parser = try RuleParser(try text(node, what: "filter"), file: path, origin: origin(of: node), maps: maps, lookups: lookups)
                return try parser.parseCondition()
            }
        }
        let patterns = problems.attempt([]) { () throws(TemplateError) in try parsePatterns(try required(top, "takes", hint: "takes: accounts*.csv")) }
        let source = problems.attempt(SourceOptions()) { () throws(TemplateError) in try parseSource(top["source"]) }
        let rejectLimit = problems.attempt(RejectLimit.percent(10)) { () throws(TemplateError) in try parseRejectLimit(top["max_rejects"]) }
        let after = problems.attempt([]) { () throws(TemplateError) in try top["after"].map { node throws(TemplateError) in try parsePatterns(node) } ?? [] }
        let package = problems.attempt(nil) { () throws(TemplateError) in try top["package"].map { node throws(TemplateError) in try text(node, what: "package") } }
        let learn = problems.attempt([]) { () throws(TemplateError) in try parseLearn(top["learn"]) }

        var template = Template(name: name, path: path, summary: summary, patterns: patterns,
                                source: source, filter: filter, targets: targets, rejectLimit: rejectLimit, packageName: package, after: after)
        template.learn = learn
        template.takesPosition = top["takes"].map(origin(of:))
        template.otherBundleMembers = problems.attempt(.ignore) { () throws(TemplateError) in try parseBundle(top["bundle"]) }
        template.warnings = dateLayoutWarnings(targets)
        return template
    }

    /// `date "yyyy-mm-dd" ...`: minutes in a layout without hours is nearly always a month written in
    /// lower case, which would turn every month into the minutes (01 for a date-only value).
    private func dateLayoutWarnings(_ targets: [TargetRule]) -> [TemplateError] {
        targets.flatMap(\.fields).flatMap { field in
            field.steps.compactMap { step -> TemplateError? in
                guard case .date(let from, let to, _) = step else { return nil }
                guard let layout = [from, to].first(where: \.hasMinutesWithoutHours) else { return nil }
                return TemplateError(file: path, line: field.position.line, column: field.position.column,
                                     "\(field.target): the date layout \"\(layout.text)\" has mm (minutes) but no hours",
                                     hint: "months are MM: \"\(layout.text.replacingAll("mm", with: "MM"))\"")
            }
        }
    }

    /// The maps and lookups rules may name.
    struct RuleContext {
        var maps: [String: ValueMap]
        var lookups: [String: LookupTable]
    }

    /// `targets:` (a list, each with its own fields and `when:`) or `target:` with top-level `fields:`.
    private func parseTargets(_ top: Node.Mapping, templateName: String, context: RuleContext) throws(TemplateError) -> [TargetRule] {
        if let list = top["targets"] {
            guard top["target"] == nil, top["fields"] == nil else {
                throw error(at: list, "use either targets: (each with its own fields) or target: with fields:, not both")
            }
            guard let items = list.sequence, !items.isEmpty else { throw error(at: list, "targets: must be a list of targets, each starting with -") }
            return items.map { item in
                collected.attempt(nil) { () throws(TemplateError) -> TargetRule? in
                    let section = try mapping(item, what: "a target")
                    checkKeys(section, allowed: Self.targetListKeys, in: "a target")
                    guard var rule = try parseTargetRule(section, node: item, fieldsNode: try required(section, "fields", hint: "the fields of this target"),
                                                         templateName: templateName, context: context) else { return nil }
                    if let when = section["when"] {
                        var parser = try RuleParser(try text(when, what: "when"), file: path, origin: origin(of: when), maps: context.maps, lookups: context.lookups)
                        rule.condition = try parser.parseCondition()
                    }
                    return rule
                }
            }.compactMap { $0 }
        }
        let targetNode = try required(top, "target", hint: "name the target system and entity (target:), or list several under targets:")
        let section = try mapping(targetNode, what: "target")
        let isReference = section["system"].flatMap(scalarText)?.lowercased() == "reference"
        let fieldsNode = isReference && top["fields"] == nil
            ? Node.mapping(Node.Mapping([])) : try required(top, "fields", hint: "list the target fields, e.g. CUSTOMERACCOUNT: accountnumber | trim")
        checkKeys(section, allowed: Self.targetKeys, in: "target")
        guard var rule = try parseTargetRule(section, node: targetNode, fieldsNode: fieldsNode, templateName: templateName, context: context) else { return [] }
        if let key = top["key"] { rule.key = try text(key, what: "key") }
        if let node = top["duplicates"] { rule.duplicates = try duplicatePolicy(node) }
        if let node = top["references"] { rule.references = try reference(node, fields: rule.fields) }
        try checkKey(rule, node: top["key"])
        return [rule]
    }

    private func parseTargetRule(_ section: Node.Mapping, node: Node, fieldsNode: Node, templateName: String,
                                 context: RuleContext) throws(TemplateError) -> TargetRule? {
        // The fields are read even when the target's description is wrong, so their problems show too.
        let spec = collected.attempt(nil) { () throws(TemplateError) -> TargetSpec? in try parseTarget(section, node: node, templateName: templateName) }
        var fields = try parseFields(fieldsNode, context: context)
        guard let spec else { return nil }
        if spec.system == .sales, !spec.logicalHeaders, let table = EntityCatalogue.table(spec.entity) {
            fields = fields.map { field in Self.withOptionLabels(field, table: table) }
        }
        var rule = TargetRule(spec: spec, condition: nil, fields: fields)
        rule.position = TemplatePosition(line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        if let key = section["key"] { rule.key = try text(key, what: "key") }
        if let policy = section["duplicates"] { rule.duplicates = try duplicatePolicy(policy) }
        if let node = section["references"] { rule.references = try reference(node, fields: fields) }
        try checkKey(rule, node: section["key"])
        return rule
    }

    /// An option-set column of a Sales target gets a last step that writes the option's label: the
    /// import wizard takes labels (`Sales Inventory`), where a logical-name file would carry `1`.
    private static func withOptionLabels(_ field: FieldRule, table: EntityCatalogue.Table) -> FieldRule {
        guard let logical = table.logicalName(of: field.target), let options = table.columns[logical]?.options, !options.isEmpty else { return field }
        var entries = options
        for label in options.values { entries[label] = label }
        entries[""] = ""
        var labelled = field
        labelled.steps.append(.map(ValueMap(name: "\(logical) option labels", entries: entries, fallback: nil)))
        return labelled
    }

    private func checkKey(_ rule: TargetRule, node: Node?) throws(TemplateError) {
        guard let key = rule.key, let node else { return }
        guard rule.keyIndex != nil else {
            throw error(at: node, "key \"\(key)\" is not one of this target's fields", hint: rule.fields.map(\.target).joined(separator: ", "))
        }
    }

    /// `references: {field: SALESQUOTATIONNUMBER, template: quotes-to-quotation-headers}`
    private func reference(_ node: Node, fields: [FieldRule]) throws(TemplateError) -> TargetRule.Reference {
        let section = try mapping(node, what: "references")
        checkKeys(section, allowed: ["field", "template"], in: "references")
        let fieldNode = try required(section, "field", hint: "the field that holds the other template's key")
        let field = try text(fieldNode, what: "field")
        guard fields.contains(where: { $0.target == field }) else {
            throw error(at: fieldNode, "references: \(field) is not one of this target's fields", hint: fields.map(\.target).joined(separator: ", "))
        }
        let template = try text(try required(section, "template", hint: "the template whose key it refers to"), what: "template")
        return TargetRule.Reference(field: field, template: template)
    }

    private func duplicatePolicy(_ node: Node) throws(TemplateError) -> TargetRule.DuplicatePolicy {
        let value = try text(node, what: "duplicates").lowercased()
        guard let policy = TargetRule.DuplicatePolicy(rawValue: value) else {
            throw error(at: node, "duplicates must be reject, first or last")
        }
        return policy
    }

    /// `learn: {accounts: {key: accountnumber, from: [accountid, accountnumber], names: [name]}}`
    private func parseLearn(_ node: Node?) throws(TemplateError) -> [LearnRule] {
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
    private func parseLookups(_ node: Node?) throws(TemplateError) -> [String: LookupTable] {
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

    // MARK: Sections

    private func parsePatterns(_ node: Node) throws(TemplateError) -> [String] {
        if let sequence = node.sequence {
            let patterns = try sequence.map { item throws(TemplateError) in try text(item, what: "a takes pattern") }
            guard !patterns.isEmpty else { throw error(at: node, "takes: lists no file name patterns") }
            return patterns
        }
        return [try text(node, what: "takes")]
    }

    private func parseSource(_ node: Node?) throws(TemplateError) -> SourceOptions {
        var options = SourceOptions()
        guard let node else { return options }
        let section = try mapping(node, what: "source")
        checkKeys(section, allowed: Self.sourceKeys, in: "source")
        if let format = section["format"] {
            let value = try text(format, what: "format")
            guard let parsed = SourceOptions.Format(rawValue: value.lowercased()) else {
                throw error(at: format, "source format \"\(value)\" is not supported", hint: "auto (the default), csv or xml")
            }
            options.format = parsed
        }
        if let node = section["delimiter"] { options.delimiter = try delimiter(node) }
        if let node = section["encoding"] { options.encoding = try encoding(node) }
        if let node = section["invalid_bytes"] {
            let value = try text(node, what: "invalid_bytes").lowercased()
            guard value == "fail" || value == "replace" else {
                throw error(at: node, "invalid_bytes must be fail or replace")
            }
            options.replaceInvalidBytes = value == "replace"
        }
        if let node = section["table"] {
            let value = try text(node, what: "table")
            guard EntityCatalogue.table(value) != nil else {
                throw error(at: node, "table \"\(value)\" is not a Dataverse table Ferry's catalogue knows",
                            hint: EntityCatalogue.tableNames.joined(separator: ", "))
            }
            options.table = value.lowercased()
        }
        if let node = section["columns"] {
            for (key, value) in try mapping(node, what: "columns") {
                options.columnAliases[try text(key, what: "a column name")] = try text(value, what: "its other name")
            }
        }
        if let node = section["record"] {
            let value = try text(node, what: "record")
            guard !value.split(separator: "/").isEmpty else { throw error(at: node, "record must name an element, e.g. /accounts/account") }
            options.recordPath = value
        } else if options.format == .xml {
            throw error(at: node, "an XML source needs `record:`, the path of the repeating element", hint: "record: /accounts/account")
        }
        if let node = section["optional"] {
            let items = node.sequence.map(Array.init) ?? [node]
            options.optionalColumns = Set(try items.map { item throws(TemplateError) in try text(item, what: "an optional column") })
        }
        return options
    }

    private func parseTarget(_ section: Node.Mapping, node: Node, templateName: String) throws(TemplateError) -> TargetSpec {
        let systemNode = try required(section, "system", hint: "finance-and-operations or sales")
        let systemText = try text(systemNode, what: "system").lowercased()
        let aliases: [String: TargetSpec.System] = [
            "finance-and-operations": .financeAndOperations, "fno": .financeAndOperations, "f&o": .financeAndOperations,
            "sales": .sales, "dataverse": .sales, "file": .file, "other": .file, "reference": .reference,
        ]
        guard let system = aliases[systemText] else {
            throw error(at: systemNode, "unknown target system \"\(systemText)\"", hint: "finance-and-operations, sales or file")
        }
        let entity = try text(try required(section, "entity", hint: "e.g. CustCustomerV3Entity"), what: "entity")
        var label = entity
        if system == .financeAndOperations {
            label = try text(try required(section, "label", hint: "the Data management entity name, e.g. Customers V3"), what: "label")
        } else if let node = section["label"] {
            label = try text(node, what: "label")
        }
        let format = try parseOutputFormat(section, system: system, entity: entity)
        let outputName = try section["name"].map { node throws(TemplateError) in try text(node, what: "name") } ?? templateName
        guard !outputName.contains("/"), !outputName.hasPrefix(".") else {
            throw error(at: section["name"] ?? node, "the output name must be a plain file name prefix")
        }
        let group = try section["definition_group"].map { node throws(TemplateError) in try text(node, what: "definition_group") }
        var spec = TargetSpec(system: system, entity: entity, label: label, outputName: outputName,
                              format: format, definitionGroup: group ?? "Ferry \(label)")
        if let node = section["headers"] {
            let value = try text(node, what: "headers").lowercased()
            guard value == "display" || value == "logical", system == .sales else {
                throw error(at: node, "headers applies to sales targets and must be display or logical")
            }
            spec.logicalHeaders = value == "logical"
        }
        return spec
    }

    /// `format:`, `compress:` and the `csv:` / `xml:` details, with each system's defaults.
    private func parseOutputFormat(_ section: Node.Mapping, system: TargetSpec.System, entity: String) throws(TemplateError) -> OutputFormat {
        let formatName = try section["format"].map { node throws(TemplateError) in try text(node, what: "format").lowercased() } ?? "csv"
        var gzip = false
        if let node = section["compress"] {
            let value = try text(node, what: "compress").lowercased()
            guard value == "gzip" || value == "none" else { throw error(at: node, "compress must be gzip or none") }
            guard value == "none" || system != .financeAndOperations else {
                throw error(at: node, "an F&O package is a zip already; compress applies to sales and file targets")
            }
            gzip = value == "gzip"
        }
        switch formatName {
        case "csv":
            var layout = CSVLayout()
            layout.encoding = system == .financeAndOperations ? .utf16LittleEndian : .utf8
            layout.byteOrderMark = system != .file
            layout.lineEnding = system == .file ? .lf : .crlf
            if let node = section["csv"] {
                let csv = try mapping(node, what: "csv")
                checkKeys(csv, allowed: Self.csvKeys, in: "csv")
                if let node = csv["delimiter"] { layout.delimiter = try delimiter(node) }
                if let node = csv["encoding"] { layout.encoding = try encoding(node) }
                if let node = csv["bom"] { layout.byteOrderMark = try flag(node, what: "bom") }
                if let node = csv["line_ending"] {
                    let value = try text(node, what: "line_ending").lowercased()
                    guard let ending = CSVLayout.LineEnding(rawValue: value) else { throw error(at: node, "line_ending must be crlf or lf") }
                    layout.lineEnding = ending
                }
            }
            return OutputFormat(layout: .csv(layout), gzip: gzip)
        case "xml":
            let isPackage = system == .financeAndOperations
            var layout = XMLLayout(root: isPackage ? "Document" : "records", record: isPackage ? entity.uppercased() : entity)
            if let node = section["xml"] {
                let xml = try mapping(node, what: "xml")
                checkKeys(xml, allowed: Self.xmlKeys, in: "xml")
                if let node = xml["root"] { layout.root = try text(node, what: "root") }
                if let node = xml["record"] { layout.record = try text(node, what: "record") }
                if let node = xml["encoding"] { layout.encoding = try encoding(node) }
                if let node = xml["fields"] {
                    let value = try text(node, what: "fields").lowercased()
                    guard value == "elements" || value == "attributes" else { throw error(at: node, "fields must be elements or attributes") }
                    layout.fieldsAsAttributes = value == "attributes"
                }
            }
            return OutputFormat(layout: .xml(layout), gzip: gzip)
        default:
            throw error(at: section["format"] ?? root, "unknown output format \"\(formatName)\"", hint: "csv or xml")
        }
    }

    private func delimiter(_ node: Node) throws(TemplateError) -> UInt8 {
        let value = try text(node, what: "delimiter")
        let named: [String: String] = ["tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"]
        let resolved = named[value.lowercased()] ?? value
        guard resolved.utf8.count == 1, let byte = resolved.utf8.first, byte != UInt8(ascii: "\"") else {
            throw error(at: node, "delimiter must be one character (\",\", \";\", \"|\" or tab)")
        }
        return byte
    }

    private func encoding(_ node: Node) throws(TemplateError) -> TextEncoding {
        let value = try text(node, what: "encoding")
        guard let parsed = TextEncoding(name: value) else {
            throw error(at: node, "encoding \"\(value)\" is not supported", hint: TextEncoding.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return parsed
    }

    private func flag(_ node: Node, what: String) throws(TemplateError) -> Bool {
        switch try text(node, what: what).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(at: node, "\(what) must be true or false")
        }
    }

    private func parseMaps(_ node: Node?) throws(TemplateError) -> [String: ValueMap] {
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

    private func parseFields(_ node: Node, context: RuleContext) throws(TemplateError) -> [FieldRule] {
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

    private func parseField(_ target: String, _ value: Node, context: RuleContext) throws(TemplateError) -> FieldRule {
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

    /// `bundle: {other_members: ignore | fail}`
    private func parseBundle(_ node: Node?) throws(TemplateError) -> Template.OtherMembers {
        guard let node else { return .ignore }
        let section = try mapping(node, what: "bundle")
        checkKeys(section, allowed: ["other_members"], in: "bundle")
        guard let value = section["other_members"] else { return .ignore }
        guard let policy = Template.OtherMembers(rawValue: try text(value, what: "other_members").lowercased()) else {
            throw error(at: value, "other_members must be ignore or fail")
        }
        return policy
    }

    private func parseRejectLimit(_ node: Node?) throws(TemplateError) -> RejectLimit {
        guard let node else { return .percent(10) }
        let value = try text(node, what: "max_rejects").trimmingWhitespace()
        if value.lowercased() == "unlimited" || value.lowercased() == "none" { return .unlimited }
        if value.hasSuffix("%"), let percent = Double(String(value.dropLast()).trimmingWhitespace()), (0...100).contains(percent) {
            return .percent(percent)
        }
        if let count = Int(value), count >= 0 { return .count(count) }
        throw error(at: node, "max_rejects \"\(value)\" is neither a count nor a percentage", hint: "max_rejects: 100, or max_rejects: 5%")
    }

    // MARK: Node access

    private static func absolute(_ path: String) -> String {
        ((path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path) as NSString).standardizingPath
    }

    private func mapping(_ node: Node, what: String) throws(TemplateError) -> Node.Mapping {
        guard let mapping = node.mapping else { throw error(at: node, "\(what) must be a section of key: value lines") }
        return mapping
    }

    private func required(_ mapping: Node.Mapping, _ key: String, hint: String) throws(TemplateError) -> Node {
        guard let node = mapping[key] else {
            throw TemplateError(file: path, line: mapping.mark?.line, column: mapping.mark?.column, "\"\(key)\" is missing", hint: hint)
        }
        return node
    }

    /// Records every key the section does not know.
    private func checkKeys(_ mapping: Node.Mapping, allowed: [String], in section: String) {
        for key in mapping.keys {
            let name = key.scalar?.string ?? ""
            guard !allowed.contains(name) else { continue }
            let hint = closestMatch(to: name, in: allowed).map { "did you mean \"\($0)\"?" } ?? "known keys: \(allowed.joined(separator: ", "))"
            collected.list.append(error(at: key, "unknown key \"\(name)\" in \(section)", hint: hint))
        }
    }

    private func text(_ node: Node, what: String) throws(TemplateError) -> String {
        guard let text = scalarText(node) else { throw error(at: node, "\(what) must be a single value") }
        return text
    }

    private func scalarText(_ node: Node) -> String? { node.scalar?.string }

    private func origin(of node: Node) -> TemplatePosition {
        let mark = node.mark
        // Quoted scalars start one column before their text.
        let quoted = node.scalar.map { $0.style == .doubleQuoted || $0.style == .singleQuoted } ?? false
        return TemplatePosition(line: mark?.line ?? 0, column: (mark?.column ?? 1) + (quoted ? 1 : 0))
    }

    private func error(at node: Node, _ message: String, hint: String? = nil) -> TemplateError {
        TemplateError(file: path, line: node.mark?.line, column: node.mark?.column, message, hint: hint)
    }
}
