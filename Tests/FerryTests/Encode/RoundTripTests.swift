import Foundation
import Testing
@testable import Ferry

/// What Ferry writes, Ferry reads back the same: every writer against its reader.
@Suite("writer/reader round trips")
struct RoundTripTests {
    static let fields = ["CODE", "NAME", "NOTE"]
    static let rows = [
        ["A1", "Árvíztűrő Tükörfúró Kft.", "semi;colon, comma"],
        ["A2", "Fabrikam \"Global\" & Co <Ltd>", "line one\r\nline two"],
        ["A3", "", "Győr – Łódź &#38; not an escape"],
    ]

    static func write(_ format: OutputFormat, rows: [[String]] = rows) throws -> [UInt8] {
        let scratch = try TemporaryWorkspace()
        let writer = try DataFileWriter(format: format, fields: fields, stagingFolder: scratch.workspace.staging)
        for row in rows { try writer.write(row: row) }
        let path = try writer.finish().commit(into: scratch.workspace.outbox, name: "out")
        return try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func readBack(_ bytes: [UInt8], options: SourceOptions) throws -> [[String]] {
        let decoder = try DecoderStack(fileName: "out", options: options, columns: fields, limits: DecompressionLimits())
            .open(MemorySource(bytes: bytes, chunk: 4096))
        #expect(decoder.columns == fields)
        var rows: [[String]] = []
        var record = SourceRecord()
        while try decoder.next(into: &record) { rows.append((0..<record.fieldCount).map { record.string(at: $0) ?? "" }) }
        return rows
    }

    @Test("CSV in every layout", arguments: [
        (TextEncoding.utf8, UInt8(ascii: ","), true, CSVLayout.LineEnding.crlf),
        (.utf8, UInt8(ascii: ";"), false, .lf),
        (.utf16LittleEndian, UInt8(ascii: "\t"), true, .crlf),
        (.utf16BigEndian, UInt8(ascii: "|"), true, .lf),
    ])
    func csv(encoding: TextEncoding, delimiter: UInt8, bom: Bool, ending: CSVLayout.LineEnding) throws {
        var layout = CSVLayout()
        (layout.encoding, layout.delimiter, layout.byteOrderMark, layout.lineEnding) = (encoding, delimiter, bom, ending)
        for gzip in [false, true] {
            let bytes = try Self.write(OutputFormat(layout: .csv(layout), gzip: gzip))
            #expect(try Self.readBack(bytes, options: SourceOptions()) == Self.rows)
        }
    }

    @Test("CSV in windows-1250: written and read back; a character it lacks rejects the row")
    func codePage() throws {
        var layout = CSVLayout()
        layout.encoding = .windows1250
        layout.byteOrderMark = false
        let rows = [["A1", "Árvíztűrő", "Győr"]]
        let bytes = try Self.write(OutputFormat(layout: .csv(layout)), rows: rows)
        #expect(bytes.contains(0xF5), "ő is 0xF5 in windows-1250")
        var options = SourceOptions()
        options.encoding = .windows1250
        #expect(try Self.readBack(bytes, options: options) == rows)
        let scratch = try TemporaryWorkspace()
        let writer = try DataFileWriter(format: OutputFormat(layout: .csv(layout)), fields: Self.fields, stagingFolder: scratch.workspace.staging)
        #expect(throws: UnencodableValue.self) { try writer.write(row: ["A", "日本", ""]) }
    }

    @Test("XML elements and attributes, plain and gzip", arguments: [false, true])
    func xml(attributes: Bool) throws {
        var layout = XMLLayout(root: "accounts", record: "account", fieldsAsAttributes: attributes)
        layout.encoding = .utf8
        for gzip in [false, true] {
            let bytes = try Self.write(OutputFormat(layout: .xml(layout), gzip: gzip))
            var options = SourceOptions()
            options.recordPath = "/accounts/account"
            let columns = attributes ? Self.fields.map { "@" + $0 } : Self.fields
            let decoder = try DecoderStack(fileName: "out", options: options, columns: columns, limits: DecompressionLimits())
                .open(MemorySource(bytes: bytes, chunk: 4096))
            var rows: [[String]] = []
            var record = SourceRecord()
            while try decoder.next(into: &record) { rows.append((0..<record.fieldCount).map { record.string(at: $0) ?? "" }) }
            // libxml2 writes CR as &#13; (and line breaks in attributes as references), so nothing is normalised away.
            #expect(rows == Self.rows)
        }
    }

    @Test("XML output in ISO-8859-2 declares it and escapes what it cannot hold")
    func xmlEncoding() throws {
        var layout = XMLLayout(root: "r", record: "a")
        layout.encoding = .iso8859_2
        let bytes = try Self.write(OutputFormat(layout: .xml(layout)), rows: [["1", "Győr 日", "x"]])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?>"))
        #expect(bytes.contains(0xF5))
        #expect(text.contains("&#26085;"))
    }

    @Test("the same input and template give the same bytes")
    func deterministic() throws {
        let format = OutputFormat(layout: .csv(CSVLayout()), gzip: true)
        #expect(try Self.write(format) == (try Self.write(format)))
    }
}
