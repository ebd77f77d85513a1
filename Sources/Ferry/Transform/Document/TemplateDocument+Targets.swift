import Foundation
import Yams

/// `target:` and `targets:`: each target's system, entity, output format, key, duplicates and references.
extension TemplateDocument {
    /// `targets:` (a list, each with its own fields and `when:`) or `target:` with top-level `fields:`.
    func parseTargets(_ top: Node.Mapping, templateName: String, context: RuleContext) throws(TemplateError) -> [TargetRule] {
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

    func parseTargetRule(_ section: Node.Mapping, node: Node, fieldsNode: Node, templateName: String,
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
    static func withOptionLabels(_ field: FieldRule, table: EntityCatalogue.Table) -> FieldRule {
        guard let logical = table.logicalName(of: field.target), let options = table.columns[logical]?.options, !options.isEmpty else { return field }
        var entries = options
        for label in options.values { entries[label] = label }
        entries[""] = ""
        var labelled = field
        labelled.steps.append(.map(ValueMap(name: "\(logical) option labels", entries: entries, fallback: nil)))
        return labelled
    }

    func checkKey(_ rule: TargetRule, node: Node?) throws(TemplateError) {
        guard let key = rule.key, let node else { return }
        guard rule.keyIndex != nil else {
            throw error(at: node, "key \"\(key)\" is not one of this target's fields", hint: rule.fields.map(\.target).joined(separator: ", "))
        }
    }

    /// `references: {field: SALESQUOTATIONNUMBER, template: quotes-to-quotation-headers}`
    func reference(_ node: Node, fields: [FieldRule]) throws(TemplateError) -> TargetRule.Reference {
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

    func duplicatePolicy(_ node: Node) throws(TemplateError) -> TargetRule.DuplicatePolicy {
        let value = try text(node, what: "duplicates").lowercased()
        guard let policy = TargetRule.DuplicatePolicy(rawValue: value) else {
            throw error(at: node, "duplicates must be reject, first or last")
        }
        return policy
    }

    func parseTarget(_ section: Node.Mapping, node: Node, templateName: String) throws(TemplateError) -> TargetSpec {
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
    func parseOutputFormat(_ section: Node.Mapping, system: TargetSpec.System, entity: String) throws(TemplateError) -> OutputFormat {
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
}
