import Foundation

/// A template file that cannot be used as it is.
public struct BrokenTemplate: Sendable {
    public var path: String
    /// The template's name (its file name without extension).
    public var name: String
    /// The first problem, with the others attached.
    public var error: TemplateError
    /// The file names it takes, when its `takes:` could be read.
    public var patterns: [String]?
}

extension TemplateLoader {
    /// Every `*.yaml` / `*.yml` in a folder, each on its own: a broken template comes back beside the
    /// others instead of failing them all (the watcher runs every flow whose template is sound).
    public func loadEach(in folder: String) throws(TemplateError) -> (templates: [Template], broken: [BrokenTemplate]) {
        var templates: [Template] = []
        var broken: [BrokenTemplate] = []
        for path in try Self.templateFiles(in: folder) {
            let compiled = compile(path: path)
            if var first = compiled.problems.first {
                first.additional = Array(compiled.problems.dropFirst())
                let patterns = compiled.template?.patterns ?? []
                broken.append(BrokenTemplate(path: path, name: ((path as NSString).lastPathComponent as NSString).deletingPathExtension,
                                             error: first, patterns: patterns.isEmpty ? nil : patterns))
            } else if let template = compiled.template {
                templates.append(template)
            }
        }
        return (templates, broken)
    }

    /// The template files of a folder, sorted by name.
    static func templateFiles(in folder: String) throws(TemplateError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw TemplateError(file: folder, "cannot read the templates folder", hint: "create it, or point --templates at the folder holding your templates")
        }
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }
}
