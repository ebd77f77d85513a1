/// The XML reader's SAX state: everything libxml2's callbacks touch, in one value the reader keeps at a fixed
/// address, so a callback is one access through a pointer. Names are matched as interned ids and a record's text
/// is kept as bytes in one buffer until the record ends; no String and no dictionary per element or record.
struct XMLRecordScanner: ~Copyable {
    /// A column below the record other than a direct child element: a nested element (`address/city`) or an
    /// attribute (`@id`, `address/@type`), as the names of the elements from the record down.
    struct PathColumn {
        var elements: [Int32]
        /// The attribute's name, or -1 for an element.
        var attribute: Int32
        var column: Int
    }

    let columnCount: Int
    let maxRecordBytes: Int
    var names = XMLNameTable()
    /// Column of a direct child element of the record, by name id (-1 none); grows with the name table.
    private var childColumns: [Int32] = []
    /// Names seen as direct children of a record (for hints).
    private var seenAsChild: [Bool] = []
    private var nestedColumns: [PathColumn] = []
    private var attributeColumns: [PathColumn] = []
    private let recordPath: [Int32]
    private let anywhere: Bool

    /// The open elements' name ids, from the root.
    private let path: UnsafeMutablePointer<Int32>
    private var depth = 0
    /// Depth of the record element being read, or -1 between records.
    private var recordDepth = -1
    /// The element whose text is being collected for a column: column (or -1), depth, and where its text starts.
    private var captureColumn = -1
    private var captureDepth = -1
    private var captureStart = 0
    /// The record's text and attribute values; each column's value is a range of it (empty when absent).
    private var text: UnsafeMutablePointer<UInt8>
    private var textCount = 0
    private var textCapacity: Int
    private let valueStarts: UnsafeMutablePointer<Int>
    private let valueEnds: UnsafeMutablePointer<Int>
    /// Columns some record had; a column no record has is a misspelt name unless it is optional.
    private(set) var seenInAnyRecord: [Bool]
    /// Unmatched attributes of the first records, as paths (for hints).
    private var attributeNames = Set<String>()

    /// Bytes kept for the record being read, checked against `maxRecordBytes` as they arrive.
    private var recordBytes = 0
    private(set) var recordTooLarge = false
    private var recordLine = 0
    private(set) var recordCount = 0
    /// Records completed by the last chunk; slots are reused, so a record costs no allocation.
    private var ready: [SourceRecord] = []
    private var readyCount = 0
    private var readyIndex = 0

    init(recordPath: [String], anywhere: Bool, columns: [String], maxRecordBytes: Int) {
        columnCount = columns.count
        self.maxRecordBytes = maxRecordBytes
        self.anywhere = anywhere
        var names = XMLNameTable()
        self.recordPath = recordPath.map { names.id(of: $0) }
        // A column named twice reads into its last place, as a dictionary by name would.
        var elements: [String: Int] = [:]
        var attributes: [String: Int] = [:]
        for (index, column) in columns.enumerated() {
            if column.split(separator: "/").last?.hasPrefix("@") == true {
                attributes[column] = index
            } else {
                elements[column] = index
            }
        }
        var children: [Int32: Int] = [:]
        for (column, index) in elements {
            let parts = column.split(separator: "/", omittingEmptySubsequences: false).map { names.id(of: $0) }
            if parts.count == 1 {
                children[parts[0]] = index
            } else {
                nestedColumns.append(PathColumn(elements: parts, attribute: -1, column: index))
            }
        }
        for (column, index) in attributes {
            var parts = column.split(separator: "/", omittingEmptySubsequences: false)
            let attribute = names.id(of: parts.removeLast().dropFirst())
            attributeColumns.append(PathColumn(elements: parts.map { names.id(of: $0) }, attribute: attribute, column: index))
        }
        self.names = names
        childColumns = (0..<Int32(names.count)).map { Int32(children[$0] ?? -1) }
        seenAsChild = Array(repeating: false, count: names.count)
        seenInAnyRecord = Array(repeating: false, count: columns.count)
        path = .allocate(capacity: XMLPushParser.maxDepth + 1)
        textCapacity = 4096
        text = .allocate(capacity: textCapacity)
        valueStarts = .allocate(capacity: max(columns.count, 1))
        valueEnds = .allocate(capacity: max(columns.count, 1))
        valueStarts.initialize(repeating: 0, count: max(columns.count, 1))
        valueEnds.initialize(repeating: 0, count: max(columns.count, 1))
    }

    deinit {
        path.deallocate()
        text.deallocate()
        valueStarts.deallocate()
        valueEnds.deallocate()
    }

    /// The callbacks for a parser, reaching this scanner at `scanner`.
    static func events(for scanner: UnsafeMutablePointer<XMLRecordScanner>) -> XMLEventHandler {
        XMLEventHandler(
            state: UnsafeMutableRawPointer(scanner),
            startElement: { state, tag in state.assumingMemoryBound(to: XMLRecordScanner.self).pointee.startElement(tag) },
            endElement: { state in state.assumingMemoryBound(to: XMLRecordScanner.self).pointee.endElement() },
            characters: { state, bytes in state.assumingMemoryBound(to: XMLRecordScanner.self).pointee.characters(bytes) })
    }

    // MARK: Records

    /// Moves the next completed record into `record`; false when the last chunk completed no more.
    mutating func take(into record: inout SourceRecord) -> Bool {
        guard readyIndex < readyCount else {
            readyIndex = 0
            readyCount = 0
            return false
        }
        swap(&record, &ready[readyIndex])
        readyIndex += 1
        return true
    }

    /// The root element's name, while it is open.
    var rootName: String? { depth > 0 ? names.text(of: path[0]) : nil }

    /// Child element and attribute names the records have.
    var namesInRecords: Set<String> {
        attributeNames.union(seenAsChild.indices.filter { seenAsChild[$0] }.map { names.text(of: Int32($0)) })
    }

    // MARK: Callbacks

    mutating func startElement(_ tag: XMLStartTag) -> XMLPushParser.Verdict {
        let id = name(tag.localName)
        guard depth <= XMLPushParser.maxDepth else { return .proceed }
        path[depth] = id
        depth += 1
        let elementDepth = depth - 1
        if recordDepth >= 0 {
            captureColumn = column(ofElement: id, at: elementDepth)
            captureDepth = elementDepth
            if !attributeColumns.isEmpty { collect(tag.attributes, of: elementDepth) }
            captureStart = textCount
        } else if isRecordPath() {
            recordDepth = elementDepth
            recordLine = tag.line
            recordBytes = 0
            textCount = 0
            valueStarts.update(repeating: 0, count: columnCount)
            valueEnds.update(repeating: 0, count: columnCount)
            if !attributeColumns.isEmpty { collect(tag.attributes, of: elementDepth) }
        } else {
            return .proceed
        }
        return recordBytes > maxRecordBytes ? tooLarge() : .proceed
    }

    mutating func endElement() {
        guard depth > 0 else { return }
        depth -= 1
        guard recordDepth >= 0 else { return }
        if depth == recordDepth {
            finishRecord()
            recordDepth = -1
            return
        }
        if depth == captureDepth, captureColumn >= 0 {
            valueStarts[captureColumn] = captureStart
            valueEnds[captureColumn] = textCount
            if !seenInAnyRecord[captureColumn] { seenInAnyRecord[captureColumn] = true }
        }
        captureColumn = -1
        captureDepth = -1
        captureStart = textCount
    }

    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) -> XMLPushParser.Verdict {
        guard captureColumn >= 0 else { return .proceed }
        recordBytes += bytes.count
        guard recordBytes <= maxRecordBytes else { return tooLarge() }
        append(bytes)
        return .proceed
    }

    // MARK: Names and columns

    private mutating func name(_ localName: UnsafePointer<UInt8>) -> Int32 {
        let id = names.id(of: localName)
        while childColumns.count < names.count {
            childColumns.append(-1)
            seenAsChild.append(false)
        }
        return id
    }

    private func isRecordPath() -> Bool {
        guard let last = recordPath.last, path[depth - 1] == last else { return false }
        if anywhere { return true }
        guard depth == recordPath.count else { return false }
        for index in 0..<depth where path[index] != recordPath[index] { return false }
        return true
    }

    /// The column an element inside the record feeds, or -1.
    private mutating func column(ofElement id: Int32, at elementDepth: Int) -> Int {
        if elementDepth == recordDepth + 1 {
            if !seenAsChild[Int(id)] { seenAsChild[Int(id)] = true }
            return Int(childColumns[Int(id)])
        }
        for nested in nestedColumns where elementsBelowRecord(match: nested.elements, through: elementDepth) {
            return nested.column
        }
        return -1
    }

    /// Whether the elements from below the record down to `elementDepth` are `names`.
    private func elementsBelowRecord(match names: [Int32], through elementDepth: Int) -> Bool {
        guard names.count == elementDepth - recordDepth else { return false }
        for (offset, name) in names.enumerated() where path[recordDepth + 1 + offset] != name { return false }
        return true
    }

    private mutating func collect(_ attributes: XMLAttributes, of elementDepth: Int) {
        attributes.forEach { localName, value in
            let attribute = names.id(of: localName)
            if let match = attributeColumns.first(where: { $0.attribute == attribute && elementsBelowRecord(match: $0.elements, through: elementDepth) }) {
                recordBytes += value.count
                let start = textCount
                appendUnescapingAmpersands(value)
                valueStarts[match.column] = start
                valueEnds[match.column] = textCount
                if !seenInAnyRecord[match.column] { seenInAnyRecord[match.column] = true }
            } else if recordCount < 100 {
                let elements = (recordDepth + 1..<elementDepth + 1).map { names.text(of: path[$0]) + "/" }.joined()
                attributeNames.insert(elements + "@" + names.text(of: attribute))
            }
        }
    }

    // MARK: Bytes

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (text + textCount).update(from: source, count: bytes.count)
        textCount += bytes.count
    }

    /// Without entity substitution libxml2 hands `&amp;` in attribute values over as `&#38;`.
    private mutating func appendUnescapingAmpersands(_ value: UnsafeBufferPointer<UInt8>) {
        reserve(value.count)
        var index = 0
        while index < value.count {
            if value[index] == UInt8(ascii: "&"), index + 5 <= value.count, value[index + 1] == UInt8(ascii: "#"),
               value[index + 2] == UInt8(ascii: "3"), value[index + 3] == UInt8(ascii: "8"), value[index + 4] == UInt8(ascii: ";") {
                text[textCount] = UInt8(ascii: "&")
                index += 5
            } else {
                text[textCount] = value[index]
                index += 1
            }
            textCount += 1
        }
    }

    private mutating func reserve(_ more: Int) {
        guard textCount + more > textCapacity else { return }
        let capacity = max(textCapacity * 2, textCount + more)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: text, count: textCount)
        text.deallocate()
        text = grown
        textCapacity = capacity
    }

    private mutating func finishRecord() {
        recordCount += 1
        if readyCount == ready.count { ready.append(SourceRecord()) }
        ready[readyCount].reset(line: recordLine, number: recordCount)
        for column in 0..<columnCount {
            ready[readyCount].append(field: UnsafeBufferPointer(start: text + valueStarts[column], count: valueEnds[column] - valueStarts[column]))
        }
        readyCount += 1
    }

    private mutating func tooLarge() -> XMLPushParser.Verdict {
        recordTooLarge = true
        return .stop("the record starting at line \(recordLine) is larger than \(maxRecordBytes >> 20) MiB",
                     hint: "a value this large is not a business record; check the export (an element that never closes makes the rest of the file one value)")
    }
}
