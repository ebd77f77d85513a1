/// Streaming RFC 4180 reader: quoted fields with delimiters, doubled quotes and line breaks,
/// CRLF, LF or lone CR line endings, an optional UTF-8 byte order mark.
///
/// Memory is one read buffer plus the largest record, whatever the file size.
public final class CSVReader: RecordDecoder {
    public struct Limits: Sendable {
        /// A record larger than this is almost always an unclosed quote swallowing the file.
        public var maxRecordBytes: Int = 16 << 20
        public var maxFields: Int = 10_000
        public init() {}
    }

    enum State { case fieldStart, unquoted, quoted, afterQuote }

    static let quote = UInt8(ascii: "\"")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    public internal(set) var columns: [String] = []
    public private(set) var delimiter: UInt8
    public var bytesConsumed: Int64 { source.bytesConsumed }

    let source: ByteSource
    let fileName: String
    let limits: Limits
    let replaceInvalidUTF8: Bool
    let buffer: UnsafeMutableRawBufferPointer
    // The cursor is touched for every field and line break; a reader is used by one thread at a time and never
    // hands these out `inout`, so the dynamic exclusivity checks (8% of a CSV run's CPU) are left out.
    @exclusivity(unchecked) var position = 0
    @exclusivity(unchecked) var filled = 0
    var atEnd = false
    /// Stream offset of `buffer[0]`, for columns and byte offsets in errors.
    @exclusivity(unchecked) var bufferStart: Int64 = 0
    @exclusivity(unchecked) var line = 1
    @exclusivity(unchecked) var lineStart: Int64 = 0
    /// Whether the byte before `buffer[0]` was a carriage return (CRLF split across reads).
    var bufferFollowsCR = false
    @exclusivity(unchecked) var skipLineFeed = false
    @exclusivity(unchecked) var recordCount = 0

    /// Reads the header line. `delimiter` nil means: sniff it from the header.
    public init(source: ByteSource, fileName: String, delimiter: UInt8?, limits: Limits = Limits(),
                replaceInvalidUTF8: Bool = false, bufferSize: Int = 1 << 18) throws {
        self.source = source
        self.replaceInvalidUTF8 = replaceInvalidUTF8
        self.fileName = fileName
        self.limits = limits
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        self.buffer = .allocate(byteCount: bufferSize, alignment: 16)
        // The BOM and the sniffed header need the first bytes together, however the source chunks them.
        repeat { try refill() } while filled < 4096 && filled < buffer.count && !atEnd
        skipByteOrderMark()
        if delimiter == nil { self.delimiter = sniffDelimiter() }
        try readHeader()
    }

    deinit { buffer.deallocate() }

    public func next(into record: inout SourceRecord) throws -> Bool {
        guard try parseRecord(into: &record) else { return false }
        recordCount += 1
        record.number = recordCount
        return true
    }
}
