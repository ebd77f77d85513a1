#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loaded, validated template: which files it takes, how to read them, the rules, the target.
///
/// Built once by `TemplateLoader`; nothing in it is text that must be parsed again per row.
public struct Template: Sendable {
    /// The template's file name without extension; names outputs and reports.
    public var name: String
    /// Where the template was read from.
    public var path: String
    public var summary: String
    /// Globs on the input file name (`accounts*.csv`).
    public var patterns: [String]
    public var source: SourceOptions
    /// Rows that fail this are counted as filtered and go to no target.
    public var filter: RowCondition?
    /// Where rows go; F&O targets of one template share one data package.
    public var targets: [TargetRule]
    public var rejectLimit: RejectLimit
    /// Templates with the same package name put their F&O entities into one package when their inputs
    /// arrive together (in one bundle): quotation headers and lines.
    public var packageName: String?
    /// SHA-256 of the template file's text and of the lookup files it reads: which version of the rules
    /// made an output.
    public var contentHash: String = ""
    /// The CSV files its `lookups:` read (beside the template): part of its version.
    public var lookupFiles: [String] = []
    /// Templates whose inputs must be processed before this one's in a bundle (customers before contacts).
    public var after: [String] = []
    /// What delivered rows teach for later lookups (`learn:`).
    public var learn: [LearnRule] = []
    /// What a bundle member no template takes does to the bundle (`bundle: other_members:`).
    public var otherBundleMembers: OtherMembers = .ignore
    /// Where `takes:` stands in the template, for problems with the patterns.
    public var takesPosition: TemplatePosition?
    /// Likely mistakes that do not stop the template (a date layout with minutes but no hours).
    public var warnings: [TemplateError] = []

    /// What the ledger and failure notes record of this template.
    public var identity: TemplateIdentity { TemplateIdentity(name: name, path: path, contentHash: contentHash) }

    /// The first target (most templates have one).
    public var target: TargetSpec { targets[0].spec }
    /// The first target's fields.
    public var fields: [FieldRule] { targets[0].fields }

    /// The source columns the rules read, each once, in first-use order.
    public var sourceColumns: [String] {
        var seen = Set<String>()
        return columnReferences.map(\.name).filter { seen.insert($0).inserted }
    }

    /// Every mention of a source column in the rules, with where it stands.
    var columnReferences: [ColumnReference] {
        (filter?.columns ?? []) + targets.flatMap { target in
            (target.condition?.columns ?? []) + target.fields.flatMap(\.source.columns)
        } + learn.flatMap(\.columns)
    }

    /// True when one of the template's patterns matches the file name, with or without a
    /// compression suffix (`accounts*.csv` takes `accounts-1.csv.gz`).
    public func takes(fileName: String) -> Bool {
        Self.matches(patterns, fileName: fileName)
    }

    /// Whether one of `patterns` matches the file name, with or without a compression suffix.
    static func matches(_ patterns: [String], fileName: String) -> Bool {
        var names = [fileName]
        for suffix in [".gz", ".gzip"] where fileName.lowercased().hasSuffix(suffix) {
            names.append(String(fileName.dropLast(suffix.count)))
        }
        return patterns.contains { pattern in names.contains { fnmatch(pattern, $0, 0) == 0 } }
    }
}

extension Template {
    public enum OtherMembers: String, Sendable {
        /// Listed in the run's output and log, left out.
        case ignore
        /// The whole bundle fails.
        case fail
    }

    /// What the `*` of the first single-wildcard pattern matched in `fileName`, or nil.
    func wildcardCapture(in fileName: String) -> String? {
        for pattern in patterns where Self.isSingleWildcard(pattern) {
            let parts = pattern.split(separator: "*", omittingEmptySubsequences: false)
            let prefix = String(parts[0]), suffix = String(parts[1])
            if fileName.count >= prefix.count + suffix.count, fileName.hasPrefix(prefix), fileName.hasSuffix(suffix) {
                return String(fileName.dropFirst(prefix.count).dropLast(suffix.count))
            }
        }
        return nil
    }

    /// The file name the first single-wildcard pattern gives for `capture`.
    func fileName(forCapture capture: String) -> String? {
        patterns.first(where: Self.isSingleWildcard).map { $0.replacingAll("*", with: capture) }
    }

    private static func isSingleWildcard(_ pattern: String) -> Bool {
        pattern.filter { $0 == "*" }.count == 1 && !pattern.contains { "?[]\\".contains($0) }
    }
}
