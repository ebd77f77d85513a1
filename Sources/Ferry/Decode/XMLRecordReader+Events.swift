/// libxml2's SAX events: elements and text of a record become its fields.
extension XMLRecordReader {
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

    func tooLarge() -> XMLPushParser.Verdict {
        recordTooLarge = true
        return .stop("the record starting at line \(recordLine) is larger than \(maxRecordBytes >> 20) MiB",
                     hint: "a value this large is not a business record; check the export (an element that never closes makes the rest of the file one value)")
    }

    func finishRecord() {
        recordCount += 1
        if readyCount == ready.count { ready.append(SourceRecord()) }
        ready[readyCount].reset(line: recordLine, number: recordCount)
        for value in values { ready[readyCount].append(field: value) }
        readyCount += 1
    }
}
