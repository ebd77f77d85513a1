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
            let transcoded = utf8.withUnsafeBufferPointer { Self.appendUTF16(from: $0, littleEndian: littleEndian, to: &output) }
            if !transcoded {
                // Not well-formed: String repairs it (U+FFFD), as the reader does.
                for unit in String(decoding: utf8, as: UTF8.self).utf16 { Self.append(unit: unit, littleEndian: littleEndian, to: &output) }
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

    /// UTF-8 -> UTF-16 without a String: false, with nothing appended, when the bytes are not well-formed.
    private static func appendUTF16(from bytes: UnsafeBufferPointer<UInt8>, littleEndian: Bool, to output: inout [UInt8]) -> Bool {
        guard UTF8Validation.firstInvalidByte(in: bytes) == nil else { return false }
        output.reserveCapacity(output.count + bytes.count * 2)
        var index = 0
        while index < bytes.count {
            let lead = UInt32(bytes[index])
            let scalar: UInt32
            switch lead {
            case 0..<0x80:
                scalar = lead
                index += 1
            case 0x80..<0xE0:
                scalar = (lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                index += 2
            case 0xE0..<0xF0:
                scalar = (lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                index += 3
            default:
                scalar = (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                    | UInt32(bytes[index + 3] & 0x3F)
                index += 4
            }
            if scalar >= 0x10000 {
                append(unit: UInt16(0xD800 | (scalar - 0x10000) >> 10), littleEndian: littleEndian, to: &output)
                append(unit: UInt16(0xDC00 | (scalar - 0x10000) & 0x3FF), littleEndian: littleEndian, to: &output)
            } else {
                append(unit: UInt16(scalar), littleEndian: littleEndian, to: &output)
            }
        }
        return true
    }

    @inline(__always)
    private static func append(unit: UInt16, littleEndian: Bool, to output: inout [UInt8]) {
        let low = UInt8(truncatingIfNeeded: unit), high = UInt8(truncatingIfNeeded: unit >> 8)
        output.append(littleEndian ? low : high)
        output.append(littleEndian ? high : low)
    }
}
