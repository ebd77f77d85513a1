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

    /// Values for the byte paths of sources and conditions: ASCII, numbers in several spellings, white space
    /// of both kinds, non-ASCII ends, canonically equal spellings, CR LF.
    static let sourceValues = ["", " ", "HU", "hu", "DE", "0", "0.0", "00", "+0", "-0", "1", "1e0", " 1 ", "inf", "Infinity", "nan",
                               "NaN", ".5", "0x10", "16", "Budapest", "  Váci út 12 ", "\u{A0}Fő utca\u{A0}", "Fő\u{2003}", "e\u{301}",
                               "\u{E9}", "a\r\nb", "a b", "\t", "x,y", "ACC-1"]

    static func column(_ name: String, _ index: Int) -> ValueSource {
        .column(ColumnReference(name: name, index: index, position: TemplatePosition(line: 1, column: 1)))
    }

    @Test("== and != on bytes decide as the text comparison does, or leave it to text")
    func equalityOnBytes() {
        var decided = 0
        for a in Self.sourceValues {
            for b in Self.sourceValues {
                let record = SourceRecord(fields: [a, b])
                for right in [Self.column("b", 1), ValueSource.text(b)] {
                    for comparison in [RowCondition.Comparison.equal, .notEqual] {
                        let condition = RowCondition.compare(Self.column("a", 0), comparison, right)
                        if let onBytes = condition.decidedOnBytes(record) {
                            decided += 1
                            #expect(onBytes == RowCondition.compare(a, comparison, b), "\(a.debugDescription) \(comparison.rawValue) \(b.debugDescription)")
                        }
                        #expect(condition.matches(record) == RowCondition.compare(a, comparison, b), "\(a.debugDescription) \(comparison.rawValue) \(b.debugDescription)")
                    }
                }
            }
        }
        // Two right-hand sides and two comparisons per pair; pairs that could both be numbers go to text.
        #expect(decided > Self.sourceValues.count * Self.sourceValues.count * 4 / 3, "\(decided) decided on bytes")
    }

    @Test("join, + and when on bytes give what their text forms give")
    func sourcesOnBytes() throws {
        let template = try Fixtures.template("""
        takes: a.csv
        target: {system: sales, entity: account}
        fields:
          JOIN: join ", " a b c
          CONCAT: a + " / " + b
          WHEN: when a == "HU" then "hu" else b
          WHEN2: when a != b and c == "0" then a else "none"
          WHEN3: when a == 0 or not b == c then c else "x"
          WHEN4: when a < b then "less" else "not less"
        """)
        let transformer = try RowTransformer(template: template, columns: ["a", "b", "c"], fileName: "a.csv")
        let sources = transformer.targets[0].fields.map(\.source)
        var onBytes = 0, total = 0
        for a in Self.sourceValues {
            for b in Self.sourceValues {
                for c in ["", "0", " HU ", "\u{A0}x"] {
                    let record = SourceRecord(fields: [a, b, c])
                    for source in sources {
                        total += 1
                        var bytes: [UInt8] = [0x2A]
                        if source.append(record, to: &bytes) {
                            onBytes += 1
                            #expect(String(decoding: bytes.dropFirst(), as: UTF8.self) == (try source.evaluate(record)),
                                    "\(source.label) on \([a, b, c])")
                        } else {
                            #expect(bytes == [0x2A], "left as it was")
                        }
                    }
                }
            }
        }
        #expect(onBytes > total / 3, "\(onBytes) of \(total) on bytes")
        #expect(onBytes < total, "some left to text")
    }

    @Test("a compiled field program gives what each rule's text steps give, rejections and messages included")
    func programMatchesTextSteps() throws {
        let template = try Fixtures.template("""
        takes: a.csv
        target: {system: sales, entity: account}
        fields:
          T1: a | trim | upper | truncate 3
          T2: a | lower | title | max 6
          T3: a | trim | required "give it a value" | substring 2 3
          T4: a | default "D" | map groups
          T5: b | regex "[^0-9+]" "" | default "none"
          T6: b | regex "[a-z]+[0-9]" "_" | replace "a" "b" | pad left 8 "0"
          T7: a + b | trim | split "," 2 | lower
          T8: join " " a b | upper | max 12
          T9: "fixed"
          T10: when b == "HU" then a else "x" | trim | required
        maps:
          groups: {"HU": "1", "0": "2", "D": "3"}
        """)
        let transformer = try RowTransformer(template: template, columns: ["a", "b"], fileName: "a.csv")
        let program = transformer.targets[0].program
        var rejected = 0
        for a in Self.sourceValues {
            for b in Self.sourceValues + ["+36 (1) 245-8591", "tab\there"] {
                let record = SourceRecord(fields: [a, b])
                var row = SourceRecord()
                var rejections: [(rule: Int, reason: String)] = []
                program.run(record, into: &row, rejections: &rejections)
                #expect(row.fieldCount == program.rules.count)
                for (index, rule) in program.rules.enumerated() {
                    var text = try rule.source.evaluate(record)
                    var expectedReason: String?
                    for (step, function) in rule.steps.enumerated() {
                        switch function.apply(to: text) {
                        case .value(let value): text = value
                        case .reject(let reason): expectedReason = rule.messages[step] ?? "\(rule.target) \(reason)"
                        }
                        if expectedReason != nil { break }
                    }
                    let reason = rejections.first { $0.rule == index }?.reason
                    #expect(reason == expectedReason, "\(rule.target) on \([a, b])")
                    if expectedReason == nil {
                        #expect(row.string(at: index) == text, "\(rule.target) on \([a, b])")
                    } else {
                        rejected += 1
                    }
                }
            }
        }
        #expect(rejected > 0)
    }
}
