import Foundation
import Testing
@testable import Ferry

@Suite("learned keys staged until the delivery")
struct StagedLearnedKeysTests {
    typealias Learning = (value: String, key: String, reference: String, isName: Bool)

    /// Ids and names across two references, with ids learned again (a newer key) and names shared by keys.
    static func learnings(_ count: Int) -> [Learning] {
        (0..<count).map { index in
            let isName = index % 3 == 0
            let value = isName ? "Name \(index % 17)" : "\(String(format: "%08x", index % 400))-0000-0000-0000-000000000000"
            return (value, "KEY-\(index % 250)", index % 5 == 0 ? "products" : "accounts", isName)
        }
    }

    @Test("the same answers as a batch, in memory and spilled to staging", arguments: [StagedLearnedKeys.defaultMemoryBudget, 1 << 10])
    func sameRulesAsBatch(budget: Int) throws {
        let scratch = try TemporaryWorkspace()
        let learnings = Self.learnings(3_000)
        var batch = LearnedKeyBatch()
        let staged = StagedLearnedKeys(spillFolder: scratch.workspace.staging, memoryBudget: budget)
        for learning in learnings {
            batch.learn(learning.value, means: learning.key, in: learning.reference, isName: learning.isName)
            try staged.learn(learning.value, means: learning.key, in: learning.reference, isName: learning.isName)
        }
        #expect(staged.isSpilled == (budget < 1 << 20))
        var entries: [String: [String: LearnedKeyBatch.Entry]] = [:]
        var order: [String] = []
        try staged.forEachEntry { entry in
            entries[entry.referenceText, default: [:]][entry.valueText] = LearnedKeyBatch.Entry(key: entry.keyText, isName: entry.isName)
            order.append(entry.referenceText + "\u{0}" + entry.valueText)
        }
        #expect(entries == batch.entries)
        #expect(order == order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "entries come in key order")
        for reference in ["accounts", "products"] {
            for value in ["Name 3", "Name 16", "0000000a-0000-0000-0000-000000000000", "{0000000A-0000-0000-0000-000000000000}", "unknown"] {
                #expect(staged.resolve(LearnedKeyBatch.normalized(value), in: reference)
                        == batch.resolve(LearnedKeyBatch.normalized(value), in: reference), "\(reference) \(value)")
            }
        }
        #expect(staged.resolve("Name 3", in: "accounts") == .ambiguous)
    }
}
