import Foundation
import Testing
@testable import Ferry

/// What the XML reader makes of many documents, held against results recorded from the reader before its
/// callbacks worked on bytes (Fixtures/xml/records-expected.txt): generated documents that mix every shape the
/// reader handles, and libxml2's own conformance inputs. Each is read in 7-byte pieces through 64-byte chunks and
/// in one piece, so text, names and tags split at every kind of boundary.
@Suite("XML records against recorded results")
struct XMLRecordGoldenTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var record: String
        var columns: [String]
        var optional: Set<String>
        var document: @Sendable () throws -> [UInt8]
        var description: String { name }
    }

    static let expected: [String: String] = {
        let text = (try? String(contentsOfFile: Fixtures.path("xml/records-expected.txt"), encoding: .utf8)) ?? ""
        var blocks: [String: String] = [:]
        for block in text.components(separatedBy: "\n== ").dropFirst() {
            guard let newline = block.firstIndex(of: "\n") else { continue }
            blocks[String(block[..<newline])] = String(block[block.index(after: newline)...])
        }
        return blocks
    }()

    static let cases: [Case] = generatedCases + corpusCases

    @Test("the recorded results are there")
    func recorded() {
        #expect(Self.expected.count == Self.cases.count * 2)
    }

    @Test("a document reads as it did", arguments: cases)
    func document(_ test: Case) throws {
        let bytes = try test.document()
        for (label, piece, chunk) in [("pieces", 7, 64), ("whole", 1 << 20, 1 << 16)] {
            let actual = Self.outcome(of: bytes, test, piece: piece, chunk: chunk)
            let key = "\(test.name) \(label)"
            #expect(actual == Self.expected[key], "\(key):\n\(actual)")
        }
    }

    /// Rows, or the error, and the names the records had, as text.
    static func outcome(of bytes: [UInt8], _ test: Case, piece: Int, chunk: Int) -> String {
        var lines: [String] = []
        do {
            let reader = try XMLRecordReader(source: MemorySource(bytes: bytes, chunk: piece), fileName: "t.xml", recordPath: test.record,
                                             columns: test.columns, optionalColumns: test.optional, chunkSize: chunk, maxRecordBytes: 1 << 16)
            var record = SourceRecord()
            do {
                while try reader.next(into: &record) {
                    let fields = (0..<record.fieldCount).map { escape(record.string(at: $0) ?? "") }
                    lines.append("row \(record.number) line \(record.line): " + fields.joined(separator: "|"))
                }
            } catch let error as InputError {
                lines.append(describe(error))
            }
            lines.append("names: " + reader.namesInSample.map(escape).joined(separator: ", "))
            lines.append("never seen: " + reader.columnsNeverSeen.joined(separator: ", "))
        } catch let error as InputError {
            lines.append(describe(error))
        } catch {
            lines.append("other error: \(error)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ error: InputError) -> String {
        let place = "line \(error.location.line.map(String.init) ?? "-") record \(error.location.record.map(String.init) ?? "-")"
        return "error \(error.kind.rawValue) \(place): \(escape(error.message))"
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "|": result += "\\|"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    // MARK: Generated documents

    /// Record specs the generated documents are read with.
    static let specs: [(record: String, columns: [String])] = [
        ("/root/rec", ["a", "b", "addr/city", "@id", "addr/@kind", "c", "@code", "d", "rec/a", "e/f/g"]),
        ("rec", ["b", "a", "@id", "addr/city", "x"]),
        ("p:rec", ["a", "a", "addr", "@p:code", "@code", "group"]),
        ("/root/group/rec", ["a", "c", "addr/city", "note"]),
    ]

    static let generatedCases: [Case] = (0..<24).flatMap { seed in
        specs.indices.map { spec in
            let (record, columns) = specs[spec]
            // Every column may be absent except in a quarter of the cases, so the end-of-document check is covered too.
            let optional: Set<String> = seed % 4 == 3 ? [] : Set(columns)
            return Case(name: "generated \(seed) spec \(spec)", record: record, columns: columns, optional: optional,
                        document: { Array(GeneratedDocument(seed: UInt64(seed)).text.utf8) })
        }
    }

    /// A deterministic document of records with child elements, nested elements, attributes, mixed content,
    /// repeated and empty elements, CDATA, entities, namespaces and multi-byte text, some of it broken on purpose.
    struct GeneratedDocument {
        var state: UInt64
        var text = ""

        init(seed: UInt64) {
            state = seed &+ 0x9E37_79B9_7F4A_7C15
            build(seed: seed)
        }

        mutating func next(_ bound: Int) -> Int {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }

        mutating func pick(_ choices: [String]) -> String { choices[next(choices.count)] }

        mutating func value() -> String {
            var parts: [String] = []
            for _ in 0..<next(4) {
                parts.append(pick(["Győr", "Kovács &amp; Társa", "a &lt; b &gt; c", "&#233;t&#xE9;", "<![CDATA[x <y> & z]]>", "  spaced  ",
                                   "line\none", "tab\there", "\"quoted\" 'single'", "12.50", "ÅÄÖ", "日本語", "😀", "", "&quot;&apos;"]))
            }
            return parts.joined()
        }

        mutating func attributes() -> String {
            var result = ""
            if next(3) == 0 { result += " id=\"\(pick(["A1", "x&amp;y", "&#38;", "  ", "é"]))\"" }
            if next(4) == 0 { result += " p:code=\"\(pick(["C", "D&lt;"]))\"" }
            if next(5) == 0 { result += " code=\"plain\"" }
            if next(6) == 0 { result += " kind='\(pick(["home", "work"]))'" }
            return result
        }

        mutating func element(_ name: String, depth: Int) -> String {
            let attributes = attributes()
            switch next(9) {
            case 0: return "<\(name)\(attributes)/>"
            case 1 where depth < 4:
                let child = pick(["city", "f", "a", "g"])
                return "<\(name)\(attributes)>\(value())<\(child)>\(value())</\(child)>\(value())</\(name)>"
            case 2 where depth < 4:
                let child = pick(["city", "f", "a", "rec"])
                return "<\(name)\(attributes)>" + element(child, depth: depth + 1) + "</\(name)>"
            default: return "<\(name)\(attributes)>\(value())</\(name)>"
            }
        }

        mutating func record() -> String {
            let name = pick(["rec", "rec", "rec", "p:rec"])
            var body = ""
            for _ in 0..<next(7) {
                body += pick(["", "\n    ", " "]) + element(pick(["a", "b", "c", "d", "addr", "e", "note", "p:d", "x", "rec", "group"]), depth: 1)
            }
            return "<\(name)\(attributes())>\(body)</\(name)>"
        }

        mutating func build(seed: UInt64) {
            if next(2) == 0 { text += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" }
            if next(5) == 0 { text += "<!-- export -->\n" }
            text += "<root xmlns:p=\"urn:p\">\n"
            for _ in 0..<(1 + next(12)) {
                switch next(6) {
                case 0: text += "  <group>" + record() + record() + "</group>\n"
                case 1: text += "  <other><a>not a record</a></other>\n"
                case 2: text += "  <?pi data?>" + record() + "\n"
                default: text += "  " + record() + "\n"
                }
            }
            text += "</root>\n"
            switch seed % 8 {
            case 5:  // cut short inside a record
                text = String(text.prefix(text.count * 2 / 3))
            case 6:  // an end tag that does not match
                if let range = text.range(of: "</rec>", options: .backwards) { text.replaceSubrange(range, with: "</rex>") }
            default: break
            }
        }
    }

    // MARK: libxml2's conformance inputs

    /// Files of libxml2's regression suite (Fixtures/xml/libxml2) with a record path that finds records in them.
    static let corpus: [(file: String, record: String, columns: [String])] = [
        ("test/ent1", "EXAMPLE", ["head", "@prop1"]),
        ("test/ent2", "EXAMPLE", ["IMG", "IMG/@src"]),
        ("test/ent3", "EXAMPLE", ["@prop1"]),
        ("test/ent4", "EXAMPLE", ["@prop1"]),
        ("test/ent5", "EXAMPLE", ["@prop1"]),
        ("test/ent6", "doc", ["@a"]),
        ("test/ent7", "item", ["@a"]),
        ("test/ent8", "doc", ["Content", "Content/@a", "@a"]),
        ("test/ent9", "ent", ["@a", "s"]),
        ("test/ent10", "doc", ["@a"]),
        ("test/ent11", "mylink", ["@xlink:href", "@href"]),
        ("test/ent12", "root", ["@a"]),
        ("test/ent13", "test", ["@a"]),
        ("test/bigname.xml", "docs", ["@a"]),
        ("test/bigentname.xml", "foo", ["@a"]),
        ("test/badcomment.xml", "item", ["title", "link", "description"]),
        ("test/cdata-2-byte-UTF-8.xml", "doc", ["p"]),
        ("test/cdata-3-byte-UTF-8.xml", "doc", ["p"]),
        ("test/cdata-4-byte-UTF-8.xml", "doc", ["p"]),
        ("test/ebcdic_566012.xml", "X", ["@a"]),
        ("test/isolat1", "très", ["@a"]),
        ("test/isolat2", "tst", ["@a"]),
        ("test/isolat3", "doc", ["@a", "tst"]),
        ("test/japancrlf.xml", "入力メッセージ", ["Ele", "Ele/@a"]),
        ("test/slashdot16.xml", "story", ["title", "url", "time", "author", "department", "topic", "comments", "section", "image"]),
        ("test/text-4-byte-UTF-16-BE.xml", "doc", ["p"]),
        ("test/text-4-byte-UTF-16-LE.xml", "doc", ["p"]),
        ("test/text-4-byte-UTF-16-BE-offset.xml", "doc", ["p"]),
        ("test/text-4-byte-UTF-16-LE-offset.xml", "doc", ["p"]),
        ("test/utf16bebom.xml", "repository", ["@name"]),
        ("test/utf16bom.xml", "repository", ["@name"]),
        ("test/utf16lebom.xml", "repository", ["@name"]),
        ("test/utf8bom.xml", "repository", ["@name"]),
        ("test/winblanks.xml", "repository", ["@name"]),
        ("test/recurse/good.xml", "billion", ["@a"]),
        ("test/recurse/goodattr.xml", "billion", ["@a"]),
    ] + errorFiles.map { ($0, "doc", ["a", "@a"]) }

    static let errorFiles = [
        "754946.xml", "754947.xml", "758588.xml", "759020.xml", "759398.xml", "759573-2.xml", "759573.xml", "759579.xml",
        "attr1.xml", "attr2.xml", "attr3.xml", "attr4.xml", "cdata.xml", "charref1.xml", "comment1.xml", "content1.xml",
        "extparsedent.xml", "issue151.xml", "name.xml", "name2.xml", "rec_ext_ent.xml",
    ].map { "test/errors/\($0)" } + ["test/errors10/781205.xml", "test/errors10/781361.xml"]

    static let corpusCases: [Case] = corpus.map { entry in
        Case(name: "libxml2 \(entry.file)", record: entry.record, columns: entry.columns, optional: Set(entry.columns),
             document: { try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("xml/libxml2/\(entry.file)")))) })
    }
}
