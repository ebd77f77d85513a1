import Foundation
import Yams

/// Reads template files (YAML) and turns them into validated `Template`s.
///
/// Every problem is reported with the template's file name, line and column.
public struct TemplateLoader: Sendable {
    public init() {}

    /// Loads every `*.yaml` / `*.yml` in a folder, sorted by name. Any broken template fails the whole
    /// load (`ferry run`; the watcher loads each on its own, `loadEach(in:)`).
    public func loadFolder(_ folder: String) throws -> [Template] {
        try Self.templateFiles(in: folder).map { path throws(TemplateError) in try load(path: path) }
    }

    public func load(path: String) throws(TemplateError) -> Template {
        try Self.template(from: compile(path: path), path: path)
    }

    public func parse(_ text: String, path: String) throws(TemplateError) -> Template {
        try Self.template(from: compile(text, path: path), path: path)
    }

    /// The template, or its first problem with the others attached.
    private static func template(from compiled: (template: Template?, problems: [TemplateError]), path: String) throws(TemplateError) -> Template {
        if var first = compiled.problems.first {
            first.additional = Array(compiled.problems.dropFirst())
            throw first
        }
        guard let template = compiled.template else { throw TemplateError(file: path, "the template cannot be read") }
        return template
    }

    /// Every problem of one template at once, and the template as far as it could be read: `ferry check`
    /// goes on to check its columns and fields even when other parts are wrong.
    public func compile(_ text: String, path: String) -> (template: Template?, problems: [TemplateError]) {
        let root: Node
        do {
            root = try TemplateYAML.compose(text, path: path)
        } catch {
            return (nil, error.all)
        }
        let document = TemplateDocument(root: root, path: path)
        var template = document.compile()
        var hasher = SHA256()
        hasher.update(Array(text.utf8))
        // A changed lookup table changes the outputs as much as a changed rule does.
        for file in template?.lookupFiles ?? [] {
            hasher.update(Array(("\u{0}" + (file as NSString).lastPathComponent + "\u{0}").utf8))
            hasher.update(Array(FileManager.default.contents(atPath: file) ?? Data()))
        }
        template?.contentHash = hasher.finalizeHex()
        return (template, document.problems)
    }

    /// `compile` for a file.
    public func compile(path: String) -> (template: Template?, problems: [TemplateError]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [TemplateError(file: path, "cannot read the template file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (nil, [TemplateError(file: path, "the template is not UTF-8 text", hint: "save it as UTF-8")])
        }
        return compile(text, path: path)
    }
}
