#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element names by id, the column an element or attribute feeds, the record path.
extension XMLRecordReader {
    /// The id of an element name, found by its address when libxml2 reuses it.
    func id(of name: UnsafePointer<UInt8>) -> Int {
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
    static func same(_ bytes: [UInt8], _ name: UnsafePointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { known in
            guard let base = known.baseAddress else { return name[0] == 0 }
            return memcmp(base, name, known.count) == 0 && name[known.count] == 0
        }
    }

    /// The column an element inside the record feeds, or -1; direct children are looked up by pointer.
    func column(ofElementAt depth: Int, below start: Int, key: Int) -> Int {
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
    func relativePath(from start: Int) -> String {
        path[(start + 1)...].map { names[$0].text }.joined(separator: "/")
    }

    func isRecordPath() -> Bool {
        guard let last = path.last.map({ names[$0].text }), last == recordPath.last else { return false }
        if anywhere { return true }
        return path.count == recordPath.count && path.map { names[$0].text } == recordPath
    }

    func collect(_ attributes: XMLAttributes, prefix: String) {
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
    static func unescapeAmpersands(_ value: UnsafeBufferPointer<UInt8>) -> [UInt8] {
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
}
