import Testing
@testable import Ferry

/// The eight-bytes-at-a-time scans find what a byte-by-byte loop finds, wherever the byte sits in a word.
@Suite("Byte scans")
struct ByteScanTests {
    /// Lines with the special bytes (and non-ASCII bytes) at every offset around word boundaries.
    static let lines: [[UInt8]] = {
        var lines: [[UInt8]] = []
        let specials: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\""), 0x0A, 0x0D, 0xC3, 0x80, 0xFF, 0x00, 0x01, 0x7F]
        for length in 0..<26 {
            for special in specials {
                for at in 0..<max(length, 1) {
                    var line = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                    if at < length { line[at] = special }
                    lines.append(line)
                    if at + 3 < length {
                        line[at + 3] = 0xA9
                        lines.append(line)
                    }
                }
            }
        }
        return lines
    }()

    @Test("the first delimiter, quote or line break is found as a byte loop finds it, with any non-ASCII byte before it")
    func firstSpecial() {
        for delimiter in [UInt8(ascii: ","), UInt8(ascii: ";")] {
            for line in Self.lines {
                for start in 0...min(line.count, 9) {
                    var expected = start, expectedNonASCII = false
                    while expected < line.count, ![delimiter, UInt8(ascii: "\""), 0x0A, 0x0D].contains(line[expected]) {
                        if line[expected] >= 0x80 { expectedNonASCII = true }
                        expected += 1
                    }
                    var nonASCII = false
                    let found = line.withUnsafeBufferPointer {
                        ByteScan.firstSpecial(in: $0, from: start, to: line.count, delimiter: delimiter, nonASCII: &nonASCII)
                    }
                    #expect(found == expected, "\(line) from \(start)")
                    #expect(nonASCII == expectedNonASCII, "\(line) from \(start)")
                }
            }
        }
    }

    @Test("UTF-8 validation finds the first bad byte after ASCII runs of any length")
    func validationAfterASCIIRuns() {
        for length in 0..<40 {
            for bad in [[0xFF], [0xC3], [0xE2, 0x82], [0xC0, 0x80], [0xED, 0xA0, 0x80]] as [[UInt8]] {
                let ascii = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                #expect(UTF8Validation.firstInvalidByte(in: ascii + bad + ascii) == length, "\(length) then \(bad)")
                #expect(UTF8Validation.firstInvalidByte(in: ascii + Array("Łódź".utf8) + ascii + bad) == 2 * length + 7)
            }
            #expect(UTF8Validation.firstInvalidByte(in: [UInt8](repeating: 0x41, count: length) + Array("é€😀".utf8)) == nil)
        }
    }
}
