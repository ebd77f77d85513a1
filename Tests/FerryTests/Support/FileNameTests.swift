import Testing
@testable import Ferry

@Suite("file names as bytes")
struct FileNameTests {
    @Test("any bytes round-trip through the name, also genuine scalars from the escape range", arguments: [
        Array("accounts.csv".utf8),
        Array("accounts-".utf8) + [0xFF, 0xFE] + Array("-latin.csv".utf8),
        Array("Kovács Győr.csv".utf8),
        [0xC3, 0x28, 0xE2, 0x82, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF5, 0x80],   // broken, overlong, surrogate, past U+10FFFF
        [0xF4, 0x8F, 0xBE, 0x80, 0x41],                                         // U+10FF80 itself, then A
    ])
    func roundTrip(bytes: [UInt8]) {
        let name = FileName.decoded(bytes)
        #expect(FileName.bytes(of: name) == bytes)
        #expect(FileName.byteCount(name) == bytes.count)
        #expect(FileName.parsingDisplay(FileName.display(name)) == name)
    }

    @Test("the display form escapes what is not UTF-8 and control characters, nothing else")
    func display() {
        #expect(FileName.display(FileName.decoded(Array("accounts-".utf8) + [0xFF, 0xFE] + Array("-latin.csv".utf8))) == "accounts-\\xFF\\xFE-latin.csv")
        #expect(FileName.display("a\nb\rc\td\u{1}.csv") == "a\\nb\\rc\\td\\x01.csv")
        #expect(FileName.display("Kovács Győr.csv") == "Kovács Győr.csv")
    }

    @Test("a name past 255 bytes is shortened with a hash, keeping its extensions; distinct names stay distinct")
    func fitted() {
        let long = String(repeating: "árvíztűrő", count: 20) + ".csv.error.txt"
        let other = String(repeating: "árvíztűrő", count: 20) + "x.csv.error.txt"
        let fitted = FileName.fitted(long)
        #expect(fitted.utf8.count <= 255)
        #expect(fitted.hasSuffix(".csv.error.txt"))
        #expect(fitted.hasPrefix("árvíztűrő"))
        #expect(fitted != FileName.fitted(other))
        #expect(FileName.fitted(long) == fitted, "the same name is always shortened the same way")
        #expect(FileName.fitted("accounts.csv") == "accounts.csv")
        let bytes = Array(repeating: UInt8(0xE9), count: 300) + Array(".csv".utf8)   // Latin-1 é, not UTF-8
        let latin = FileName.fitted(FileName.decoded(bytes))
        #expect(FileName.byteCount(latin) <= 255 && latin.hasSuffix(".csv"))
    }
}
