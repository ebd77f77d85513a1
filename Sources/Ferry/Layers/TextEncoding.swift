/// Text encodings Ferry reads. Everything is turned into UTF-8 before it is parsed.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LittleEndian = "utf-16le"
    case utf16BigEndian = "utf-16be"
    case windows1250 = "windows-1250"
    case windows1252 = "windows-1252"
    case iso8859_2 = "iso-8859-2"
    case iso8859_1 = "iso-8859-1"

    /// Accepts the usual spellings: `UTF8`, `cp1250`, `latin2`, `utf-16` (little-endian, as Windows writes it).
    public init?(name: String) {
        let key = name.lowercased().replacingAll("_", with: "-")
        let aliases: [String: TextEncoding] = [
            "utf-8": .utf8, "utf8": .utf8, "utf-8-sig": .utf8,
            "utf-16": .utf16LittleEndian, "utf-16le": .utf16LittleEndian, "utf16le": .utf16LittleEndian, "unicode": .utf16LittleEndian,
            "utf-16be": .utf16BigEndian, "utf16be": .utf16BigEndian,
            "windows-1250": .windows1250, "cp1250": .windows1250,
            "windows-1252": .windows1252, "cp1252": .windows1252,
            "iso-8859-2": .iso8859_2, "latin2": .iso8859_2, "latin-2": .iso8859_2,
            "iso-8859-1": .iso8859_1, "latin1": .iso8859_1, "latin-1": .iso8859_1,
        ]
        guard let encoding = aliases[key] else { return nil }
        self = encoding
    }

    /// The encoding a byte order mark at the start of `bytes` announces, and the mark's length.
    static func byteOrderMark(in bytes: UnsafeRawBufferPointer) -> (TextEncoding, Int)? {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { return (.utf8, 3) }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE { return (.utf16LittleEndian, 2) }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF { return (.utf16BigEndian, 2) }
        return nil
    }

    /// UTF-16 recognised without a byte order mark: text whose every second byte is 0 (ASCII in
    /// UTF-16). nil for text that does not look like that.
    static func unmarkedUTF16(in head: [UInt8]) -> TextEncoding? {
        let sample = head.prefix(256)
        guard sample.count >= 8 else { return nil }
        let evenZeros = stride(from: 0, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        let oddZeros = stride(from: 1, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        let pairs = sample.count / 2
        if oddZeros * 10 >= pairs * 9 && evenZeros == 0 { return .utf16LittleEndian }
        if evenZeros * 10 >= pairs * 9 && oddZeros == 0 { return .utf16BigEndian }
        return nil
    }
}
