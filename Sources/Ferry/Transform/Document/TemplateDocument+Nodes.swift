import Foundation
import Yams

/// Reading YAML nodes: sections, required keys, texts, and the positions problems are reported at.
extension TemplateDocument {
    static func absolute(_ path: String) -> String {
        ((path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path) as NSString).standardizingPath
    }

    func mapping(_ node: Node, what: String) throws(TemplateError) -> Node.Mapping {
        guard let mapping = node.mapping else { throw error(at: node, "\(what) must be a section of key: value lines") }
        return mapping
    }

    func required(_ mapping: Node.Mapping, _ key: String, hint: String) throws(TemplateError) -> Node {
        guard let node = mapping[key] else {
            throw TemplateError(file: path, line: mapping.mark?.line, column: mapping.mark?.column, "\"\(key)\" is missing", hint: hint)
        }
        return node
    }

    /// Records every key the section does not know.
    func checkKeys(_ mapping: Node.Mapping, allowed: [String], in section: String) {
        for key in mapping.keys {
            let name = key.scalar?.string ?? ""
            guard !allowed.contains(name) else { continue }
            let hint = closestMatch(to: name, in: allowed).map { "did you mean \"\($0)\"?" } ?? "known keys: \(allowed.joined(separator: ", "))"
            collected.list.append(error(at: key, "unknown key \"\(name)\" in \(section)", hint: hint))
        }
    }

    func text(_ node: Node, what: String) throws(TemplateError) -> String {
        guard let text = scalarText(node) else { throw error(at: node, "\(what) must be a single value") }
        return text
    }

    func scalarText(_ node: Node) -> String? { node.scalar?.string }

    func origin(of node: Node) -> TemplatePosition {
        let mark = node.mark
        // Quoted scalars start one column before their text.
        let quoted = node.scalar.map { $0.style == .doubleQuoted || $0.style == .singleQuoted } ?? false
        return TemplatePosition(line: mark?.line ?? 0, column: (mark?.column ?? 1) + (quoted ? 1 : 0))
    }

    func error(at node: Node, _ message: String, hint: String? = nil) -> TemplateError {
        TemplateError(file: path, line: node.mark?.line, column: node.mark?.column, message, hint: hint)
    }
}
