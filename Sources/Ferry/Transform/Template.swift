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
    /// SHA-256 of the template file's text: which version of the rules made an output.
    public var contentHash: String = ""
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

/// How the input is read.
public struct SourceOptions: Sendable, Equatable {
    public enum Format: String, Sendable {
        /// CSV or XML, whichever the content is.
        case auto, csv, xml
    }

    public var format: Format = .auto
    /// CSV: nil means sniffed from the header line.
    public var delimiter: UInt8?
    /// A byte order mark in the file wins over this.
    public var encoding: TextEncoding = .utf8
    /// Bytes invalid in the encoding become U+FFFD instead of failing the file.
    public var replaceInvalidBytes = false
    /// XML: the path of the repeating record element (`/accounts/account`, or `account` at any depth).
    public var recordPath: String?
    /// The Dataverse table the input is an export of (`quote`): its columns are found by logical or
    /// display name, and option-set labels read as values.
    public var table: String?
    /// Further names of columns the catalogue does not know (`msdynce_contactnumber: Contact Number`).
    public var columnAliases: [String: String] = [:]
    /// Columns a file may lack: a CSV header without them, or an XML file none of whose records has
    /// them, reads them as empty. Any other column the rules name must be there, or the file fails.
    public var optionalColumns: Set<String> = []

    public init() {}
}

/// What the output is and for which system.
public struct TargetSpec: Sendable, Equatable {
    public enum System: String, Sendable {
        case financeAndOperations = "finance-and-operations"
        case sales
        /// Any other system: a data file in the format the template describes.
        case file
        /// Nothing is written: the input is a reference export whose rows only teach keys (`learn:`).
        case reference
    }

    public var system: System
    /// F&O: the AOT entity name (`CustCustomerV3Entity`). Sales: the table's logical name (`product`).
    public var entity: String
    /// F&O: the Data management entity label (`Customers V3`), which also names the data file.
    public var label: String
    /// Prefix of output names (`customers` -> `customers-accounts-20261125T120000Z.zip`).
    public var outputName: String
    /// The data file's layout (for F&O, the file inside the package).
    public var format: OutputFormat
    public var definitionGroup: String
    /// Sales: the header names the table's logical names instead of its display names.
    public var logicalHeaders = false
}

/// How many rejected rows a file may have before the whole file fails.
public enum RejectLimit: Sendable, Equatable {
    case count(Int)
    case percent(Double)
    case unlimited

    /// Whether `rejected` of `total` rows is over the limit.
    public func isExceeded(rejected: Int, total: Int) -> Bool {
        switch self {
        case .count(let limit): rejected > limit
        case .percent(let limit): total > 0 && Double(rejected) * 100 > limit * Double(total)
        case .unlimited: false
        }
    }

    /// True when the limit is already exceeded whatever comes later (stop reading early).
    public func isExceededForGood(rejected: Int) -> Bool {
        if case .count(let limit) = self { return rejected > limit }
        return false
    }

    public var description: String {
        switch self {
        case .count(let limit): "\(limit) rows"
        case .percent(let limit): "\(limit.formatted)%"
        case .unlimited: "no limit"
        }
    }
}

extension Double {
    /// `5` for 5.0, `2.5` for 2.5.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
