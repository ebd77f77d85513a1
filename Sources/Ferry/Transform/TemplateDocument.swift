import Foundation
import Yams

/// Walks a template's YAML tree, checking every key and value and keeping their positions for errors.
struct TemplateDocument {
    let root: Node
    let path: String

    private static let topLevelKeys = ["version", "description", "takes", "source", "target", "filter", "fields", "maps", "max_rejects", "after"]
    private static let sourceKeys = ["format", "delimiter", "encoding", "invalid_bytes", "record"]
    private static let targetKeys = ["system", "entity", "label", "name", "format", "compress", "csv", "xml", "definition_group"]
    private static let csvKeys = ["delimiter", "encoding", "bom", "line_ending"]
    private static let xmlKeys = ["root", "record", "fields", "encoding"]

    func template() throws(TemplateError) -> Template {
        let top = try mapping(root, what: "the template")
        try checkKeys(top, allowed: Self.topLevelKeys, in: "the template")

        if let version = top["version"] {
            guard scalarText(version) == "1" else {
                throw error(at: version, "version \(scalarText(version) ?? "?") is not known; this Ferry reads version 1")
            }
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let maps = try parseMaps(top["maps"])
        let fieldsNode = try required(top, "fields", hint: "list the target fields, e.g. CUSTOMERACCOUNT: accountnumber | trim")
        let fields = try parseFields(fieldsNode, maps: maps)

        var filter: RowCondition?
        if let node = top["filter"] {
            var parser = try RuleParser(try text(node, what: "filter"), file: path, origin: origin(of: node), maps: maps)
            filter = try parser.parseCondition()
        }

        return Template(
            name: name,
            path: path,
            summary: top["description"].flatMap(scalarText) ?? "",
            patterns: try parsePatterns(try required(top, "takes", hint: "takes: accounts*.csv")),
            source: try parseSource(top["source"]),
            target: try parseTarget(try required(top, "target", hint: "name the target system and entity"), templateName: name),
            filter: filter,
            fields: fields,
            rejectLimit: try parseRejectLimit(top["max_rejects"]),
            after: try top["after"].map { node throws(TemplateError) in try parsePatterns(node) } ?? []
        )
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
        try checkKeys(section, allowed: Self.sourceKeys, in: "source")
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
        if let node = section["record"] {
            let value = try text(node, what: "record")
            guard !value.split(separator: "/").isEmpty else { throw error(at: node, "record must name an element, e.g. /accounts/account") }
            options.recordPath = value
        } else if options.format == .xml {
            throw error(at: node, "an XML source needs `record:`, the path of the repeating element", hint: "record: /accounts/account")
        }
        return options
    }

    private func parseTarget(_ node: Node, templateName: String) throws(TemplateError) -> TargetSpec {
        let section = try mapping(node, what: "target")
        try checkKeys(section, allowed: Self.targetKeys, in: "target")
        let systemNode = try required(section, "system", hint: "finance-and-operations or sales")
        let systemText = try text(systemNode, what: "system").lowercased()
        let aliases: [String: TargetSpec.System] = [
            "finance-and-operations": .financeAndOperations, "fno": .financeAndOperations, "f&o": .financeAndOperations,
            "sales": .sales, "dataverse": .sales, "file": .file, "other": .file,
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
        return TargetSpec(system: system, entity: entity, label: label, outputName: outputName,
                          format: format, definitionGroup: group ?? "Ferry \(label)")
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
                try checkKeys(csv, allowed: Self.csvKeys, in: "csv")
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
                try checkKeys(xml, allowed: Self.xmlKeys, in: "xml")
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

    private func parseFields(_ node: Node, maps: [String: ValueMap]) throws(TemplateError) -> [FieldRule] {
        var rules: [FieldRule] = []
        for (key, value) in try mapping(node, what: "fields") {
            let target = try text(key, what: "a target field name")
            guard let scalar = value.scalar else {
                throw error(at: value, "field \(target) must be one line, e.g. \(target): source_column | trim")
            }
            // A quoted YAML value is a fixed text; an unquoted one is a rule.
            if scalar.style == .doubleQuoted || scalar.style == .singleQuoted {
                if scalar.string.contains(" | ") {
                    throw error(at: value, "field \(target) is written in quotes, so it would be the fixed text \"\(scalar.string)\"",
                                hint: "remove the quotes to make it a rule; quote only fixed texts")
                }
                rules.append(FieldRule(target: target, source: .text(scalar.string), steps: [], position: origin(of: value)))
                continue
            }
            guard !scalar.string.trimmingWhitespace().isEmpty else {
                throw error(at: value, "field \(target) has no rule", hint: "name a source column, or write a fixed text in quotes")
            }
            var parser = try RuleParser(scalar.string, file: path, origin: origin(of: value), maps: maps)
            rules.append(try parser.parseFieldRule(target: target))
        }
        guard !rules.isEmpty else { throw error(at: node, "fields: lists no target fields") }
        return rules
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

    private func checkKeys(_ mapping: Node.Mapping, allowed: [String], in section: String) throws(TemplateError) {
        for key in mapping.keys {
            let name = key.scalar?.string ?? ""
            guard !allowed.contains(name) else { continue }
            let closest = allowed.min { editDistance($0, name) < editDistance($1, name) }
            let hint = closest.flatMap { editDistance($0, name) <= 3 ? "did you mean \"\($0)\"?" : nil }
                ?? "known keys: \(allowed.joined(separator: ", "))"
            throw error(at: key, "unknown key \"\(name)\" in \(section)", hint: hint)
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
