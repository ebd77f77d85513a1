/// Finding the bytes a CSV line is cut at, eight bytes at a time (SWAR: a 64-bit word holds eight bytes, and
/// one subtraction marks the zero bytes of `word ^ repeated(byte)`, that is, the places holding `byte`).
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first delimiter, quote, carriage return or line feed in `bytes[start..<end]`, or `end`;
    /// `nonASCII` is set when a byte before it is 0x80 or above.
    @inline(__always)
    static func firstSpecial(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, delimiter: UInt8,
                             nonASCII: inout Bool) -> Int {
        guard let base = bytes.baseAddress else { return end }
        let raw = UnsafeRawPointer(base)
        let delimiters = UInt64(delimiter) &* ones
        let quotes = UInt64(UInt8(ascii: "\"")) &* ones
        let returns = UInt64(0x0D) &* ones
        let feeds = UInt64(0x0A) &* ones
        var index = start
        var high: UInt64 = 0
        while index + 8 <= end {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let found = zeroBytes(word ^ delimiters) | zeroBytes(word ^ quotes) | zeroBytes(word ^ returns) | zeroBytes(word ^ feeds)
            if found != 0 {
                // The lowest marked byte is exact; the bytes before it are the field's.
                let before = found.trailingZeroBitCount / 8
                if before > 0 { high |= word & highBits & (UInt64.max >> UInt64(64 - 8 * before)) }
                if high != 0 { nonASCII = true }
                return index + before
            }
            high |= word & highBits
            index += 8
        }
        if high != 0 { nonASCII = true }
        while index < end {
            let byte = bytes[index]
            if byte == delimiter || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "\"") { break }
            if byte >= 0x80 { nonASCII = true }
            index += 1
        }
        return index
    }

    /// ASCII white space, as String's trim sees it below 0x80.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// The high bit of each byte that is zero; exact for the lowest such byte (a borrow only runs upward from a zero).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highBits
    }
}
