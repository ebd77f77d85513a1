import Foundation
import Testing
@testable import Ferry

/// Kills the real `ferry` binary at each point of the state machine (as abruptly as kill -9), runs
/// it again, and checks that every input ended in exactly one place and every package exists once.
@Suite("crash safety and the ledger")
struct CrashRecoveryTests {
    static let template = TemporaryWorkspace.accountsTemplate

    func workspace() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\nA2\n")
        try scratch.drop("accounts-2.csv", "accountnumber\n\"\"\n")     // fails: a rejected row, max_rejects 0
        try scratch.drop("accounts-3.csv", "accountnumber\nA3\n")
        return scratch
    }

    func ferry(_ scratch: TemporaryWorkspace, _ arguments: [String] = ["run"], crashAt point: String? = nil) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["FERRY_CRASH_AT"] = point
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ferryExecutable())
        process.arguments = arguments + ["--root", scratch.root]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    func assertExactlyOnce(_ scratch: TemporaryWorkspace) throws {
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty, "no partial files are left")
        #expect(scratch.archived == ["accounts-1.csv", "accounts-3.csv"])
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts-2.csv", "accounts-2.csv.error.txt", "accounts-2.csv.rejects.csv"])
        let packages = scratch.files(in: scratch.workspace.outbox)
        #expect(packages.count == 2, "\(packages)")
        #expect(packages.filter { $0.contains("accounts-1") }.count == 1)
        #expect(packages.filter { $0.contains("accounts-3") }.count == 1)
    }

    @Test("killed at each crash point, then restarted: every input once, every package once", arguments: [
        "claimed", "planned", "linked", "moved-first", "finished",
    ])
    func crashPoint(point: String) throws {
        let scratch = try workspace()
        let crashed = try ferry(scratch, crashAt: point)
        #expect(crashed.status == 137)
        let rerun = try ferry(scratch)
        #expect(rerun.status == 1, "accounts-2 fails: \(rerun.output)")
        try assertExactlyOnce(scratch)
    }

    /// Seven files `ferry run` takes in one batch: five to deliver, the second's content again (its duplicate within
    /// the batch), and one that fails after them (which delivers the batch first).
    func batchWorkspace() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        for number in 1...5 { try scratch.drop("accounts-\(number).csv", "accountnumber\nB\(number)\n") }
        try scratch.drop("accounts-6.csv", "accountnumber\nB2\n")
        try scratch.drop("accounts-7.csv", "accountnumber\n\"\"\n")
        return scratch
    }

    @Test("killed inside a batch of several files at each crash point, then restarted: every input once, every package once", arguments: [
        "claimed#4", "claimed#4:crash", "planned", "linked#3", "linked#7", "moved-first", "finished",
    ])
    func crashInsideBatch(point: String) throws {
        let scratch = try batchWorkspace()
        let crashed = try ferry(scratch, crashAt: point)
        #expect(point.hasSuffix(":crash") ? [SIGSEGV, 139].contains(crashed.status) : crashed.status == 137, "\(crashed.output)")
        let rerun = try ferry(scratch)
        #expect(rerun.status == 1, "accounts-7 fails: \(rerun.output)")
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty, "no partial files are left")
        #expect(scratch.archived == (1...6).map { "accounts-\($0).csv" })
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts-7.csv", "accounts-7.csv.error.txt", "accounts-7.csv.rejects.csv"])
        let packages = scratch.files(in: scratch.workspace.outbox)
        #expect(packages.count == 5, "\(packages)")
        for number in 1...5 { #expect(packages.filter { $0.contains("accounts-\(number)-") }.count == 1, "\(packages)") }
        #expect(!packages.contains { $0.contains("accounts-6-") }, "the same content twice in one batch: the second is its duplicate")
        let entries = try Ledger(workspace: scratch.workspace).history(limit: 50)
        if point.hasPrefix("claimed") {
            #expect(entries.first { $0.name == "accounts-6.csv" }?.state == .duplicate)
        }
        if point == "claimed#4:crash" {
            // The three before it were prepared, waiting for their batch: the crash is not counted against their content.
            #expect(entries.filter { $0.state == .crashed }.map(\.name) == ["accounts-4.csv"])
            #expect(Set(entries.filter { $0.state == .returned }.map(\.name)) == ["accounts-1.csv", "accounts-2.csv", "accounts-3.csv"])
        }
    }

    @Test("units waiting in a batch are never quarantined however often the run is killed while they wait")
    func killedWhileWaitingInBatch() throws {
        let scratch = try batchWorkspace()
        // 3 x max_interruptions kills would quarantine a file that was in hand each time.
        for _ in 1...9 { #expect(try ferry(scratch, crashAt: "claimed#4").status == 137) }
        let rerun = try ferry(scratch)
        #expect(rerun.status == 1, "accounts-7 fails: \(rerun.output)")
        // accounts-4 was in hand at each kill: quarantined, as on its own. The three waiting before it go through.
        #expect(scratch.archived == ["accounts-1.csv", "accounts-2.csv", "accounts-3.csv", "accounts-5.csv", "accounts-6.csv"])
        #expect(scratch.files(in: scratch.workspace.failed)
                    == ["accounts-4.csv", "accounts-4.csv.error.txt", "accounts-7.csv", "accounts-7.csv.error.txt", "accounts-7.csv.rejects.csv"])
        #expect(scratch.text(scratch.workspace.failed + "/accounts-4.csv.error.txt").contains("quarantined"))
        #expect(scratch.files(in: scratch.workspace.outbox).count == 4)
    }

    @Test("a fault outside the files when a batch is delivered puts its units back into the inbox, as one file alone")
    func batchDeliveryFault() throws {
        let scratch = try batchWorkspace()
        // A file where archive/ should be: no archive/<day> folder can be made.
        try FileManager.default.removeItem(atPath: scratch.workspace.archive)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: scratch.workspace.archive))
        let blocked = try ferry(scratch)
        #expect(scratch.files(in: scratch.workspace.work).isEmpty, "nothing stranded in the work area: \(blocked.output)")
        // As without a batch: the failing file cannot be checked against the archive either, so it waits too.
        #expect(scratch.files(in: scratch.workspace.inbox) == (1...7).map { "accounts-\($0).csv" })
        for number in 1...7 { #expect(blocked.output.contains("accounts-\(number).csv"), "each unit has its line: \(blocked.output)") }
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)

        try FileManager.default.removeItem(atPath: scratch.workspace.archive)
        try FileManager.default.createDirectory(atPath: scratch.workspace.archive, withIntermediateDirectories: false)
        let fixed = try ferry(scratch)
        #expect(fixed.status == 1, "accounts-7 fails: \(fixed.output)")
        #expect(scratch.archived == (1...6).map { "accounts-\($0).csv" })
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts-7.csv", "accounts-7.csv.error.txt", "accounts-7.csv.rejects.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox).count == 5)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
    }

    @Test("the same content dropped twice is delivered once; the second is archived as a duplicate")
    func duplicate() throws {
        let scratch = try TemporaryWorkspace()
        let template = try Fixtures.template(Self.template, name: "accounts")
        try scratch.drop("accounts-a.csv", "accountnumber\nA1\n")
        _ = try RunPass(workspace: scratch.workspace, templates: [template]).run()
        try scratch.drop("accounts-b.csv", "accountnumber\nA1\n")
        let second = try RunPass(workspace: scratch.workspace, templates: [template]).run()
        #expect(second.files.first?.outcome == .duplicate)
        #expect(second.files.first?.error?.contains("same content as accounts-a.csv") == true)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(scratch.archived == ["accounts-a.csv", "accounts-b.csv"])
        let ledger = try Ledger(workspace: scratch.workspace)
        #expect(try ledger.history(limit: 10).map(\.state) == [.duplicate, .done])

        try scratch.drop("accounts-c.csv", "accountnumber\nA1\n")
        let forced = try RunPass(workspace: scratch.workspace, templates: [template], force: true).run()
        #expect(forced.files.first?.outcome == .delivered)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 2)
    }

    @Test("content delivered before is a duplicate even when the template now fails it; with --force it fails")
    func duplicateThatWouldFailNow() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts-a.csv", "accountnumber\nA1\n")
        _ = try RunPass(workspace: scratch.workspace, templates: [try Fixtures.template(Self.template, name: "accounts")]).run()
        // Stricter since: account numbers of one character; A1 is now a rejected row, and max_rejects is 0.
        let stricter = try Fixtures.template(Self.template.replacingOccurrences(of: "| required", with: "| required | max 1"), name: "accounts")

        try scratch.drop("accounts-b.csv", "accountnumber\nA1\n")
        let again = try RunPass(workspace: scratch.workspace, templates: [stricter]).run()
        #expect(again.files.first?.outcome == .duplicate, "\(again.files)")
        #expect(again.files.first?.error?.contains("same content as accounts-a.csv") == true)
        #expect(again.files.first?.error?.contains("ferry replay 1") == true, "the template changed: the note names the replay")
        #expect(scratch.archived == ["accounts-a.csv", "accounts-b.csv"])
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty, "no failure note for content already delivered")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(scratch.stagedFiles.isEmpty, "the rejects of the attempt are not left in staging")

        try scratch.drop("accounts-c.csv", "accountnumber\nA1\n")
        let forced = try RunPass(workspace: scratch.workspace, templates: [stricter], force: true).run()
        #expect(forced.files.first?.outcome == .failed)
        #expect(scratch.files(in: scratch.workspace.failed).contains("accounts-c.csv.error.txt"))
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }

    @Test("content that crashed the process three times is quarantined in failed/")
    func quarantine() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        for _ in 1...3 { #expect([SIGSEGV, 139].contains(try ferry(scratch, crashAt: "claimed:crash").status)) }
        let last = try ferry(scratch)
        #expect(last.status == 1)
        #expect(scratch.text(scratch.workspace.failed + "/accounts-1.csv.error.txt").contains("quarantined"))
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
    }

    @Test("the ledger records the template version, counts and where everything went")
    func ledgerContents() throws {
        let scratch = try workspace()
        _ = try ferry(scratch)
        let entries = try Ledger(workspace: scratch.workspace).history(limit: 10)
        #expect(entries.count == 3)
        let delivered = try #require(entries.first { $0.name == "accounts-1.csv" })
        #expect(delivered.state == .done)
        #expect(delivered.rowsWritten == 2)
        #expect(delivered.templateHash?.count == 64)
        #expect(delivered.digest.count == 64)
        #expect(delivered.outputs.count == 1)
        #expect(delivered.inputNowAt?.contains("/archive/") == true)
        let failed = try #require(entries.first { $0.name == "accounts-2.csv" })
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("max_rejects") == true)
    }
}

@Suite("faults outside the input")
struct TransientFaultTests {
    @Test("an outbox that cannot be written keeps the outputs waiting; the next run delivers them once")
    func blockedOutbox() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(CrashRecoveryTests.template.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        // A file where the outbox folder should be: every move into it fails (root ignores permissions).
        try FileManager.default.removeItem(atPath: scratch.workspace.outbox)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: scratch.workspace.outbox))
        let blocked = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(blocked.status == 3, "\(blocked.output)")
        #expect(blocked.output.contains("waiting    accounts-1.csv"))
        #expect(scratch.files(in: scratch.workspace.work) == ["accounts-1.csv"], "the input stays claimed, safe")
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)

        let stillBlocked = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(stillBlocked.status == 3)

        try FileManager.default.removeItem(atPath: scratch.workspace.outbox)
        try FileManager.default.createDirectory(atPath: scratch.workspace.outbox, withIntermediateDirectories: false)
        let fixed = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(fixed.status == 0, "\(fixed.output) \(fixed.error)")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(scratch.archived == ["accounts-1.csv"])
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
        #expect(try Ledger(workspace: scratch.workspace).history(limit: 5).map(\.state) == [.done])
    }
}

@Suite("replay, history and status")
struct LedgerCommandTests {
    @Test("replay processes an archived input again into new outputs named by the template version")
    func replay() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        let templatePath = scratch.root + "/templates/accounts.yaml"
        try Data(CrashRecoveryTests.template.utf8).write(to: URL(fileURLWithPath: templatePath))
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try runProcess(ferryExecutable(), ["run", "--root", scratch.root]).status == 0)
        let archived = try #require(try Ledger(workspace: scratch.workspace).history(limit: 1).first?.inputNowAt)

        try Data(CrashRecoveryTests.template.replacingOccurrences(of: "accountnumber | required", with: "accountnumber | lower").utf8)
            .write(to: URL(fileURLWithPath: templatePath))
        let replay = try runProcess(ferryExecutable(), ["replay", "--root", scratch.root, archived])
        #expect(replay.status == 0, "\(replay.output) \(replay.error)")
        let packages = scratch.files(in: scratch.workspace.outbox)
        #expect(packages.count == 2)
        let replayed = try #require(packages.first { $0.contains("-replay-") })
        let entries = try SampleFlowTests.entries(of: scratch.workspace.outbox + "/" + replayed)
        #expect(entries.first { $0.0 == "Customers V3.csv" }?.1 == "[UTF-16LE BOM]CUSTOMERACCOUNT\r\na1\r\n")
        #expect(FileManager.default.fileExists(atPath: archived), "the archived copy is not touched")

        let history = try runProcess(ferryExecutable(), ["history", "--root", scratch.root])
        #expect(history.output.contains("accounts-1.csv"))
        #expect(history.output.split(separator: "\n").count == 3, "a header and two entries: \(history.output)")
        let status = try runProcess(ferryExecutable(), ["status", "--root", scratch.root])
        #expect(status.output.contains("Packages in outbox/:    2"))
        #expect(status.output.contains("Waiting in the inbox:   0"))
    }
}
