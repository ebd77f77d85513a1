#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams records out of an XML document: each element at the record path is one record, its
/// fields are child elements (`name`, or `address/city` further down) and attributes (`@id`).
///
/// libxml2's SAX2 push parser is fed chunk by chunk, so memory is a chunk plus the records it completed.
public final class XMLRecordReader: RecordDecoder, XMLEventHandler {
    public let columns: [String]
    public var bytesConsumed: Int64 { source.bytesConsumed }

    private let source: ByteSource
    private let fileName: String
    private var parser: XMLPushParser!
    /// Local names from the root to the record element; a single name matches at any depth.
    private let recordPath: [String]
    private let anywhere: Bool
    private let elementColumns: [String: Int]
    private let attributeColumns: [String: Int]

    /// The open elements, as ids into `names` (each distinct element name once).
    private var path: [Int] = []
    private var names: [ElementName] = []
    private var idsByName: [String: Int] = [:]
    /// libxml2 usually passes interned names, so the same name comes at the same address; a hit is
    /// still checked against the bytes, since some input paths pass transient buffers.
    private var idsByAddress: [Int: Int] = [:]

    private struct ElementName {
        var text: String
        var bytes: [UInt8]
        /// Column of a direct child element of this name: nil unknown yet, -1 none.
        var childColumn: Int?
    }
    private let hasNestedColumns: Bool
    private var recordDepth: Int?
    /// The element whose text is being collected for a column, and its depth.
    private var captureColumn = -1
    private var captureDepth = -1
    private var values: [[UInt8]]
    private var present: [Bool]
    /// Columns some record had; a column no record has is a misspelt name unless it is optional.
    private var seenInAnyRecord: [Bool]
    private let optionalColumns: Set<String>
    /// Child element and attribute names the records have, for hints.
    private var namesInRecords = Set<String>()
    private var text: [UInt8] = []
    /// Bytes kept for the record being read, checked against `maxRecordBytes` as they arrive.
    private var recordBytes = 0
    private let maxRecordBytes: Int
    private var recordTooLarge = false
    private var recordLine = 0
    private var recordCount = 0
    /// Records completed by the last chunk; slots are reused, so a record costs no allocation.
    private var ready: [SourceRecord] = []
    private var readyCount = 0
    private var readyIndex = 0
    private var finished = false
    private let chunk: UnsafeMutableRawBufferPointer

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

    // MARK: Feeding

    private var firstChunk: Int?

    /// Refuses a UTF-8 byte order mark in front of a declaration of another encoding: libxml2 would
    /// silently produce mojibake.
    private func checkDeclaration() throws {
        var count = 0
        while count < min(200, chunk.count) {
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[count...]))
            if read == 0 { break }
            count += read
        }
        firstChunk = count
        let head = UnsafeRawBufferPointer(rebasing: chunk[0..<min(count, 200)])
        guard count >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF else { return }
        let text = String(decoding: head, as: UTF8.self).lowercased()
        guard text.dropFirst().hasPrefix("<?xml"), let end = text.firstIndex(of: ">") else { return }
        let declaration = text[..<end]
        guard let range = declaration.firstRange(of: "encoding=") else { return }
        let declared = declaration[range.upperBound...].dropFirst().prefix { $0 != "\"" && $0 != "'" }
        if declared != "utf-8" && declared != "utf8" {
            throw InputError(.encoding, InputLocation(file: fileName, line: 1),
                             "the file starts with a UTF-8 byte order mark but its XML declaration names another encoding",
                             hint: "one of them is wrong; save the file as UTF-8 with encoding=\"UTF-8\", or without the byte order mark")
        }
    }

    private func feed() throws {
        let count: Int
        if let first = firstChunk {
            count = first
            firstChunk = nil
        } else {
            count = try source.read(into: chunk)
        }
        do {
            try parser.parse(UnsafeRawBufferPointer(rebasing: chunk[0..<count]), final: count == 0)
        } catch let failure as XMLPushParser.Failure {
            if count == 0, failure.isUnexpectedEnd, let root = path.first.map({ names[$0].text }) {
                // libxml2 calls an unfinished document "extra content"; say what it is.
                throw InputError(.malformed, InputLocation(file: fileName, line: failure.line, record: recordCount + 1),
                                 "the document ends before its root element <\(root)> is closed: the file is truncated or cut short",
                                 hint: "the upload or export was probably incomplete; send the complete file again")
            }
            throw InputError(recordTooLarge ? .limit : .malformed, InputLocation(file: fileName, line: failure.line, record: recordCount + 1),
                             "column \(failure.column): \(failure.message)",
                             hint: failure.hint ?? "the file must be well-formed XML; check it near this line")
        }
        if count == 0 {
            finished = true
            if recordCount == 0 && readyCount == 0 {
                throw InputError(.schema, InputLocation(file: fileName),
                                 "no element matches the record path \(anywhere ? "" : "/")\(recordPath.joined(separator: "/"))",
                                 hint: "set `record:` in the template's source section to the path of the repeating element, e.g. /accounts/account")
            }
            let absent = columnsNeverSeen.filter { !optionalColumns.contains($0) }
            if !absent.isEmpty {
                let record = recordPath.last ?? "record"
                let suggestions = absent.compactMap { name in closestMatch(to: name, in: namesInRecords).map { "\(name) -> \($0)" } }
                throw InputError(.schema, InputLocation(file: fileName, field: absent[0]),
                                 "the template needs \(absent.count == 1 ? "column" : "columns") \(absent.map { "\"\($0)\"" }.joined(separator: ", ")), "
                                    + "which no <\(record)> record of the file has (all \(recordCount) records read)",
                                 hint: (suggestions.isEmpty ? "" : "did you mean \(suggestions.joined(separator: ", "))? ")
                                    + "The records have: \(namesInRecords.sorted().joined(separator: ", ")). "
                                    + "Fix the name in the template, or list a column that may be absent under source: optional:")
            }
        }
    }

    /// Child element and attribute names the records have (for hints).
    public var namesInSample: [String] { namesInRecords.sorted() }

    /// The template's columns that no record read so far had (all of them, once the end is reached).
    public var columnsNeverSeen: [String] {
        columns.indices.filter { !seenInAnyRecord[$0] }.map { columns[$0] }
    }

    // MARK: SAX events

    func startElement(_ localName: UnsafePointer<UInt8>, attributes: XMLAttributes) -> XMLPushParser.Verdict {
        let key = id(of: localName)
        path.append(key)
        if let start = recordDepth {
            let depth = path.count - 1
            captureColumn = column(ofElementAt: depth, below: start, key: key)
            captureDepth = depth
            text.removeAll(keepingCapacity: true)
            if !attributeColumns.isEmpty { collect(attributes, prefix: relativePath(from: start) + "/") }
            if recordBytes > maxRecordBytes { return tooLarge() }
        } else if isRecordPath() {
            recordDepth = path.count - 1
            recordLine = parser.line
            recordBytes = 0
            for index in values.indices { values[index].removeAll(keepingCapacity: true); present[index] = false }
            if !attributeColumns.isEmpty { collect(attributes, prefix: "") }
            if recordBytes > maxRecordBytes { return tooLarge() }
        }
        return .proceed
    }

    func endElement(_ localName: UnsafePointer<UInt8>) {
        defer { path.removeLast() }
        guard let start = recordDepth else { return }
        let depth = path.count - 1
        if depth == start {
            finishRecord()
            recordDepth = nil
            return
        }
        if depth == captureDepth, captureColumn >= 0 {
            swap(&values[captureColumn], &text)
            present[captureColumn] = true
            seenInAnyRecord[captureColumn] = true
        }
        captureColumn = -1
        captureDepth = -1
        text.removeAll(keepingCapacity: true)
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard captureColumn >= 0 else { return }
        recordBytes += bytes.count
        guard recordBytes <= maxRecordBytes else {
            if case .stop(let reason, let hint) = tooLarge() { parser.stop(reason, hint: hint) }
            return
        }
        text.append(contentsOf: bytes)
    }

    private func tooLarge() -> XMLPushParser.Verdict {
        recordTooLarge = true
        return .stop("the record starting at line \(recordLine) is larger than \(maxRecordBytes >> 20) MiB",
                     hint: "a value this large is not a business record; check the export (an element that never closes makes the rest of the file one value)")
    }

    /// The id of an element name, found by its address when libxml2 reuses it.
    private func id(of name: UnsafePointer<UInt8>) -> Int {
        let address = Int(bitPattern: name)
        if let known = idsByAddress[address], Self.same(names[known].bytes, name) { return known }
        let text = String(cString: name)
        let id: Int
        if let existing = idsByName[text] {
            id = existing
        } else {
            id = names.count
            names.append(ElementName(text: text, bytes: Array(text.utf8), childColumn: nil))
            idsByName[text] = id
        }
        idsByAddress[address] = id
        return id
    }

    /// Whether the NUL-terminated `name` has exactly these bytes.
    private static func same(_ bytes: [UInt8], _ name: UnsafePointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { known in
            guard let base = known.baseAddress else { return name[0] == 0 }
            return memcmp(base, name, known.count) == 0 && name[known.count] == 0
        }
    }

    /// The column an element inside the record feeds, or -1; direct children are looked up by pointer.
    private func column(ofElementAt depth: Int, below start: Int, key: Int) -> Int {
        if depth == start + 1 {
            if let known = names[key].childColumn { return known }
            namesInRecords.insert(names[key].text)
            let column = elementColumns[names[key].text] ?? -1
            names[key].childColumn = column
            return column
        }
        guard hasNestedColumns else { return -1 }
        return elementColumns[relativePath(from: start)] ?? -1
    }

    /// The current element's path below the record (`name`, or `address/city`).
    private func relativePath(from start: Int) -> String {
        path[(start + 1)...].map { names[$0].text }.joined(separator: "/")
    }

    private func isRecordPath() -> Bool {
        guard let last = path.last.map({ names[$0].text }), last == recordPath.last else { return false }
        if anywhere { return true }
        return path.count == recordPath.count && path.map { names[$0].text } == recordPath
    }

    private func collect(_ attributes: XMLAttributes, prefix: String) {
        attributes.forEach { name, value in
            let path = prefix + "@" + String(cString: name)
            if let index = attributeColumns[path] {
                recordBytes += value.count
                values[index] = Self.unescapeAmpersands(value)
                present[index] = true
                seenInAnyRecord[index] = true
            } else if recordCount < 100 {
                namesInRecords.insert(path)
            }
        }
    }

    /// Without entity substitution libxml2 hands `&amp;` in attribute values over as `&#38;`.
    private static func unescapeAmpersands(_ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let marker = Array("&#38;".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(value.count)
        var index = 0
        while index < value.count {
            if value[index] == UInt8(ascii: "&"), index + marker.count <= value.count,
               value[index..<(index + marker.count)].elementsEqual(marker) {
                result.append(UInt8(ascii: "&"))
                index += marker.count
            } else {
                result.append(value[index])
                index += 1
            }
        }
        return result
    }

    private func finishRecord() {
        recordCount += 1
        if readyCount == ready.count { ready.append(SourceRecord()) }
        ready[readyCount].reset(line: recordLine, number: recordCount)
        for value in values { ready[readyCount].append(field: value) }
        readyCount += 1
    }
}
