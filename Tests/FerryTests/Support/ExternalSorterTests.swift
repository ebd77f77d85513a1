import Foundation
import Testing
@testable import Ferry

@Suite("sorting in bounded memory")
struct ExternalSorterTests {
    /// Random keys from a small alphabet (many repeats), each record's payload its position.
    static func records(_ count: Int) -> [(key: [UInt8], payload: [UInt8])] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { position in
            let key = (0..<Int.random(in: 0...6, using: &generator)).map { _ in UInt8.random(in: 97...100, using: &generator) }
            return (key, Array(String(position).utf8))
        }
    }

    static func sorted(_ sorter: ExternalSorter) throws -> [(key: [UInt8], payload: [UInt8])] {
        var out: [(key: [UInt8], payload: [UInt8])] = []
        try sorter.forEachSorted { out.append((Array($0.key), Array($0.payload))) }
        return out
    }

    @Test("records come out in key order, equal keys in the order they went in, in memory and across runs", arguments: [1 << 20, 512, 64])
    func order(budget: Int) throws {
        let scratch = try TemporaryWorkspace()
        let input = Self.records(5_000)
        var sorter: ExternalSorter? = ExternalSorter(folder: scratch.workspace.staging, memoryBudget: budget)
        for record in input {
            try record.key.withUnsafeBytes { key in try record.payload.withUnsafeBytes { try sorter?.append(key: key, payload: $0) } }
        }
        // Swift's sort is stable: the reference order.
        let expected = input.enumerated().sorted { a, b in
            a.element.key != b.element.key ? a.element.key.lexicographicallyPrecedes(b.element.key) : a.offset < b.offset
        }.map(\.element)
        let first = try Self.sorted(try #require(sorter))
        #expect(first.map(\.key) == expected.map(\.key))
        #expect(first.map(\.payload) == expected.map(\.payload))
        #expect(try Self.sorted(try #require(sorter)).map(\.payload) == expected.map(\.payload), "it can be read again")
        let runs = scratch.files(in: scratch.workspace.staging)
        #expect(sorter?.isSpilled == (budget < 1 << 20))
        // Past the fan-in the runs are merged as they come: never more than 64 run files at once.
        #expect(runs.count <= ExternalSorter.maxFanIn)
        sorter = nil
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty, "the run files go with the sorter")
    }

    @Test("a sorter that never spilled answers lookups by key, in the order the records went in")
    func lookups() throws {
        let sorter = ExternalSorter(folder: NSTemporaryDirectory(), memoryBudget: 1 << 20)
        for (key, payload) in [("b", "1"), ("a", "2"), ("b", "3"), ("", "4")] {
            try Array(key.utf8).withUnsafeBytes { k in try Array(payload.utf8).withUnsafeBytes { try sorter.append(key: k, payload: $0) } }
        }
        func payloads(_ key: String) -> [String] {
            Array(key.utf8).withUnsafeBytes { sorter.payloads(forKey: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(payloads("b") == ["1", "3"])
        #expect(payloads("a") == ["2"])
        #expect(payloads("") == ["4"])
        #expect(payloads("c").isEmpty)
    }
}
