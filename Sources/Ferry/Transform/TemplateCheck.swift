import Foundation

/// `ferry check`: loads templates and reports every problem with file:line:column and a hint —
/// template errors, target fields the entity does not have, and (with a sample file) source columns
/// the sample's header does not have.
public struct TemplateCheck: Sendable {
    public struct Result: Sendable {
        public var templates: [String] = []
        public var problems: [TemplateError] = []
        /// What was not checked, and why (an entity the catalogue does not have).
        public var notes: [String] = []
    }

    public init() {}

    /// Checks the templates at `paths` (files, or folders of `*.yaml`), against `sample` when given.
    public func run(paths: [String], sample: String? = nil) -> Result {
        var result = Result()
        for file in Self.templateFiles(paths, problems: &result.problems) {
            result.templates.append(file)
            let template: Template
            do {
                template = try TemplateLoader().load(path: file)
            } catch {
                result.problems += error.all
                continue
            }
            let catalogue = CatalogueCheck(template: template)
            result.problems += catalogue.problems
            result.notes += catalogue.notes
            if let sample { result.problems += sampleProblems(template, sample: sample) }
        }
        return result
    }

    private static func templateFiles(_ paths: [String], problems: inout [TemplateError]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                problems.append(TemplateError(file: path, "no such file or folder"))
                continue
            }
            if isFolder.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                files += names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }

    /// Source columns the sample's header does not have.
    private func sampleProblems(_ template: Template, sample: String) -> [TemplateError] {
        let columns: [String]
        do {
            let name = (sample as NSString).lastPathComponent
            let stack = DecoderStack(fileName: name, options: template.source, columns: template.sourceColumns, limits: DecompressionLimits())
            columns = try stack.open(try FileByteSource(path: sample, displayName: name)).columns
        } catch {
            return [TemplateError(file: sample, "cannot read the sample: \(error)")]
        }
        let index = ColumnIndex(columns, source: template.source)
        var seen = Set<String>()
        var references: [ColumnReference] = (template.filter?.columns ?? [])
        for target in template.targets {
            references += target.condition?.columns ?? []
            references += target.fields.flatMap(\.source.columns)
        }
        return references.compactMap { reference in
            guard (try? index.position(of: reference)) == nil, seen.insert(reference.name).inserted else { return nil }
            let closest = columns.min { editDistance($0, reference.name) < editDistance($1, reference.name) }
            let hint = closest.flatMap { editDistance($0, reference.name) <= 3 ? "did you mean \($0)?" : nil }
                ?? "the sample's columns: \(columns.joined(separator: ", "))"
            return TemplateError(file: template.path, line: reference.position.line, column: reference.position.column,
                                 "unknown column \"\(reference.name)\": the sample \((sample as NSString).lastPathComponent) has no such column", hint: hint)
        }
    }
}
