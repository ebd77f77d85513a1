/// How a target's data file is laid out: CSV or XML, optionally gzip-compressed.
public struct OutputFormat: Sendable, Equatable {
    public enum Layout: Sendable, Equatable {
        case csv(CSVLayout)
        case xml(XMLLayout)
    }

    public var layout: Layout
    /// Compress the whole output with gzip (not for F&O packages, which are zips already).
    public var gzip = false

    public init(layout: Layout, gzip: Bool = false) {
        self.layout = layout
        self.gzip = gzip
    }

    /// The file name extension of the data file (`csv`, `xml`, `csv.gz`).
    public var fileExtension: String {
        let base: String
        switch layout {
        case .csv: base = "csv"
        case .xml: base = "xml"
        }
        return gzip ? base + ".gz" : base
    }
}

public struct CSVLayout: Sendable, Equatable {
    public enum LineEnding: String, Sendable { case crlf, lf }

    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var encoding: TextEncoding = .utf8
    public var byteOrderMark = true
    public var lineEnding: LineEnding = .crlf

    public init() {}
}

public struct XMLLayout: Sendable, Equatable {
    /// The document element (`Document` in F&O's XML entity files).
    public var root: String
    /// The element written for each row.
    public var record: String
    /// Fields as attributes of the record element instead of child elements.
    public var fieldsAsAttributes = false
    public var encoding: TextEncoding = .utf8

    public init(root: String, record: String, fieldsAsAttributes: Bool = false) {
        self.root = root
        self.record = record
        self.fieldsAsAttributes = fieldsAsAttributes
    }
}
