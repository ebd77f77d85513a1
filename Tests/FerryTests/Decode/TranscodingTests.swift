import Testing
@testable import Ferry

@Suite("text encodings")
struct TranscodingTests {
    static func decode(_ bytes: [UInt8], declared: TextEncoding, replace: Bool = false) throws -> String {
        let source = TranscodingByteSource(MemorySource(bytes: bytes, chunk: 3), declared: declared, fileName: "t.csv",
                                           replaceInvalid: replace, bufferSize: 16)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 9)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            output += buffer[0..<count]
        }
        return String(decoding: output, as: UTF8.self)
    }

    static let text = "név;város\nÁrvíztűrő;Győr\nŁukasz;Zürich €\n"

    @Test("UTF-16 with a byte order mark, either byte order")
    func utf16() throws {
        let le: [UInt8] = [0xFF, 0xFE] + Self.text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + Self.text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try Self.decode(le, declared: .utf8) == Self.text)
        #expect(try Self.decode(be, declared: .windows1250) == Self.text, "the byte order mark wins")
        let emoji = "🙂x"
        let pairs: [UInt8] = [0xFF, 0xFE] + emoji.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try Self.decode(pairs, declared: .utf8) == emoji)
    }

    @Test("legacy code pages", arguments: [
        (TextEncoding.windows1250, [0xC1, 0x72, 0x76, 0xED, 0x7A, 0x74, 0xFB, 0x72, 0xF5, 0x20, 0x8A, 0x80] as [UInt8], "Árvíztűrő Š€"),
        (.iso8859_2, [0xC1, 0x72, 0x76, 0xED, 0x7A, 0x74, 0xFB, 0x72, 0xF5, 0x20, 0xA3], "Árvíztűrő Ł"),
        (.windows1252, [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x20, 0x80, 0x20, 0xE9], "Müller € é"),
        (.iso8859_1, [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72], "Müller"),
    ])
    func codePages(encoding: TextEncoding, bytes: [UInt8], expected: String) throws {
        #expect(try Self.decode(bytes, declared: encoding) == expected)
    }

    @Test("a byte the code page does not define fails with its line, or becomes U+FFFD on request")
    func invalidByte() throws {
        let bytes = Array("a\nb\n".utf8) + [0x81] + Array("c\n".utf8)
        let error = #expect(throws: InputError.self) { _ = try Self.decode(bytes, declared: .windows1252) }
        #expect(error?.kind == .encoding)
        #expect(error?.location.line == 3)
        #expect(error?.message.contains("0x81") == true)
        #expect(try Self.decode(bytes, declared: .windows1252, replace: true) == "a\nb\n\u{FFFD}c\n")
    }

    @Test("broken UTF-16 fails: a lone surrogate, an odd last byte")
    func brokenUTF16() throws {
        let lone: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xDC, 0x42, 0x00]
        #expect(throws: InputError.self) { _ = try Self.decode(lone, declared: .utf8) }
        let odd: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x42]
        #expect(throws: InputError.self) { _ = try Self.decode(odd, declared: .utf8) }
    }

    @Test("names of encodings as people write them")
    func names() {
        #expect(TextEncoding(name: "CP1250") == .windows1250)
        #expect(TextEncoding(name: "latin2") == .iso8859_2)
        #expect(TextEncoding(name: "UTF-16") == .utf16LittleEndian)
        #expect(TextEncoding(name: "ebcdic") == nil)
    }
}

@Suite("text encodings with tiny reads")
struct TranscodingSmallBufferTests {
    @Test("a caller's buffer smaller than one character still gets every byte")
    func tinyBuffer() throws {
        let text = "Győr – Łódź 🙂"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let source = TranscodingByteSource(MemorySource(bytes: bytes, chunk: 3), declared: .utf8, fileName: "t.csv")
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 3)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            output += buffer[0..<count]
        }
        #expect(String(decoding: output, as: UTF8.self) == text)
    }
}
