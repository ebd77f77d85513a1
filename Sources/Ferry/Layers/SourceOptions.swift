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
