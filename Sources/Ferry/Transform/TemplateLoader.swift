import Foundation
import Yams

/// Reads template files (YAML) and turns them into validated `Template`s.
///
/// Every problem is reported with the template's file name, line and column.
public struct TemplateLoader: Sendable {
    public init() {}

    /// Loads every `*.yaml` / `*.yml` in a folder, sorted by name. Any broken template fails the whole load.
    public func loadFolder(_ folder: String) throws -> [Template] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw TemplateError(file: folder, "cannot read the templates folder", hint: "create it, or point --templates at the folder holding your templates")
        }
        let templates = try names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { try load(path: (folder as NSString).appendingPathComponent($0)) }
        return templates
    }

    public func load(path: String) throws(TemplateError) -> Template {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TemplateError(file: path, "cannot read the template file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TemplateError(file: path, "the template is not UTF-8 text", hint: "save it as UTF-8")
        }
        return try parse(text, path: path)
    }

    public func parse(_ text: String, path: String) throws(TemplateError) -> Template {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw TemplateError(file: path, line: 1, "the template is empty")
            }
            root = node
        } catch let error as TemplateError {
            throw error
        } catch let error as YamlError {
            throw Self.templateError(from: error, path: path)
        } catch {
            throw TemplateError(file: path, "cannot read the YAML: \(error)")
        }
        var template = try TemplateDocument(root: root, path: path).template()
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        template.contentHash = hasher.finalizeHex()
        return template
    }

    private static func templateError(from error: YamlError, path: String) -> TemplateError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return TemplateError(file: path, line: mark.line, column: mark.column, "YAML syntax: \(problem)",
                                 hint: "check the indentation, and put values containing \": \" or \" #\" in quotes")
        case .reader(let problem, _, _, _):
            return TemplateError(file: path, "YAML cannot be read: \(problem)")
        default:
            return TemplateError(file: path, "YAML error: \(error)")
        }
    }
}
