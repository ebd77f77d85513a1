import Synchronization
import Testing
@testable import Ferry

/// Steps compiled to byte-level work give what their text form gives.
@Suite("Compiled steps")
struct CompiledStepsTests {
    static let patterns: [(pattern: String, replacement: String, compiles: Bool)] = [
        ("[^0-9+]", "", true), ("[0-9]", "#", true), ("[a-z]+", "_", true), ("[ .,;]+", " ", true), ("[^A-Za-z0-9 ]", "", true),
        ("[\\-\\]]", "", true), ("[^a-c]+", "<>", true), ("[x]", "yy", true),
        ("[a-z&&b]", "", false), ("[\\w]", "", false), ("[0-9]", "$0", false), ("[0-9]*", "", false),
        ("\\d+", "", false), ("[-a]", "", false), ("[^0-9+]x", "", false),
    ]
    static let inputs = ["+36 (1) 245-8591", "", "abc", "ABC-123]x", "a\r\nb", "a\nb", "Tükörfúró 12", "--]]--", "  spaced  out  ", "x"]

    @Test("a regex of one ASCII class replaces on bytes exactly as Regex does")
    func asciiClassMatchesRegex() throws {
        for (pattern, replacement, compiles) in Self.patterns {
            let regex = try RegexReplacement(pattern: pattern, replacement: replacement)
            #expect((regex.asciiClass != nil) == compiles, "\(pattern)")
            for input in Self.inputs {
                guard case .value(let bytes) = FieldStepTests.apply(.regex(regex), to: input) else {
                    Issue.record("regex \(pattern) rejected \(input)")
                    continue
                }
                #expect(bytes == regex.apply(to: input), "regex \"\(pattern)\" \"\(replacement)\" on \(input.debugDescription)")
            }
        }
    }

    /// Counts the questions that reach it.
    final class CountingResolver: KeyResolver, Sendable {
        let asked = Mutex(0)
        func resolve(_ value: String, in reference: String) -> KeyResolution {
            asked.withLock { $0 += 1 }
            return value == "HUF" ? .found("HUF") : .missing
        }
    }

    @Test("a reference lookup asks the ledger once per value while an input is transformed, within a bound")
    func memoizedResolver() {
        let counting = CountingResolver()
        let memo = MemoizedResolver(counting, capacity: 2)
        for _ in 0..<1_000 {
            #expect(memo.resolve("HUF", in: "currencies") == .found("HUF"))
            #expect(memo.resolve("XXX", in: "currencies") == .missing)
        }
        #expect(counting.asked.withLock { $0 } == 2)
        #expect(memo.resolve("HUF", in: "other") == .found("HUF"))
        #expect(memo.resolve("HUF", in: "currencies") == .found("HUF"))
        #expect(counting.asked.withLock { $0 } == 4, "the full memo starts afresh")
    }

    @Test("a row transformer asks its resolver once per distinct value")
    func transformerMemoizes() throws {
        let template = try Fixtures.template("""
        takes: a.csv
        target: {system: sales, entity: account}
        fields:
          CURRENCY: c | lookup currencies
        lookups:
          currencies: {reference: currencies}
        """)
        let counting = CountingResolver()
        let transformer = try RowTransformer(template: template, columns: ["c"], fileName: "a.csv", resolver: counting)
        var row: [String] = []
        for number in 1...500 {
            #expect(transformer.transform(SourceRecord(fields: ["HUF"], line: number + 1, number: number), into: &row) == .rows)
            #expect(row == ["HUF"])
        }
        #expect(counting.asked.withLock { $0 } == 1)
    }

    /// Every scalar below U+0300 (where the byte path decides alone), some beyond it, and CR LF.
    static let latinSamples: [String] = {
        let scalars = (0x20..<0x300).compactMap(Unicode.Scalar.init).map(String.init)
        var samples = stride(from: 0, to: scalars.count, by: 7).map { scalars[$0..<min(scalars.count, $0 + 7)].joined() }
        samples += scalars
        samples += ["árvíztűrő TÜKÖRFÚRÓ kft.", "ŁÓDŹ  kraków", "straße", "İstanbul ıi", "ŉ ſ ÿ µ", "Ǆemal ǅ ǆ", "a\r\nb c", "e\u{301}cole", "Ελλάδα", "x  y", ""]
        return samples
    }()

    @Test("case, length and cut steps on Latin text give what String gives", arguments: [
        FieldStep.upper, .lower, .title, .truncate(3), .truncate(1), .maxLength(4), .substring(start: 2, length: 3), .substring(start: 3, length: nil),
    ])
    func latinText(step: FieldStep) {
        for sample in Self.latinSamples {
            let text = step.apply(to: sample)
            let bytes = FieldStepTests.apply(step, to: sample)
            switch (text, bytes) {
            case (.value(let expected), .value(let value)):
                #expect(value == expected, "\(step) on \(sample.debugDescription)")
            case (.reject(let expected), .reject(let reason)):
                #expect(reason == "F \(expected)", "\(step) on \(sample.debugDescription)")
            default:
                Issue.record("\(step) on \(sample.debugDescription): \(text) by text, \(bytes) by bytes")
            }
        }
    }

    @Test("Latin text is cased on bytes, not through String")
    func latinOnBytes() {
        var bytes = Array("árvíztűrő tükörfúró ŁÓDŹ".utf8)
        #expect(LatinText.map(.upper, &bytes, from: 0))
        #expect(String(decoding: bytes, as: UTF8.self) == "ÁRVÍZTŰRŐ TÜKÖRFÚRÓ ŁÓDŹ")
        #expect(LatinText.title(&bytes, from: 0))
        #expect(String(decoding: bytes, as: UTF8.self) == "Árvíztűrő Tükörfúró Łódź")
        var greek = Array("Ελλάδα".utf8)
        #expect(!LatinText.map(.lower, &greek, from: 0))
        #expect(String(decoding: greek, as: UTF8.self) == "Ελλάδα")
    }

    static let learnedValues = [
        "ACC-00001-M91EW7", "  ACC-1  ", "\t{5F1C0E2A-1B2C-4D3E-8F90-ABCDEF012345}\n", "{5f1c0e2a-1b2c-4d3e-8f90-abcdef012345}",
        "5F1C0E2A-1B2C-4D3E-8F90-ABCDEF012345", "5F1C0E2A-1B2C-4D3E-8F90-ABCDEF01234G", "{not a guid but 38 bytes long.......}",
        "Varga Tükörfúró Zrt.", "\u{A0}Nowak\u{A0}", " Łódź ", "{\u{301}5f1c0e2a-1b2c-4d3e-8f90-abcdef01234}", "", "   ", "Ünal",
    ]

    @Test("learned values are normalized on bytes as on text")
    func normalizedBytes() {
        for value in Self.learnedValues {
            var bytes: [UInt8] = []
            let decided = Array(value.utf8).withUnsafeBytes { LearnedKeyBatch.appendNormalized($0, to: &bytes) }
            if decided {
                #expect(String(decoding: bytes, as: UTF8.self) == LearnedKeyBatch.normalized(value), "\(value.debugDescription)")
            } else {
                #expect(value.unicodeScalars.contains { $0.value >= 0x80 }, "\(value.debugDescription) left to String")
            }
        }
    }

    @Test("keys learned from a record's bytes resolve as keys learned from its texts")
    func learnedFromBytes() throws {
        let scratch = try TemporaryWorkspace()
        let fromBytes = StagedLearnedKeys(spillFolder: scratch.workspace.staging), fromTexts = StagedLearnedKeys(spillFolder: scratch.workspace.staging)
        for (index, value) in Self.learnedValues.enumerated() {
            let key = index % 3 == 0 ? " K\(index) " : "K\(index % 4)"
            try Array(value.utf8).withUnsafeBytes { value in
                try Array(key.utf8).withUnsafeBytes { try fromBytes.learn(value, means: $0, in: "accounts", isName: index % 2 == 0) }
            }
            try fromTexts.learn(value, means: key, in: "accounts", isName: index % 2 == 0)
        }
        var bytesEntries: [String] = [], textEntries: [String] = []
        try fromBytes.forEachEntry { bytesEntries.append("\($0.valueText)=\($0.keyText ?? "ambiguous") \($0.isName)") }
        try fromTexts.forEachEntry { textEntries.append("\($0.valueText)=\($0.keyText ?? "ambiguous") \($0.isName)") }
        #expect(bytesEntries == textEntries)
        #expect(bytesEntries.count > 8)
    }

    @Test("UTF-16 output is transcoded from UTF-8 bytes as String does, surrogate pairs and repairs included", arguments: [
        TextEncoding.utf16LittleEndian, .utf16BigEndian,
    ])
    func utf16(encoding: TextEncoding) {
        let encoder = TextEncoder(encoding)
        let texts = ["plain", "Tükörfúró Łódź", "€ 12,50", "𝄞 music 😀", "ア", ""]
        for text in texts {
            var output: [UInt8] = []
            #expect(encoder.append(Array(text.utf8), to: &output) == nil)
            let expected = text.utf16.flatMap { unit -> [UInt8] in
                let low = UInt8(truncatingIfNeeded: unit), high = UInt8(truncatingIfNeeded: unit >> 8)
                return encoding == .utf16LittleEndian ? [low, high] : [high, low]
            }
            #expect(output == expected, "\(text)")
        }
        var repaired: [UInt8] = []
        _ = encoder.append([0x41, 0xC3, 0x28, 0xFF, 0x42], to: &repaired)
        let replacement = String(decoding: [0x41, 0xC3, 0x28, 0xFF, 0x42] as [UInt8], as: UTF8.self).utf16.count
        #expect(repaired.count == replacement * 2)
    }
}
