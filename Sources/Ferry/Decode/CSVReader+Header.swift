/// The header line: byte order mark, delimiter sniffing, column names.
extension CSVReader {
    func readHeader() throws {
        var header = SourceRecord()
        guard try parseRecord(into: &header) else {
            throw InputError(.schema, InputLocation(file: fileName, line: 1), "the file is empty: no header line",
                             hint: "export the file again with column names in the first line")
        }
        var seen: [String: Int] = [:]
        for index in 0..<header.fieldCount {
            let name = (header.string(at: index) ?? "").trimmingWhitespace()
            if !name.isEmpty, let first = seen[name] {
                throw InputError(.schema, InputLocation(file: fileName, line: header.line, field: name),
                                 "the header names column \"\(name)\" twice (columns \(first + 1) and \(index + 1))",
                                 hint: "rename one of the columns so each name is unique")
            }
            seen[name] = index
            columns.append(name)
        }
    }

    func skipByteOrderMark() {
        guard filled >= 3 else { return }
        let bytes = buffer.bindMemory(to: UInt8.self)
        if bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            position = 3
            lineStart = 3
        }
    }

    /// Picks the candidate delimiter that occurs most often outside quotes in the first line.
    func sniffDelimiter() -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        let bytes = buffer.bindMemory(to: UInt8.self)
        for index in position..<filled {
            let byte = bytes[index]
            if byte == Self.quote { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == Self.lineFeed || byte == Self.carriageReturn { break }
            if let slot = candidates.firstIndex(of: byte) { counts[slot] += 1 }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else {
            return UInt8(ascii: ",")
        }
        return candidates[best]
    }
}
