/// Feeding libxml2 chunk by chunk, and what the end of the document says about the template's columns.
extension XMLRecordReader {
    /// Refuses a UTF-8 byte order mark in front of a declaration of another encoding: libxml2 would
    /// silently produce mojibake.
    func checkDeclaration() throws {
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

    func feed() throws {
        let count: Int
        if let first = firstChunk {
            count = first
            firstChunk = nil
        } else {
            count = try source.read(into: chunk)
        }
        do {
            try parser?.parse(UnsafeRawBufferPointer(rebasing: chunk[0..<count]), final: count == 0)
        } catch let failure as XMLPushParser.Failure {
            let recordCount = scanner.pointee.recordCount
            if count == 0, failure.isUnexpectedEnd, let root = scanner.pointee.rootName {
                // libxml2 calls an unfinished document "extra content"; say what it is.
                throw InputError(.malformed, InputLocation(file: fileName, line: failure.line, record: recordCount + 1),
                                 "the document ends before its root element <\(root)> is closed: the file is truncated or cut short",
                                 hint: "the upload or export was probably incomplete; send the complete file again")
            }
            throw InputError(scanner.pointee.recordTooLarge ? .limit : .malformed, InputLocation(file: fileName, line: failure.line, record: recordCount + 1),
                             "column \(failure.column): \(failure.message)",
                             hint: failure.hint ?? "the file must be well-formed XML; check it near this line")
        }
        if count == 0 {
            finished = true
            if scanner.pointee.recordCount == 0 {
                throw InputError(.schema, InputLocation(file: fileName),
                                 "no element matches the record path \(anywhere ? "" : "/")\(recordPath.joined(separator: "/"))",
                                 hint: "set `record:` in the template's source section to the path of the repeating element, e.g. /accounts/account")
            }
            let absent = columnsNeverSeen.filter { !optionalColumns.contains($0) }
            if !absent.isEmpty {
                let record = recordPath.last ?? "record"
                let names = scanner.pointee.namesInRecords
                let suggestions = absent.compactMap { name in closestMatch(to: name, in: names).map { "\(name) -> \($0)" } }
                throw InputError(.schema, InputLocation(file: fileName, field: absent[0]),
                                 "the template needs \(absent.count == 1 ? "column" : "columns") \(absent.map { "\"\($0)\"" }.joined(separator: ", ")), "
                                    + "which no <\(record)> record of the file has (all \(scanner.pointee.recordCount) records read)",
                                 hint: (suggestions.isEmpty ? "" : "did you mean \(suggestions.joined(separator: ", "))? ")
                                    + "The records have: \(names.sorted().joined(separator: ", ")). "
                                    + "Fix the name in the template, or list a column that may be absent under source: optional:")
            }
        }
    }

    /// Child element and attribute names the records have (for hints).
    public var namesInSample: [String] { scanner.pointee.namesInRecords.sorted() }

    /// The template's columns that no record read so far had (all of them, once the end is reached).
    public var columnsNeverSeen: [String] {
        let seen = scanner.pointee.seenInAnyRecord
        return columns.indices.filter { !seen[$0] }.map { columns[$0] }
    }
}
