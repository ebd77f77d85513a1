import Foundation
import Testing
@testable import Ferry

@Suite("XML records through libxml2")
struct XMLRecordReaderTests {
    static func read(_ xml: String, record: String, columns: [String], chunk: Int = 13) throws -> [[String]] {
        try read(bytes: Array(xml.utf8), record: record, columns: columns, chunk: chunk)
    }

    static func read(bytes: [UInt8], record: String, columns: [String], chunk: Int = 13) throws -> [[String]] {
        let reader = try XMLRecordReader(source: MemorySource(bytes: bytes, chunk: chunk), fileName: "a.xml",
                                         recordPath: record, columns: columns, chunkSize: 64)
        var rows: [[String]] = []
        var row = SourceRecord()
        while try reader.next(into: &row) { rows.append((0..<row.fieldCount).map { row.string(at: $0) ?? "" }) }
        return rows
    }

    @Test("child elements, attributes, nested paths, CDATA and escapes become fields")
    func fields() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <accounts>
          <account id="A1"><name>Kovács &amp; Társa Kft.</name><address><city>Győr</city></address><note><![CDATA[a <b> c]]></note></account>
          <account id="A2"><name>Contoso</name></account>
        </accounts>
        """
        let rows = try Self.read(xml, record: "/accounts/account", columns: ["@id", "name", "address/city", "note"])
        #expect(rows == [["A1", "Kovács & Társa Kft.", "Győr", "a <b> c"], ["A2", "Contoso", "", ""]])
    }

    @Test("namespaces: elements match by local name, with or without prefixes")
    func namespaces() throws {
        let xml = """
        <d:Document xmlns:d="urn:x" xmlns="urn:y"><d:Row><Code>1</Code></d:Row><d:Row><Code>2</Code></d:Row></d:Document>
        """
        #expect(try Self.read(xml, record: "/Document/Row", columns: ["Code"]) == [["1"], ["2"]])
        #expect(try Self.read(xml, record: "d:Row", columns: ["Code"]) == [["1"], ["2"]])
    }

    @Test("an F&O XML-Element entity file reads with the entity element as the record")
    func dataManagementXML() throws {
        let xml = "<Document><CUSTCUSTOMERV3ENTITY><CUSTOMERACCOUNT>US-001</CUSTOMERACCOUNT></CUSTCUSTOMERV3ENTITY></Document>"
        #expect(try Self.read(xml, record: "/Document/CUSTCUSTOMERV3ENTITY", columns: ["CUSTOMERACCOUNT"]) == [["US-001"]])
    }

    @Test("a declared ISO-8859-2 document and UTF-16 documents decode correctly")
    func encodings() throws {
        var latin2 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><r><a><c>Gy".utf8)
        latin2 += [0xF5] + Array("r</c></a></r>".utf8)
        #expect(try Self.read(bytes: latin2, record: "a", columns: ["c"]) == [["Győr"]])
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r><a><c>Łódź</c></a></r>"
        let utf16le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try Self.read(bytes: utf16le, record: "a", columns: ["c"]) == [["Łódź"]])
    }

    @Test("malformed XML fails with line, column and Ferry's own words", arguments: [
        ("<r>\n<a><c>1</c></a>\n<a><c>2</c>", "truncated"), ("<r><a><c>1</c></a><a>", "root element <r> is closed"),
        ("<r>\n<a><c>1</d></a></r>", "end tag does not match"),
        ("<r>\n<a><c>AT&T</c></a></r>", "&amp;"),
        ("<r><a><c>1</c></a></r><r/>", "after the end of the root"),
    ])
    func malformed(xml: String, message: String) throws {
        let error = #expect(throws: InputError.self) { _ = try Self.read(xml, record: "a", columns: ["c"]) }
        #expect(error?.kind == .malformed)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.location.line != nil)
        #expect(error?.message.contains("column") == true || message.contains("truncated") || message.contains("<r>"))
    }

    @Test("entity-expansion bombs from libxml2's own suite are refused", arguments: ["lol1.xml", "lol2.xml", "lol4.xml", "lol5.xml", "lol6.xml"])
    func bombs(file: String) throws {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("xml/\(file)"))))
        let error = #expect(throws: InputError.self) { _ = try Self.read(bytes: bytes, record: "billion", columns: ["x"], chunk: 4096) }
        #expect(error?.message.contains("declares entities") == true, "\(String(describing: error))")
    }

    @Test("an external entity is refused and the file it names is never read")
    func externalEntity() throws {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/hostname\">]>\n<r><a><c>&e;</c></a></r>"
        let error = #expect(throws: InputError.self) { _ = try Self.read(xml, record: "a", columns: ["c"]) }
        #expect(error?.message.contains("declares entities") == true)
        #expect(error?.hint?.contains("without a DOCTYPE") == true, "a refusal is not a well-formedness fault: \(error?.hint ?? "")")
    }

    @Test("an external DTD is not loaded; the data stays the document's own")
    func externalDTD() throws {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"file:///etc/passwd\">\n<r><a><c>1</c></a></r>"
        #expect(try Self.read(xml, record: "a", columns: ["c"]) == [["1"]])
    }

    @Test("elements nested too deep are refused")
    func depth() throws {
        let xml = String(repeating: "<e>", count: 300) + String(repeating: "</e>", count: 300)
        let error = #expect(throws: InputError.self) { _ = try Self.read(xml, record: "a", columns: ["c"], chunk: 1000) }
        #expect(error?.message.contains("nested more than") == true)
    }

    @Test("a UTF-8 byte order mark in front of another declared encoding is refused")
    func bomConflict() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><r><a><c>x</c></a></r>".utf8)
        let error = #expect(throws: InputError.self) { _ = try Self.read(bytes: bytes, record: "a", columns: ["c"]) }
        #expect(error?.kind == .encoding)
    }

    @Test("no element at the record path is an error, not an empty success")
    func wrongPath() throws {
        let error = #expect(throws: InputError.self) { _ = try Self.read("<r><a/></r>", record: "/r/b", columns: ["c"]) }
        #expect(error?.message.contains("no element matches the record path /r/b") == true)
    }

    @Test("an element name over libxml2's limit is said in words, not as an error number")
    func nameTooLong() throws {
        let xml = "<r><" + String(repeating: "n", count: 60_000) + "/></r>"
        let error = #expect(throws: InputError.self) { _ = try Self.read(xml, record: "a", columns: ["c"], chunk: 4096) }
        #expect(error?.message.contains("longer than 50,000 characters") == true, "\(String(describing: error))")
        #expect(error?.message.contains("libxml2 error") == false)
    }

    @Test("a record's text is refused while it arrives, once past the record limit", arguments: ["text", "attribute"])
    func recordLimit(place: String) throws {
        let value = String(repeating: "x", count: 300_000)
        let xml = place == "text" ? "<r><a><c>\(value)</c></a></r>" : "<r><a c=\"\(value)\"/></r>"
        let reader = try XMLRecordReader(source: MemorySource(xml, chunk: 4096), fileName: "a.xml", recordPath: "a",
                                         columns: [place == "text" ? "c" : "@c"], chunkSize: 4096, maxRecordBytes: 100_000)
        var record = SourceRecord()
        let error = #expect(throws: InputError.self) { while try reader.next(into: &record) {} }
        #expect(error?.kind == .limit)
        #expect(error?.message.contains("the record starting at line 1 is larger than") == true, "\(String(describing: error))")
    }
}
