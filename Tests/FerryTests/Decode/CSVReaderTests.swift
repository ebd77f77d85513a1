import Foundation
import Testing
@testable import Ferry

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("quoted fields keep delimiters, doubled quotes and line breaks", arguments: [1, 3, 7, 64, 4096])
    func quotedFields(chunk: Int) throws {
        let text = "id,name,note\r\n1,\"Fabrikam, Inc.\",\"Said \"\"hi\"\"\r\nthen left\"\r\n2,Árvíztűrő Kft.,\r\n"
        let (columns, rows) = try readCSV(text, chunk: chunk)
        #expect(columns == ["id", "name", "note"])
        #expect(rows == [["1", "Fabrikam, Inc.", "Said \"hi\"\r\nthen left"], ["2", "Árvíztűrő Kft.", ""]])
    }

    @Test("LF, CRLF and lone CR all end records; line numbers follow physical lines")
    func lineEndings() throws {
        let reader = try CSVReader(source: MemorySource("a,b\n1,2\r\n3,4\r5,6\n\"x\ny\",7\n8,9"), fileName: "t.csv",
                                   delimiter: nil, bufferSize: 16)
        var record = SourceRecord()
        var seen: [(String, Int)] = []
        while try reader.next(into: &record) { seen.append((record.string(at: 0) ?? "", record.line)) }
        #expect(seen.map(\.0) == ["1", "3", "5", "x\ny", "8"])
        #expect(seen.map(\.1) == [2, 3, 4, 5, 7])
    }

    @Test("a UTF-8 byte order mark is not part of the first column name")
    func byteOrderMark() throws {
        let (columns, rows) = try readCSV(bytes: [0xEF, 0xBB, 0xBF] + Array("name,city\nA,B\n".utf8), chunk: 1)
        #expect(columns == ["name", "city"])
        #expect(rows == [["A", "B"]])
    }

    @Test("blank lines are skipped, a missing final newline is fine")
    func blankLines() throws {
        let (_, rows) = try readCSV("a,b\n\n1,2\n\r\n\n3,4")
        #expect(rows == [["1", "2"], ["3", "4"]])
    }

    @Test("the delimiter is sniffed from the header line", arguments: [(";", UInt8(ascii: ";")), ("\t", UInt8(ascii: "\t")), ("|", UInt8(ascii: "|"))])
    func sniffing(separator: String, byte: UInt8) throws {
        let text = ["name", "\"a,b\"", "city"].joined(separator: separator) + "\n" + ["x", "y,z", "w"].joined(separator: separator) + "\n"
        let reader = try CSVReader(source: MemorySource(text), fileName: "t.csv", delimiter: nil)
        #expect(reader.delimiter == byte)
        #expect(reader.columns == ["name", "a,b", "city"])
    }

    @Test("an unclosed quote fails with the line where it opened")
    func unclosedQuote() throws {
        let error = #expect(throws: InputError.self) {
            _ = try readCSV("a,b\n1,2\n3,\"never closed\n4,5\n")
        }
        #expect(error?.kind == .malformed)
        #expect(error?.location.line == 3)
        #expect(error?.message.contains("line 3, column 3") == true)
    }

    @Test("a quote inside an unquoted field fails with line and column")
    func bareQuote() throws {
        let error = #expect(throws: InputError.self) { _ = try readCSV("a,b\n1,ab\"c\n") }
        #expect(error?.location.line == 2)
        #expect(error?.message.contains("column 5") == true)
    }

    @Test("text after a closing quote fails")
    func textAfterQuote() throws {
        let error = #expect(throws: InputError.self) { _ = try readCSV("a,b\n1,\"x\"y\n") }
        #expect(error?.kind == .malformed)
        #expect(error?.location.line == 2)
    }

    @Test("bytes that are not UTF-8 fail with the line and column name")
    func invalidUTF8() throws {
        // "Győr" in windows-1250 (0xF5 for ő)
        let bytes = Array("name,city\nA,Gy".utf8) + [0xF5] + Array("r\n".utf8)
        let error = #expect(throws: InputError.self) { _ = try readCSV(bytes: bytes) }
        #expect(error?.kind == .encoding)
        #expect(error?.location.line == 2)
        #expect(error?.location.field == "city")
        #expect(error?.hint?.contains("encoding") == true)
    }

    @Test("an empty file has no header")
    func emptyFile() throws {
        let error = #expect(throws: InputError.self) { _ = try readCSV("") }
        #expect(error?.kind == .schema)
    }

    @Test("a duplicated column name is refused")
    func duplicateColumn() throws {
        let error = #expect(throws: InputError.self) { _ = try readCSV("id,name,id\n1,2,3\n") }
        #expect(error?.message.contains("columns 1 and 3") == true)
    }

    @Test("a record past the size limit fails instead of eating memory")
    func recordLimit() throws {
        var limits = CSVReader.Limits()
        limits.maxRecordBytes = 1000
        let text = "a,b\n1,\"" + String(repeating: "x", count: 5000) + "\"\n"
        let reader = try CSVReader(source: MemorySource(text, chunk: 100), fileName: "t.csv", delimiter: nil, limits: limits)
        var record = SourceRecord()
        let error = #expect(throws: InputError.self) { _ = try reader.next(into: &record) }
        #expect(error?.kind == .limit)
    }

    /// A header, then one line of `size` bytes: `x` with a comma every `fieldSize` bytes, after an opening
    /// quote when `quoted`; generated as it is read.
    final class LongLineSource: ByteSource {
        private let head: [UInt8]
        private let size: Int
        private let fieldSize: Int
        private(set) var bytesConsumed: Int64 = 0

        init(size: Int, fieldSize: Int, quoted: Bool) {
            head = Array("a\n\(quoted ? "\"" : "")".utf8)
            self.size = size
            self.fieldSize = fieldSize
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            var count = 0
            while count < buffer.count && Int(bytesConsumed) < head.count + size {
                let offset = Int(bytesConsumed)
                let inLine = offset - head.count
                buffer[count] = offset < head.count ? head[offset] : (inLine % fieldSize == fieldSize - 1 ? UInt8(ascii: ",") : UInt8(ascii: "x"))
                count += 1
                bytesConsumed += 1
            }
            return count
        }
    }

    @Test("a long line is refused while it is scanned: the record never holds much more than the limit", arguments: [
        (Int.max, false),   // one field, no delimiter at all
        (3 << 20, false),   // delimiters, but further apart than the limit
        (Int.max, true),    // an unclosed quote
    ])
    func longLineBounded(fieldSize: Int, quoted: Bool) throws {
        var limits = CSVReader.Limits()
        limits.maxRecordBytes = 1 << 20
        let reader = try CSVReader(source: LongLineSource(size: 40 << 20, fieldSize: fieldSize, quoted: quoted), fileName: "t.csv",
                                   delimiter: UInt8(ascii: ","), limits: limits)
        var record = SourceRecord()
        let error = #expect(throws: InputError.self) { _ = try reader.next(into: &record) }
        #expect(error?.kind == .limit)
        #expect(error?.location.line == 2)
        #expect(record.storage.capacity <= 2 << 20, "the record grew to \(record.storage.capacity) bytes")
    }

    @Test("csv-spectrum conformance", arguments: [
        "comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines", "newlines_crlf",
        "quotes_and_newlines", "simple", "simple_crlf", "utf8",
    ])
    func spectrum(name: String) throws {
        let csv = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("csv-spectrum/\(name).csv")))
        let json = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("csv-spectrum/\(name).json")))
        let expected = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: String]])
        let (columns, rows) = try readCSV(bytes: Array(csv), chunk: 5, delimiter: UInt8(ascii: ","))
        let actual = rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
        #expect(actual == expected)
    }
}
