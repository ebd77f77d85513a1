/// Streams records out of an XML document: each element at the record path is one record, its
/// fields are child elements (`name`, or `address/city` further down) and attributes (`@id`).
///
/// libxml2's SAX2 push parser is fed chunk by chunk, so memory is a chunk plus the records it completed.
public final class XMLRecordReader: RecordDecoder, XMLEventHandler {
    public let columns: [String]
    public var bytesConsumed: Int64 { source.bytesConsumed }

    let source: ByteSource
    let fileName: String
    var parser: XMLPushParser!
    /// Local names from the root to the record element; a single name matches at any depth.
    let recordPath: [String]
    let anywhere: Bool
    let elementColumns: [String: Int]
    let attributeColumns: [String: Int]

    /// The open elements, as ids into `names` (each distinct element name once).
    var path: [Int] = []
    var names: [ElementName] = []
    var idsByName: [String: Int] = [:]
    /// libxml2 usually passes interned names, so the same name comes at the same address; a hit is
    /// still checked against the bytes, since some input paths pass transient buffers.
    var idsByAddress: [Int: Int] = [:]

    struct ElementName {
        var text: String
        var bytes: [UInt8]
        /// Column of a direct child element of this name: nil unknown yet, -1 none.
        var childColumn: Int?
    }
    let hasNestedColumns: Bool
    var recordDepth: Int?
    /// The element whose text is being collected for a column, and its depth.
    var captureColumn = -1
    var captureDepth = -1
    var values: [[UInt8]]
    var present: [Bool]
    /// Columns some record had; a column no record has is a misspelt name unless it is optional.
    var seenInAnyRecord: [Bool]
    let optionalColumns: Set<String>
    /// Child element and attribute names the records have, for hints.
    var namesInRecords = Set<String>()
    var text: [UInt8] = []
    /// Bytes kept for the record being read, checked against `maxRecordBytes` as they arrive.
    var recordBytes = 0
    let maxRecordBytes: Int
    var recordTooLarge = false
    var recordLine = 0
    var recordCount = 0
    /// Records completed by the last chunk; slots are reused, so a record costs no allocation.
    var ready: [SourceRecord] = []
    var readyCount = 0
    var readyIndex = 0
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
        self.maxRecordBytes = maxRecordBytes
        self.fileName = fileName
        self.columns = columns
        self.optionalColumns = optionalColumns
        let parts = recordPath.split(separator: "/").map { String($0.split(separator: ":").last ?? $0) }
        self.recordPath = parts
        self.anywhere = !recordPath.hasPrefix("/")
        var elements: [String: Int] = [:]
        var attributes: [String: Int] = [:]
        for (index, column) in columns.enumerated() {
            if column.split(separator: "/").last?.hasPrefix("@") == true {
                attributes[column] = index
            } else {
                elements[column] = index
            }
        }
        elementColumns = elements
        attributeColumns = attributes
        hasNestedColumns = elements.keys.contains { $0.contains("/") }
        values = Array(repeating: [], count: columns.count)
        present = Array(repeating: false, count: columns.count)
        seenInAnyRecord = Array(repeating: false, count: columns.count)
        chunk = .allocate(byteCount: chunkSize, alignment: 16)
        parser = try XMLPushParser(handler: self, fileName: fileName)
        try checkDeclaration()
    }

    deinit { chunk.deallocate() }

    public func next(into record: inout SourceRecord) throws -> Bool {
        while readyIndex == readyCount {
            if finished { return false }
            readyCount = 0
            readyIndex = 0
            try feed()
        }
        swap(&record, &ready[readyIndex])
        readyIndex += 1
        return true
    }
}
