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
