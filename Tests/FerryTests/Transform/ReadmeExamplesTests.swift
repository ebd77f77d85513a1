import Foundation
import Testing
@testable import Ferry

/// Every example of the template language in README.md, tested as it is written there: the YAML
/// blocks load, every field line compiles, every step example turns its input into its output, every
/// filter example parses. A README edit that breaks an example breaks this test.
@Suite("README examples")
struct ReadmeExamplesTests {
    static let readme = (try? String(contentsOfFile: Fixtures.packageRoot + "/README.md", encoding: .utf8)) ?? ""

    /// The part of the README about templates.
    static var templateSection: String {
        guard let start = readme.range(of: "\n## Templates\n"), let end = readme.range(of: "\n## Input formats\n") else { return "" }
        return String(readme[start.upperBound..<end.lowerBound])
    }

    /// The fenced ```yaml blocks of the README.
    static var yamlBlocks: [String] {
        readme.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "\n```").first }
    }

    /// Table rows of a section: cells split on unescaped pipes, `\|` turned back into `|`.
    static func tableRows(under heading: String) -> [[String]] {
        guard let start = templateSection.range(of: heading) else { return [] }
        let lines = templateSection[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        let table = lines.drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        return table.map { line in
            line.replacingOccurrences(of: "\\|", with: "\u{0}").split(separator: "|").map {
                $0.replacingOccurrences(of: "\u{0}", with: "|").trimmingCharacters(in: .whitespaces)
            }
        }
    }

    /// The code spans of a Markdown text, with CommonMark's rule: one space is stripped from each end
    /// of a span that starts and ends with one.
    static func codeSpans(_ text: String) -> [String] {
        text.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map { _, span in
            if span.count > 2, span.hasPrefix(" "), span.hasSuffix(" "), span.contains(where: { $0 != " " }) {
                return String(span.dropFirst().dropLast())
            }
            return span
        }
    }

    /// A template around README fragments, in a folder holding the shipped countries.csv; the README's
    /// main example defines the map and the lookup that the step examples use.
    static func template(fields: String, extra: String = "") throws -> Template {
        let folder = FileManager.default.temporaryDirectory.path + "/ferry-readme-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/templates/countries.csv", toPath: folder + "/countries.csv")
        let yaml = """
        takes: x.csv
        target: {system: file, entity: e}
        fields:
        \(fields.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        maps:
          customer_group: {"3": "10", "5": "20", "8": "30"}
        lookups:
          countries: {file: countries.csv, key: iso2, value: iso3}
        \(extra)
        """
        return try TemplateLoader().parse(yaml, path: folder + "/readme.yaml")
    }

    @Test("every YAML block loads: templates as templates, ferry.yaml as workspace settings, fragments in a template")
    func yamlBlocksLoad() throws {
        let blocks = Self.yamlBlocks
        #expect(blocks.count >= 7, "the README's YAML blocks were found")
        let folder = FileManager.default.temporaryDirectory.path + "/ferry-readme-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/samples/templates", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/templates/countries.csv", toPath: folder + "/countries.csv")
        for block in blocks {
            if block.hasPrefix("# ferry.yaml") {
                try block.write(toFile: folder + "/ferry.yaml", atomically: false, encoding: .utf8)
                #expect(throws: Never.self, "\(block)") { try WorkspaceConfig.load(root: folder) }
                continue
            }
            for part in Self.fragments(block) {
                let text = Self.completed(part)
                #expect(throws: Never.self, "\(text)") { try TemplateLoader().parse(text, path: folder + "/example.yaml") }
            }
        }
    }

    /// A block may show pieces of several templates, each introduced by a `# name.yaml` comment.
    static func fragments(_ block: String) -> [String] {
        var parts: [[Substring]] = [[]]
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# "), line.contains(".yaml"), !parts[parts.count - 1].isEmpty { parts.append([]) }
            parts[parts.count - 1].append(line)
        }
        return parts.map { $0.joined(separator: "\n") }
    }

    /// A template fragment made whole with what it leaves out (which files, the target, a field, and
    /// the maps and lookups it names but another part of the README defines).
    static func completed(_ fragment: String) -> String {
        func has(_ key: String) -> Bool { fragment.range(of: "(^|\n)\(key):", options: .regularExpression) != nil }
        var text = fragment
        if !has("takes") { text = "takes: x.csv\n" + text }
        if !has("target") && !has("targets") { text += "\ntarget: {system: file, entity: e}" }
        if !has("fields") && !has("targets") {
            text += has("references") ? "\nfields:\n  SALESQUOTATIONNUMBER: quotenumber" : "\nfields:\n  A: a"
        }
        for (kind, section) in [("lookup", "lookups"), ("map", "maps")] {
            let named = Set(fragment.matches(of: try! Regex("\\| \(kind) ([A-Za-z_][A-Za-z0-9_]*)")).compactMap { $0.output[1].substring.map(String.init) })
            let missing = named.filter { fragment.range(of: "\n  \($0):", options: .regularExpression) == nil }.sorted()
            guard !missing.isEmpty else { continue }
            let entries = missing.map { "  \($0): " + (kind == "lookup" ? "{reference: \($0)}" : "{\"*\": \"\"}") }.joined(separator: "\n")
            text = has(section) ? text.replacingOccurrences(of: "\(section):\n", with: "\(section):\n\(entries)\n") : text + "\n\(section):\n" + entries
        }
        return text
    }

    @Test("every field line of the templates section compiles")
    func fieldLinesCompile() throws {
        let lines = Self.codeSpans(Self.templateSection.replacingOccurrences(of: "\\|", with: "|")).filter { span in
            span.range(of: #"^[A-Z][A-Z0-9_]*: \S"#, options: .regularExpression) != nil && !span.contains("...")
        }
        #expect(lines.count >= 12, "\(lines)")
        for line in lines {
            #expect(throws: Never.self, "\(line)") { try Self.template(fields: line) }
        }
    }

    @Test("every step example turns its input into its output")
    func stepExamples() throws {
        let rows = Self.tableRows(under: "\nSteps:\n")
        #expect(rows.count >= 16, "the steps table was found")
        var checked = 0
        for row in rows {
            let spans = Self.codeSpans(row.last ?? "")
            guard let rule = spans.first else { continue }
            let compiled = try Self.template(fields: "OUT: " + rule)
            guard spans.count == 3 else { continue }
            var values: [String] = []
            let transformer = try RowTransformer(template: compiled, columns: compiled.sourceColumns, fileName: "x.csv")
            let outcome = transformer.transform(SourceRecord(fields: compiled.sourceColumns.map { _ in spans[1] }, line: 2, number: 1), into: &values)
            #expect(outcome == .rows, "\(rule) on \(spans[1])")
            #expect(values.first == spans[2], "\(rule): \(spans[1]) -> \(values.first ?? "nothing"), the README says \(spans[2])")
            checked += 1
        }
        #expect(checked >= 13)
    }

    @Test("every source example compiles")
    func sourceExamples() throws {
        let rows = Self.tableRows(under: "\nSources:\n")
        #expect(rows.count >= 7)
        for row in rows {
            guard let line = Self.codeSpans(row.last ?? "").first else { continue }
            #expect(throws: Never.self, "\(line)") { try Self.template(fields: line) }
        }
    }

    @Test("every filter example parses")
    func filterExamples() throws {
        guard let start = Self.templateSection.range(of: "### Filter") else { Issue.record("no filter section"); return }
        let section = Self.templateSection[start.upperBound...].prefix { $0 != "#" }
        let conditions = Self.codeSpans(String(section)).filter { $0.contains(" and ") || $0.contains(" == ") }
        #expect(!conditions.isEmpty)
        for condition in conditions {
            #expect(throws: Never.self, "\(condition)") { try Self.template(fields: "A: a", extra: "filter: \(condition)") }
        }
    }
}
