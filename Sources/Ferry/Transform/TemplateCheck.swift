import Foundation

/// `ferry check`: loads templates and reports every problem at once, with file:line:column and a hint —
/// template errors, target fields the entity does not have, `takes:` patterns two templates share, and
/// (with a sample file) source columns the sample does not have.
public struct TemplateCheck: Sendable {
    public struct Result: Sendable {
        public var templates: [String] = []
        public var problems: [TemplateError] = []
        /// Likely mistakes that do not stop a template (a date layout with minutes but no hours).
        public var warnings: [TemplateError] = []
        /// What was not checked, and why (an entity the catalogue does not have).
        public var notes: [String] = []
    }

    public init() {}

    /// Checks the templates at `paths` (files, or folders of `*.yaml`), against `sample` when given.
    public func run(paths: [String], sample: String? = nil) -> Result {
        var result = Result()
        var loaded: [Template] = []
        for file in Self.templateFiles(paths, problems: &result.problems) {
            result.templates.append(file)
            let compiled = TemplateLoader().compile(path: file)
            result.problems += compiled.problems
            guard let template = compiled.template else { continue }
            loaded.append(template)
            result.warnings += template.warnings
            let catalogue = CatalogueCheck(template: template)
            result.problems += catalogue.problems
            result.notes += catalogue.notes
            if let sample { result.problems += sampleProblems(template, sample: sample) }
        }
        result.problems += Self.overlappingPatterns(loaded)
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

    /// Source columns the sample does not have: for CSV its header; for XML, the columns no record of the
    /// whole sample has (a misspelt element reads as empty in every record otherwise).
    private func sampleProblems(_ template: Template, sample: String) -> [TemplateError] {
        let name = (sample as NSString).lastPathComponent
        let absent: [String]
        let available: [String]
        do {
            var options = template.source
            options.optionalColumns = Set(template.sourceColumns)
            let stack = DecoderStack(fileName: name, options: options, columns: template.sourceColumns, limits: DecompressionLimits())
            let decoder = try stack.open(try FileByteSource(path: sample, displayName: name))
            if let xml = decoder as? XMLRecordReader {
                var record = SourceRecord()
                while try xml.next(into: &record) {}
                absent = xml.columnsNeverSeen
                available = xml.namesInSample
            } else {
                let index = ColumnIndex(decoder.columns, source: template.source)
                absent = index.missing(template.columnReferences).map(\.name)
                available = decoder.columns
            }
        } catch {
            return [TemplateError(file: sample, "cannot read the sample: \(error)")]
        }
        let missing = Set(absent).subtracting(template.source.optionalColumns)
        var seen = Set<String>()
        return template.columnReferences.compactMap { reference in
            guard missing.contains(reference.name), seen.insert(reference.name).inserted else { return nil }
            let hint = closestMatch(to: reference.name, in: available).map { "did you mean \($0)?" }
                ?? "the sample's columns: \(available.joined(separator: ", "))"
            return TemplateError(file: template.path, line: reference.position.line, column: reference.position.column,
                                 "unknown column \"\(reference.name)\": the sample \(name) has no such column", hint: hint)
        }
    }

    /// Two templates taking the same file name send that file to failed/ at run time ("more than one
    /// template matches"); say so now, with a name both take.
    static func overlappingPatterns(_ templates: [Template]) -> [TemplateError] {
        overlaps(templates).map { overlap in
            let position = overlap.second.takesPosition
            return TemplateError(
                file: overlap.second.path, line: position?.line, column: position?.column,
                "takes: \(overlap.pattern) overlaps \(overlap.first.name)'s takes: (\(overlap.first.patterns.joined(separator: ", "))): a file such as \"\(overlap.sharedName)\" matches both and would go to failed/",
                hint: "make the patterns distinct, e.g. with a longer fixed prefix")
        }
    }

    /// One line per pair of templates whose `takes:` overlap, for commands that run them (`ferry run`).
    public static func overlapWarnings(_ templates: [Template]) -> [String] {
        overlaps(templates).map { overlap in
            "templates \(overlap.first.name) (\(overlap.first.patterns.joined(separator: ", "))) and \(overlap.second.name) "
                + "(\(overlap.second.patterns.joined(separator: ", "))) overlap: a file both take, such as \"\(overlap.sharedName)\", goes to failed/ "
                + "(make the takes: patterns distinct)"
        }
    }

    /// Pairs of templates whose `takes:` patterns both match some file name: `pattern` of `second`, and a name both take.
    static func overlaps(_ templates: [Template]) -> [(first: Template, second: Template, pattern: String, sharedName: String)] {
        var found: [(first: Template, second: Template, pattern: String, sharedName: String)] = []
        for (index, first) in templates.enumerated() {
            for second in templates[(index + 1)...] {
                for pattern in second.patterns {
                    guard let shared = first.patterns.lazy.compactMap({ GlobPattern.sharedName(pattern, $0) }).first else { continue }
                    found.append((first, second, pattern, shared))
                    break
                }
            }
        }
        return found
    }
}
