#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Ferry

@Suite("keys at scale")
struct KeyIndexTests {
    /// CPU seconds of the calling thread: other work on the machine (or in the test process) does not count.
    static func threadSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// A keyed `ferry run` pass over `rows` distinct keys (and one repeat at the end); its pipeline thread's CPU time.
    static func keyedRun(rows: Int, policy: String) throws -> Double {
        let scratch = try TemporaryWorkspace()
        var csv = "k,v\n"
        for row in 0..<rows { csv += "ACC-\(row)-XYZ,\(row)\n" }
        csv += "ACC-0-XYZ,again\n"
        try scratch.drop("input.csv", csv)
        let template = try Fixtures.template("""
            takes: input.csv
            target: {system: file, entity: x, name: out}
            key: K
            duplicates: \(policy)
            fields:
              K: k
              V: v
            """, name: "t")
        let started = threadSeconds()
        let summary = try RunPass(workspace: scratch.workspace, templates: [template]).run()
        let seconds = threadSeconds() - started
        #expect(summary.rowsWritten == rows && summary.rowsRejected + summary.rowsFiltered == 1)
        return seconds
    }

    @Test("a key costs the same at row 30,000 as at row 100: four times the rows take about four times the CPU, not sixteen",
          arguments: ["reject", "last"])
    func keyCostIsConstantPerRow(policy: String) throws {
        let small = (0..<3).map { _ in (try? Self.keyedRun(rows: 7_500, policy: policy)) ?? .infinity }.min() ?? .infinity
        let large = (0..<2).map { _ in (try? Self.keyedRun(rows: 30_000, policy: policy)) ?? .infinity }.min() ?? .infinity
        #expect(large / small < 8, "7,500 keys: \(small) s, 30,000 keys: \(large) s of CPU")
    }

    @Test("the index answers as a dictionary does as its table grows and moves to disk; 90,000 keys of 16 bytes stay in memory")
    func memoryTableMatchesDictionary() throws {
        let scratch = try TemporaryWorkspace()
        let index = KeyIndex(spillFolder: scratch.workspace.staging)
        var reference: [[UInt8]: Int] = [:]
        func key(_ number: Int) -> [UInt8] {
            let digits = String(number)
            return Array(("ACC-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + "-XYZ").utf8)
        }
        let edges: [[UInt8]] = [[], [0], [0, 0], Array("A".utf8), Array("AB".utf8), [0xFF, 0xC3, 0x00, 0x41], Array("ACC-00000001-XY".utf8)]
        for (number, edge) in edges.enumerated() {
            #expect(try edge.withUnsafeBytes { try index.insertIfAbsent($0, value: -number) } == nil, "\(edge)")
            reference[edge] = -number
        }
        for number in 0..<150_000 {
            if number == 90_000 { #expect(!index.isOnDisk, "90,000 keys of 16 bytes fit the default budget") }
            let bytes = key(number)
            #expect(bytes.count == 16)
            let earlier = try bytes.withUnsafeBytes { try index.insertIfAbsent($0, value: number) }
            #expect(earlier == reference[bytes])
            if reference[bytes] == nil { reference[bytes] = number }
            if number % 7 == 3 {
                let again = key(number / 2)
                #expect(try again.withUnsafeBytes { try index.insertIfAbsent($0, value: -1) } == reference[again])
            }
            if number % 11 == 5 {
                let changed = key(number / 3)
                try changed.withUnsafeBytes { try index.set($0, value: number * 10) }
                reference[changed] = number * 10
            }
        }
        try Array("NEW-BY-SET".utf8).withUnsafeBytes { try index.set($0, value: 42) }
        reference[Array("NEW-BY-SET".utf8)] = 42
        for (bytes, value) in reference {
            #expect(try bytes.withUnsafeBytes { try index.value(for: $0) } == value, "\(bytes)")
        }
        for absent in [key(150_000), key(999_999_99), Array("ACC-00000001-XYZ ".utf8), [0, 0, 0]] {
            #expect(try absent.withUnsafeBytes { try index.contains($0) } == false, "\(absent)")
        }
        #expect(index.isOnDisk, "150,000 keys do not")
    }

    @Test("past its memory budget the index moves to a scratch table on disk and answers the same; the table goes with it")
    func spillsToDisk() throws {
        let scratch = try TemporaryWorkspace()
        var index: KeyIndex? = KeyIndex(spillFolder: scratch.workspace.staging, memoryBudget: 4 << 10)
        func key(_ number: Int) -> [UInt8] { Array("KEY-\(number)".utf8) }
        for number in 0..<1_000 {
            #expect(try key(number).withUnsafeBytes { try index?.insertIfAbsent($0, value: number) } == nil)
        }
        #expect(index?.isOnDisk == true)
        #expect(scratch.files(in: scratch.workspace.staging).count == 1)
        #expect(try key(10).withUnsafeBytes { try index?.insertIfAbsent($0, value: 99) } == 10)
        #expect(try key(999).withUnsafeBytes { try index?.value(for: $0) } == 999)
        try key(999).withUnsafeBytes { try index?.set($0, value: 5) }
        #expect(try key(999).withUnsafeBytes { try index?.value(for: $0) } == 5)
        #expect(try Array("KEY-1000".utf8).withUnsafeBytes { try index?.contains($0) } == false)
        #expect(try [UInt8]().withUnsafeBytes { try index?.insertIfAbsent($0, value: 1) } == nil)
        #expect(try [UInt8]().withUnsafeBytes { try index?.insertIfAbsent($0, value: 2) } == 1)
        index = nil
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
    }

    @Test("reject, first and last give the same outputs with the keys on disk as in memory", arguments: ["reject", "first", "last"])
    func sameOutputsOnDisk(policy: String) throws {
        let template = try Fixtures.template("""
            takes: input.csv
            target: {system: file, entity: x, name: out}
            key: K
            duplicates: \(policy)
            fields:
              K: k
              V: v
            max_rejects: unlimited
            """, name: "t")
        var csv = "k,v\n"
        for row in 0..<2_000 { csv += "K\(row % 1_500),\(row)\n" }
        var outputs: [String] = []
        for budget in [KeyIndex.defaultMemoryBudget, 1 << 10] {
            let scratch = try TemporaryWorkspace()
            try scratch.drop("input.csv", csv)
            var pipeline = FilePipeline(workspace: scratch.workspace)
            pipeline.keyMemoryBudget = budget
            var report = FileReport(name: "input.csv", template: "t", outcome: .delivered)
            let input = FilePipeline.Input(path: scratch.workspace.inbox + "/input.csv", displayName: "input.csv", stem: "input",
                                           size: Int64(csv.utf8.count))
            let planned = try pipeline.prepare(input, with: template, at: RunPassTests.fixedTime, observer: SilentObserver(), report: &report)
                .detach()
            outputs.append(planned.map { scratch.text($0.stagingPath) }.joined(separator: "\n--\n"))
            #expect(report.rowsWritten == 1_500)
            #expect(scratch.files(in: scratch.workspace.staging).allSatisfy { !$0.hasSuffix(".keys.sqlite3") })
        }
        #expect(outputs[0] == outputs[1])
        #expect(!outputs[0].isEmpty)
    }
}
