/// Streams records out of an XML document: each element at the record path is one record, its
/// fields are child elements (`name`, or `address/city` further down) and attributes (`@id`).
///
/// libxml2's SAX2 push parser is fed chunk by chunk, so memory is a chunk plus the records it completed.
public final class XMLRecordReader: RecordDecoder {
    public let columns: [String]
    public var bytesConsumed: Int64 { source.bytesConsumed }

    let source: ByteSource
    let fileName: String
    /// Local names from the root to the record element; a single name matches at any depth.
    let recordPath: [String]
    let anywhere: Bool
    let optionalColumns: Set<String>
    /// What the parser's callbacks work on; allocated here so its address stays fixed while the parser runs.
    let scanner: UnsafeMutablePointer<XMLRecordScanner>
    /// Declared after `scanner`'s allocation and freed first (see deinit): its callbacks point into it.
    private(set) var parser: XMLPushParser?
    var finished = false
    let chunk: UnsafeMutableRawBufferPointer
    /// The bytes `checkDeclaration` read ahead, fed first.
    var firstChunk: Int?

    /// `recordPath` is `/accounts/account` (from the root) or `account` (anywhere);
    /// `columns` are the names the template uses. At the end of the document, a column no record had
    /// fails the file unless it is among `optionalColumns`.
    public init(source: ByteSource, fileName: String, recordPath: String, columns: [String], optionalColumns: Set<String> = [],
                chunkSize: Int = 1 << 16, maxRecordBytes: Int = CSVReader.Limits().maxRecordBytes) throws {
        self.source = source
        self.fileName = fileName
        self.columns = columns
        self.optionalColumns = optionalColumns
        let parts = recordPath.split(separator: "/").map { String($0.split(separator: ":").last ?? $0) }
        self.recordPath = parts
        self.anywhere = !recordPath.hasPrefix("/")
        scanner = .allocate(capacity: 1)
        scanner.initialize(to: XMLRecordScanner(recordPath: parts, anywhere: anywhere, columns: columns, maxRecordBytes: maxRecordBytes))
        chunk = .allocate(byteCount: chunkSize, alignment: 16)
        parser = try XMLPushParser(events: XMLRecordScanner.events(for: scanner), fileName: fileName)
        try checkDeclaration()
    }

    deinit {
        parser = nil
        scanner.deinitialize(count: 1)
        scanner.deallocate()
        chunk.deallocate()
    }

    public func next(into record: inout SourceRecord) throws -> Bool {
        while !scanner.pointee.take(into: &record) {
            if finished { return false }
            try feed()
        }
        return true
    }
}
