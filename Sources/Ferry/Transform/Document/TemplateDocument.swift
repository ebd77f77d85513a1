import Foundation
import Yams

/// Walks a template's YAML tree, checking every key and value and keeping their positions for errors.
struct TemplateDocument {
    let root: Node
    let path: String

    static let topLevelKeys = ["version", "description", "takes", "source", "target", "targets", "filter", "fields", "maps",
                               "lookups", "max_rejects", "after", "key", "duplicates", "package", "references", "learn", "bundle"]
    static let sourceKeys = ["format", "delimiter", "encoding", "invalid_bytes", "record", "table", "columns", "optional"]
    static let targetKeys = ["system", "entity", "label", "name", "format", "compress", "csv", "xml", "definition_group", "headers"]
    static let targetListKeys = targetKeys + ["when", "fields", "key", "duplicates", "references"]
    static let csvKeys = ["delimiter", "encoding", "bom", "line_ending"]
    static let xmlKeys = ["root", "record", "fields", "encoding"]

    /// Every problem found, so `ferry check` can list them all at once.
    final class Problems {
        var list: [TemplateError] = []

        /// Runs `body`; a problem is recorded and `fallback` returned instead.
        func attempt<T>(_ fallback: T, _ body: () throws(TemplateError) -> T) -> T {
            do {
                return try body()
            } catch {
                list += error.all
                return fallback
            }
        }
    }

    let collected = Problems()

    init(root: Node, path: String) {
        self.root = root
        self.path = path
    }

    /// The problems `compile()` found.
    var problems: [TemplateError] { collected.list }

    /// The template as far as it can be read; every problem found on the way is in `problems` (the
    /// template is usable only when there are none). Nil when the file is not a section of keys at all.
    func compile() -> Template? {
        let problems = collected
        guard let top = problems.attempt(nil, { () throws(TemplateError) in try mapping(root, what: "the template") }) else { return nil }
        checkKeys(top, allowed: Self.topLevelKeys, in: "the template")

        if let version = top["version"], scalarText(version) != "1" {
            problems.list.append(error(at: version, "version \(scalarText(version) ?? "?") is not known; this Ferry reads version 1"))
        }
        let summary = problems.attempt("") { () throws(TemplateError) in try top["description"].map { node throws(TemplateError) in try text(node, what: "description") } ?? "" }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let maps = problems.attempt([:]) { () throws(TemplateError) in try parseMaps(top["maps"]) }
        let lookups = problems.attempt([:]) { () throws(TemplateError) in try parseLookups(top["lookups"]) }
        let context = RuleContext(maps: maps, lookups: lookups)
        let targets = problems.attempt([]) { () throws(TemplateError) in try parseTargets(top, templateName: name, context: context) }

        var filter: RowCondition?
        if let node = top["filter"] {
            filter = problems.attempt(nil) { () throws(TemplateError) in
                var parser = try RuleParser(try text(node, what: "filter"), file: path, origin: origin(of: node), maps: maps, lookups: lookups)
                return try parser.parseCondition()
            }
        }
        let patterns = problems.attempt([]) { () throws(TemplateError) in try parsePatterns(try required(top, "takes", hint: "takes: accounts*.csv")) }
        let source = problems.attempt(SourceOptions()) { () throws(TemplateError) in try parseSource(top["source"]) }
        let rejectLimit = problems.attempt(RejectLimit.percent(10)) { () throws(TemplateError) in try parseRejectLimit(top["max_rejects"]) }
        let after = problems.attempt([]) { () throws(TemplateError) in try top["after"].map { node throws(TemplateError) in try parsePatterns(node) } ?? [] }
        let package = problems.attempt(nil) { () throws(TemplateError) in try top["package"].map { node throws(TemplateError) in try text(node, what: "package") } }
        let learn = problems.attempt([]) { () throws(TemplateError) in try parseLearn(top["learn"]) }

        var template = Template(name: name, path: path, summary: summary, patterns: patterns,
                                source: source, filter: filter, targets: targets, rejectLimit: rejectLimit, packageName: package, after: after)
        template.learn = learn
        template.lookupFiles = lookups.values.filter { $0.reference == nil && !$0.file.isEmpty }.map(\.file).sorted()
        template.takesPosition = top["takes"].map(origin(of:))
        template.otherBundleMembers = problems.attempt(.ignore) { () throws(TemplateError) in try parseBundle(top["bundle"]) }
        template.warnings = dateLayoutWarnings(targets)
        return template
    }

    /// `date "yyyy-mm-dd" ...`: minutes in a layout without hours is nearly always a month written in
    /// lower case, which would turn every month into the minutes (01 for a date-only value).
    func dateLayoutWarnings(_ targets: [TargetRule]) -> [TemplateError] {
        targets.flatMap(\.fields).flatMap { field in
            field.steps.compactMap { step -> TemplateError? in
                guard case .date(let from, let to, _) = step else { return nil }
                guard let layout = [from, to].first(where: \.hasMinutesWithoutHours) else { return nil }
                return TemplateError(file: path, line: field.position.line, column: field.position.column,
                                     "\(field.target): the date layout \"\(layout.text)\" has mm (minutes) but no hours",
                                     hint: "months are MM: \"\(layout.text.replacingAll("mm", with: "MM"))\"")
            }
        }
    }

    /// The maps and lookups rules may name.
    struct RuleContext {
        var maps: [String: ValueMap]
        var lookups: [String: LookupTable]
    }

    /// `bundle: {other_members: ignore | fail}`
    func parseBundle(_ node: Node?) throws(TemplateError) -> Template.OtherMembers {
        guard let node else { return .ignore }
        let section = try mapping(node, what: "bundle")
        checkKeys(section, allowed: ["other_members"], in: "bundle")
        guard let value = section["other_members"] else { return .ignore }
        guard let policy = Template.OtherMembers(rawValue: try text(value, what: "other_members").lowercased()) else {
            throw error(at: value, "other_members must be ignore or fail")
        }
        return policy
    }

    func parseRejectLimit(_ node: Node?) throws(TemplateError) -> RejectLimit {
        guard let node else { return .percent(10) }
        let value = try text(node, what: "max_rejects").trimmingWhitespace()
        if value.lowercased() == "unlimited" || value.lowercased() == "none" { return .unlimited }
        if value.hasSuffix("%"), let percent = Double(String(value.dropLast()).trimmingWhitespace()), (0...100).contains(percent) {
            return .percent(percent)
        }
        if let count = Int(value), count >= 0 { return .count(count) }
        throw error(at: node, "max_rejects \"\(value)\" is neither a count nor a percentage", hint: "max_rejects: 100, or max_rejects: 5%")
    }
}
