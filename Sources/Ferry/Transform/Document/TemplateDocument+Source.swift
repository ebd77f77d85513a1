import Foundation
import Yams

/// `takes:` and `source:`: which files the template takes and how they are read.
extension TemplateDocument {
    func parsePatterns(_ node: Node) throws(TemplateError) -> [String] {
        if let sequence = node.sequence {
            let patterns = try sequence.map { item throws(TemplateError) in try text(item, what: "a takes pattern") }
            guard !patterns.isEmpty else { throw error(at: node, "takes: lists no file name patterns") }
            return patterns
        }
        return [try text(node, what: "takes")]
    }

    func parseSource(_ node: Node?) throws(TemplateError) -> SourceOptions {
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

    func delimiter(_ node: Node) throws(TemplateError) -> UInt8 {
        let value = try text(node, what: "delimiter")
        let named: [String: String] = ["tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"]
        let resolved = named[value.lowercased()] ?? value
        guard resolved.utf8.count == 1, let byte = resolved.utf8.first, byte != UInt8(ascii: "\"") else {
            throw error(at: node, "delimiter must be one character (\",\", \";\", \"|\" or tab)")
        }
        return byte
    }

    func encoding(_ node: Node) throws(TemplateError) -> TextEncoding {
        let value = try text(node, what: "encoding")
        guard let parsed = TextEncoding(name: value) else {
            throw error(at: node, "encoding \"\(value)\" is not supported", hint: TextEncoding.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return parsed
    }

    func flag(_ node: Node, what: String) throws(TemplateError) -> Bool {
        switch try text(node, what: what).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(at: node, "\(what) must be true or false")
        }
    }
}
