import Foundation
import Testing
@testable import Ferry

/// What `history`, `status` and the progress lines tell an operator must match what happened.
@Suite("history, status and progress tell the truth")
struct LedgerReportingTests {
    static func rows(_ count: Int) -> String {
        "accountnumber\n" + (0..<count).map { "ACC-\($0)\n" }.joined()
    }

    @Test("history shows how long each file took and when it finished, not the claim time and 0.00 s")
    func durations() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-big.csv", Self.rows(60_000))
        #expect(try scratch.ferry().status == 0)
        let entry = try #require(try Ledger(workspace: scratch.workspace).history(limit: 1).first)
        let seconds = try #require(entry.seconds)
        #expect(seconds > 0.01, "\(seconds)")
        #expect((entry.finishedAt ?? "") >= entry.claimedAt)
        let history = try scratch.ferry(["history"]).output
        let line = try #require(history.split(separator: "\n").first { $0.contains("accounts-big.csv") })
        #expect(line.contains(String(format: "%.2f", seconds)), "\(line)")
    }

    @Test("after a stop, status says what waits and what was interrupted, not that it is in progress")
    func statusAfterStop() throws {
        let waiting = try TemporaryWorkspace.withTemplate()
        try waiting.drop("accounts-1.csv", "accountnumber\nA1\n")
        try waiting.blockOutbox()
        #expect(try waiting.ferry().status == 3)
        let afterWaiting = try waiting.ferry(["status"]).output
        #expect(afterWaiting.contains("Ferry:                  not running in this workspace"), "\(afterWaiting)")
        #expect(afterWaiting.contains("In progress:            0\n"), "\(afterWaiting)")
        #expect(afterWaiting.contains("Deliveries waiting:     1  (accounts-1.csv)"), "\(afterWaiting)")

        let killed = try TemporaryWorkspace.withTemplate()
        try killed.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try killed.ferry(environment: ["FERRY_CRASH_AT": "claimed"]).status == 137)
        let afterKill = try killed.ferry(["status"]).output
        #expect(afterKill.contains("In progress:            0\n"), "\(afterKill)")
        #expect(afterKill.contains("Interrupted:            1  (accounts-1.csv): Ferry stopped while working on them"), "\(afterKill)")
    }

    @Test("status names the Ferry process working in the workspace")
    func statusWhileRunning() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        let status = try scratch.ferry(["status"]).output
        #expect(status.contains("Ferry:                  running here (pid \(watcher.process.processIdentifier))"), "\(status)")
        #expect(watcher.stop() == 0)
    }

    @Test("a long file prints progress lines while ferry run reads it, also when the output is not a terminal")
    func runProgress() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-big.csv", Self.rows(300_000))
        let run = try scratch.ferry(["run", "--progress-every", "0.1"])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("progress   accounts-big.csv: ") }
        #expect(!lines.isEmpty, "\(run.output)")
        #expect(lines.allSatisfy { $0.contains("% ") || $0.contains("%, ") }, "\(lines)")
        #expect(lines.allSatisfy { $0.contains(" rows, ") && $0.contains(" rows/s, ") })
        #expect(!run.output.contains("\u{1B}"))
    }

    @Test("a long file logs progress lines while ferry watch works on it")
    func watchProgress() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        let watcher = try WatchTests.RunningWatcher(root: scratch.root, arguments: ["--progress-every", "0.1"])
        #expect(watcher.waitUntilWatching())
        try scratch.drop("accounts-big.csv", Self.rows(300_000))
        #expect(WatchTests().eventually(60) { scratch.archived == ["accounts-big.csv"] })
        #expect(watcher.stop() == 0)
        let progress = watcher.output.split(separator: "\n").filter { $0.contains(" info progress ") }
        #expect(!progress.isEmpty, "\(watcher.output)")
        #expect(progress.allSatisfy { $0.contains("file=accounts-big.csv") && $0.contains("rows=") && $0.contains("percent=") })
    }
}
