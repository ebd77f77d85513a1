/// Encodes text that is already UTF-8 into an output encoding.
struct TextEncoder {
    let encoding: TextEncoding
    /// Scalar -> byte for the single-byte code pages.
    private let singleByte: [UInt32: UInt8]?

    init(_ encoding: TextEncoding) {
        self.encoding = encoding
        if let table = encoding.codePage {
            var reverse: [UInt32: UInt8] = [:]
            for (offset, scalar) in table.enumerated() where scalar != 0xFFFF { reverse[UInt32(scalar)] = UInt8(0x80 + offset) }
            singleByte = reverse
        } else {
            singleByte = nil
        }
    }

    var byteOrderMark: [UInt8] {
        switch encoding {
        case .utf8: [0xEF, 0xBB, 0xBF]
        case .utf16LittleEndian: [0xFF, 0xFE]
        case .utf16BigEndian: [0xFE, 0xFF]
        default: []
        }
    }

    /// The first character of `utf8` (valid UTF-8) the output encoding has no representation for.
    func firstUnencodable(_ utf8: UnsafeBufferPointer<UInt8>) -> Character? {
        guard let singleByte, utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars where scalar.value >= 0x80 && singleByte[scalar.value] == nil {
            return Character(scalar)
        }
        return nil
    }

    /// Appends `utf8` (valid UTF-8) in the output encoding; returns the first character that has
    /// no representation, leaving `output` as it was.
    func append(_ utf8: [UInt8], to output: inout [UInt8]) -> Character? {
        switch encoding {
        case .utf8:
            output.append(contentsOf: utf8)
        case .utf16LittleEndian, .utf16BigEndian:
            let littleEndian = encoding == .utf16LittleEndian
            if utf8.allSatisfy({ $0 < 0x80 }) {
                // ASCII: each byte is one UTF-16 unit with a zero high byte.
                output.reserveCapacity(output.count + utf8.count * 2)
                for byte in utf8 {
                    output.append(littleEndian ? byte : 0)
                    output.append(littleEndian ? 0 : byte)
                }
                return nil
            }
            for unit in String(decoding: utf8, as: UTF8.self).utf16 {
                let low = UInt8(truncatingIfNeeded: unit), high = UInt8(truncatingIfNeeded: unit >> 8)
                output.append(littleEndian ? low : high)
                output.append(littleEndian ? high : low)
            }
        default:
            let start = output.count
            for scalar in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                if scalar.value < 0x80 {
                    output.append(UInt8(scalar.value))
                } else if let byte = singleByte?[scalar.value] {
                    output.append(byte)
                } else {
                    output.removeSubrange(start...)
                    return Character(scalar)
                }
            }
        }
        return nil
    }
}
