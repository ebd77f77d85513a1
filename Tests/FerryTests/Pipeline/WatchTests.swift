import Foundation
import Testing
@testable import Ferry

/// `ferry watch` as a real process over real folders.
@Suite("ferry watch", .serialized)
struct WatchTests {
    static let template = """
    takes: [accounts*.csv, accounts*.xml, accounts*.gz]
    source: {record: /accounts/account}
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    max_rejects: unlimited
    """

    /// A running watcher; killed when the test ends.
    final class RunningWatcher {
        let process = Process()
        let log: String

        init(root: String, arguments: [String] = [], settle: String? = "0.6") throws {
            log = root + "/watch-\(UUID().uuidString.prefix(8)).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: ferryExecutable())
            process.arguments = ["watch", "--root", root, "--scan-interval", "0.2"] + (settle.map { ["--settle", $0] } ?? []) + arguments
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        /// Blocks until the watcher has logged its startup line (its signal handlers are in place).
        func waitUntilWatching(seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if output.contains("watching") { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return false
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        func stop(signal: Int32 = SIGTERM) -> Int32 {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            return process.terminationStatus
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    func workspace() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        return scratch
    }

    /// Waits until `condition` holds or `seconds` pass.
    func eventually(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool {
        Self.eventually(seconds, condition)
    }

    static func eventually(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    static func rows(_ range: Range<Int>) -> String {
        range.map { "ACC-\($0)\n" }.joined()
    }

    @Test("a file written slowly in chunks is taken only once it is complete")
    func slowUpload() throws {
        let scratch = try workspace()
        let watcher = try RunningWatcher(root: scratch.root)
        // Written only once the watcher watches: a file finished before it started would prove nothing.
        #expect(watcher.waitUntilWatching(seconds: 60))
        let path = scratch.workspace.inbox + "/accounts-slow.csv"
        FileManager.default.createFile(atPath: path, contents: Data("accountnumber\n".utf8))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for chunk in 0..<6 {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(Self.rows((chunk * 100)..<((chunk + 1) * 100)).utf8))
            Thread.sleep(forTimeInterval: 0.35)
            #expect(FileManager.default.fileExists(atPath: path), "taken while still being written (chunk \(chunk))")
        }
        try handle.close()
        #expect(eventually { scratch.archived == ["accounts-slow.csv"] })
        let package = try #require(scratch.files(in: scratch.workspace.outbox).first)
        #expect(scratch.text(scratch.workspace.outbox + "/" + package).split(separator: "\r\n").count == 601)
        #expect(watcher.stop() == 0)
    }

    @Test("a gzip still being uploaded waits for its trailer; an XML for its root to close")
    func formatCompleteness() throws {
        let scratch = try workspace()
        let watcher = try RunningWatcher(root: scratch.root)
        let gzip = try ArchiveMaker.gzip(Array(("accountnumber\n" + Self.rows(0..<2000)).utf8))
        let partial = scratch.workspace.inbox + "/accounts-z.csv.gz"
        try Data(gzip.prefix(gzip.count / 2)).write(to: URL(fileURLWithPath: partial))
        try scratch.drop("accounts-x.xml", "<?xml version=\"1.0\"?>\n<accounts><account><accountnumber>A1</accountnumber></account>\n")
        Thread.sleep(forTimeInterval: 2.0)  // well past the 0.6 s settle time
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-x.xml", "accounts-z.csv.gz"], "incomplete files wait")
        try Data(gzip).write(to: URL(fileURLWithPath: partial))
        let xml = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.workspace.inbox + "/accounts-x.xml"))
        try xml.seekToEnd()
        try xml.write(contentsOf: Data("</accounts>\n".utf8))
        try xml.close()
        #expect(eventually { scratch.archived == ["accounts-x.xml", "accounts-z.csv.gz"] })
        #expect(watcher.stop() == 0)
    }

    @Test("done-marker mode takes a file only once its .done marker exists, then removes the marker")
    func doneMarker() throws {
        let scratch = try workspace()
        let watcher = try RunningWatcher(root: scratch.root, arguments: ["--done-marker"])
        try scratch.drop("accounts-m.csv", "accountnumber\nA1\n")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-m.csv"])
        try scratch.drop("accounts-m.csv.done", "")
        #expect(eventually { scratch.archived == ["accounts-m.csv"] && scratch.files(in: scratch.workspace.inbox).isEmpty })
        #expect(watcher.stop() == 0)
    }

    @Test("the same content dropped twice is delivered once")
    func duplicates() throws {
        let scratch = try workspace()
        let watcher = try RunningWatcher(root: scratch.root)
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(eventually { scratch.archived.count == 1 })
        try scratch.drop("accounts-2.csv", "accountnumber\nA1\n")
        #expect(eventually { scratch.archived.count == 2 })
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(eventually(3) { watcher.output.contains("outcome=duplicate") })
        #expect(watcher.stop() == 0)
    }

    @Test("two identical files taken by two workers at once: one is delivered, the other is a duplicate")
    func concurrentDuplicates() throws {
        let scratch = try workspace()
        let body = "accountnumber\n" + Self.rows(0..<60_000)
        try scratch.drop("accounts-a.csv", body)
        try scratch.drop("accounts-b.csv", body)
        let watcher = try RunningWatcher(root: scratch.root, arguments: ["--workers", "2"])
        #expect(eventually { scratch.archived.count == 2 })
        #expect(watcher.stop() == 0)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(try Ledger(workspace: scratch.workspace).history(limit: 5).map(\.state).sorted { $0.rawValue < $1.rawValue } == [.done, .duplicate])
    }

    @Test("a second Ferry in the same workspace is refused while the first works")
    func oneProcessPerWorkspace() throws {
        let scratch = try workspace()
        let watcher = try RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        let second = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(second.status == 2)
        #expect(second.error.contains("another Ferry process (pid \(watcher.process.processIdentifier)) is working in this workspace"))
        #expect(watcher.stop() == 0)
        #expect(try runProcess(ferryExecutable(), ["run", "--root", scratch.root]).status == 0)
    }

    @Test("a full outbox stops the intake until it drains")
    func backPressure() throws {
        let scratch = try workspace()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        let watcher = try RunningWatcher(root: scratch.root, arguments: ["--max-outbox", "0"])
        #expect(eventually { scratch.files(in: scratch.workspace.outbox).count == 1 })
        #expect(watcher.stop() == 0)
        let limited = try RunningWatcher(root: scratch.root, arguments: ["--max-outbox", "1"])
        try FileManager.default.copyItem(atPath: scratch.workspace.outbox + "/" + scratch.files(in: scratch.workspace.outbox)[0],
                                         toPath: scratch.workspace.outbox + "/other-package.csv")
        try scratch.drop("accounts-2.csv", "accountnumber\nA2\n")
        #expect(eventually(5) { limited.output.contains("not taking new inputs") })
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-2.csv"])
        try FileManager.default.removeItem(atPath: scratch.workspace.outbox + "/other-package.csv")
        #expect(eventually { scratch.files(in: scratch.workspace.inbox).isEmpty })
        #expect(limited.stop() == 0)
    }

    @Test("SIGKILL at many points of a batch, restart each time: every input once, every package once")
    func killAndRestart() throws {
        let scratch = try workspace()
        let count = 24
        for index in 0..<count {
            // Every fifth file is broken (an unclosed quote) and must end in failed/.
            let body = index % 5 == 4 ? "accountnumber\n\"ACC-\(index)\n" : "accountnumber\n" + Self.rows((index * 100_000)..<(index * 100_000 + 40_000))
            try scratch.drop("accounts-\(index).csv", body)
        }
        // How long one file takes on this machine now (a loaded machine is slower): the kills land at
        // points spread over a file's processing, after the watcher's 0.6 s settle time.
        let calibration = try workspace()
        try scratch.text(scratch.workspace.inbox + "/accounts-0.csv").write(toFile: calibration.workspace.inbox + "/accounts-0.csv",
                                                                           atomically: false, encoding: .utf8)
        let started = Date()
        try runProcess(ferryExecutable(), ["run", "--root", calibration.root])
        let fileTime = Date().timeIntervalSince(started)
        // Every other round waits for a file to be done first (so the killed runs make progress on any
        // machine) and then kills while the second worker's file is in hand.
        let fractions = [0.3, 0.5, 0.8, 1.1, 0.2, 1.4, 0.65, 1.8, 0.95, 2.5]
        for (round, fraction) in fractions.enumerated() {
            let watcher = try RunningWatcher(root: scratch.root, arguments: ["--workers", "2", "--max-interruptions", "100"])
            #expect(watcher.waitUntilWatching())
            if round % 2 == 1 {
                _ = eventually(30) { watcher.output.contains("file done") || watcher.output.contains("file failed") }
                Thread.sleep(forTimeInterval: fraction * 0.2 * fileTime)
            } else {
                Thread.sleep(forTimeInterval: 0.6 + fraction * fileTime)
            }
            _ = watcher.stop(signal: SIGKILL)
        }
        let beforeLast = scratch.archived.count
        let interrupted = try Ledger(workspace: scratch.workspace).history(limit: 1000).filter { $0.state == .interrupted }.count
        print("kill test: \(beforeLast) archived by the killed runs, \(interrupted) inputs interrupted mid-processing")
        #expect(beforeLast > 0, "the killed runs made progress")
        #expect(interrupted > 0, "some kills hit files in hand")
        // The kills were the test's own doing: no input is quarantined for them.
        let last = try RunningWatcher(root: scratch.root, arguments: ["--max-interruptions", "100"])
        #expect(last.waitUntilWatching())
        let failedCount = count / 5
        let settled = eventually(30 + Double(count) * fileTime) {
            scratch.archived.count == count - failedCount && scratch.files(in: scratch.workspace.inbox).isEmpty
                && scratch.files(in: scratch.workspace.work).isEmpty
        }
        #expect(settled, "archived \(scratch.archived.count), inbox \(scratch.files(in: scratch.workspace.inbox))")
        #expect(last.stop() == 0)

        let archived = scratch.archived
        let failed = scratch.files(in: scratch.workspace.failed).filter { $0.hasSuffix(".csv") && !$0.hasSuffix(".rejects.csv") }
        #expect(Set(archived).count == archived.count)
        #expect(archived.count + failed.count == count, "every input in exactly one place")
        #expect(Set(archived).isDisjoint(with: Set(failed)))
        let packages = scratch.files(in: scratch.workspace.outbox)
        #expect(packages.count == count - failedCount, "one package per good input: \(packages)")
        for index in 0..<count where index % 5 != 4 {
            #expect(packages.filter { $0.hasPrefix("accounts-accounts-\(index)-") }.count == 1, "accounts-\(index)")
        }
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty, "no temp files left")
    }

    @Test("SIGTERM finishes the file in hand and exits 0")
    func gracefulStop() throws {
        let scratch = try workspace()
        try scratch.drop("accounts-big.csv", "accountnumber\n" + Self.rows(0..<150_000))
        let watcher = try RunningWatcher(root: scratch.root)
        #expect(eventually { scratch.files(in: scratch.workspace.work).count == 1 })
        #expect(watcher.stop() == 0)
        #expect(scratch.archived == ["accounts-big.csv"], "the file in hand was finished")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(watcher.output.contains("stopped"))
    }
}
