import Foundation
import Testing
@testable import Ferry

/// The watcher as a service an operator runs for days: broken templates stay in their own flow,
/// templates reload while it runs, and replay, retry, explain, status and history work beside it.
@Suite("ferry watch as a service", .serialized)
struct ServiceTests {
    static let accounts = """
    takes: accounts*.csv
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    """
    static let contacts = """
    takes: contacts*.csv
    target: {system: sales, entity: contact, name: contacts}
    fields:
      lastname: lastname | upper
    """

    func workspace(_ templates: [String: String]) throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        for (name, text) in templates { try write(scratch, "templates/" + name, text) }
        return scratch
    }

    func write(_ scratch: TemporaryWorkspace, _ relative: String, _ text: String) throws {
        // Written beside and renamed into place, as editors save, so a reload never reads half a file.
        let path = scratch.root + "/" + relative
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".saving"))
        #expect(rename(path + ".saving", path) == 0)
    }

    func ferry(_ arguments: [String], _ scratch: TemporaryWorkspace) throws -> (status: Int32, output: String, error: String) {
        try runProcess(ferryExecutable(), arguments + ["--root", scratch.root])
    }

    func eventually(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        WatchTests.eventually(seconds, condition)
    }

    // MARK: 1. one broken template stops only its own flow

    @Test("a template broken at start disables only its flow: the others run, its files wait, status and explain say why; fixed, it runs")
    func brokenTemplateIsolated() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts, "contacts.yaml": Self.contacts.replacingOccurrences(of: "upper", with: "shout")])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching(), "the watcher starts in spite of the broken template: \(watcher.output)")
        #expect(watcher.output.contains("template broken: its flow is disabled, its files wait in the inbox until it is fixed"))
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        try scratch.drop("contacts-1.csv", "lastname\nKovács\n")
        #expect(eventually { scratch.archived == ["accounts-1.csv"] })
        Thread.sleep(forTimeInterval: 1.5)
        #expect(scratch.files(in: scratch.workspace.inbox) == ["contacts-1.csv"], "the broken flow's file waits in the inbox")
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty, "and does not fail")

        let status = try ferry(["status"], scratch)
        #expect(status.output.contains("Templates:              1 active, 0 running their last good version, 1 disabled"), "\(status.output)")
        #expect(status.output.contains("contacts: broken and disabled; its files wait in the inbox"))
        let explained = try ferry(["explain", "contacts-1.csv"], scratch)
        #expect(explained.output.contains("contacts-1.csv waits in the inbox: the template that takes it, contacts"), "\(explained.output)")
        #expect(explained.output.contains("unknown function \"shout\""))

        try write(scratch, "templates/contacts.yaml", Self.contacts)
        #expect(eventually { scratch.archived == ["accounts-1.csv", "contacts-1.csv"] }, "fixed, the flow runs: \(watcher.output)")
        #expect(watcher.output.contains("templates reloaded fixed=contacts"))
        #expect(watcher.stop() == 0)
    }

    // MARK: 2. reload

    @Test("a template added while the watcher runs takes its files; a template broken on reload keeps its last good version")
    func reloadOnFolderChange() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        try write(scratch, "templates/contacts.yaml", Self.contacts)
        #expect(eventually(10) { watcher.output.contains("templates reloaded added=contacts") }, "\(watcher.output)")
        try scratch.drop("contacts-1.csv", "lastname\nTóth\n")
        #expect(eventually { scratch.archived == ["contacts-1.csv"] }, "not failed as 'no template matches'")

        try write(scratch, "templates/contacts.yaml", Self.contacts.replacingOccurrences(of: "upper", with: "uper"))
        #expect(eventually(10) { watcher.output.contains("template broken: its last good version goes on running until it is fixed") })
        try scratch.drop("contacts-2.csv", "lastname\nNagy\n")
        #expect(eventually { scratch.archived.contains("contacts-2.csv") }, "the last good version runs")
        let package = try #require(scratch.files(in: scratch.workspace.outbox).first { $0.hasPrefix("contacts-contacts-2-") })
        #expect(scratch.text(scratch.workspace.outbox + "/" + package).contains("NAGY"))
        let status = try ferry(["status"], scratch)
        #expect(status.output.contains("contacts: broken; its last good version"), "\(status.output)")
        #expect(watcher.stop() == 0)
    }

    @Test("a lookup file is part of its template's version: changed while the watcher runs, it is reloaded and used, and the same export again is told the template changed")
    func lookupFileChange() throws {
        let template = """
        takes: accounts*.csv
        target: {system: file, entity: accounts, name: accounts}
        fields:
          A: accountnumber | required
          C: country | lookup countries
        lookups:
          countries: {file: countries.csv, key: iso2, value: iso3}
        """
        let scratch = try workspace(["accounts.yaml": template, "countries.csv": "iso2,iso3\nHU,HUN\n"])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        try scratch.drop("accounts-1.csv", "accountnumber,country\nA1,HU\n")
        #expect(eventually { scratch.archived == ["accounts-1.csv"] })

        try write(scratch, "templates/countries.csv", "iso2,iso3\nHU,HUX\n")
        #expect(eventually(10) { watcher.output.contains("templates reloaded changed=accounts") }, "\(watcher.output)")
        try scratch.drop("accounts-2.csv", "accountnumber,country\nA2,HU\n")
        #expect(eventually { scratch.archived.contains("accounts-2.csv") })
        let package = try #require(scratch.files(in: scratch.workspace.outbox).first { $0.hasPrefix("accounts-accounts-2-") })
        #expect(scratch.text(scratch.workspace.outbox + "/" + package) == "A,C\nA2,HUX\n")

        try scratch.drop("accounts-1.csv", "accountnumber,country\nA1,HU\n")
        #expect(eventually { watcher.output.contains("outcome=duplicate") })
        let line = try #require(watcher.output.split(separator: "\n").first { $0.contains("outcome=duplicate") })
        #expect(line.contains("Template accounts has changed since"), "\(line)")
        #expect(watcher.stop() == 0)
    }

    @Test("a template added while the watcher runs whose takes: overlap another's is named in the log with a file both take, before such a file fails")
    func overlapOnReload() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        #expect(!watcher.output.contains("templates overlap"))
        try write(scratch, "templates/accounts-hu.yaml", Self.accounts.replacingOccurrences(of: "accounts*.csv", with: "accounts-hu*.csv"))
        #expect(eventually(10) { watcher.output.contains("templates overlap") }, "\(watcher.output)")
        let line = try #require(watcher.output.split(separator: "\n").first { $0.contains("templates overlap") })
        #expect(line.contains("templates=accounts,accounts-hu") && line.contains("example=accounts-hu"), "\(line)")
        #expect(watcher.stop() == 0)
    }

    @Test("SIGHUP reads the templates again when nothing else would notice (polling, a long scan interval)")
    func reloadOnHangup() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root, arguments: ["--poll", "--scan-interval", "60"])
        #expect(watcher.waitUntilWatching())
        Thread.sleep(forTimeInterval: 1)  // past the scan at start
        try write(scratch, "templates/contacts.yaml", Self.contacts)
        Thread.sleep(forTimeInterval: 1)
        #expect(!watcher.output.contains("templates reloaded"))
        kill(watcher.process.processIdentifier, SIGHUP)
        #expect(eventually(10) { watcher.output.contains("templates reloaded added=contacts") }, "\(watcher.output)")
        #expect(watcher.process.isRunning)
        #expect(watcher.stop() == 0)
    }

    // MARK: 4. beside the service

    @Test("replay (by name and by ledger id), retry, explain, status and history work beside a running watcher; run is still refused")
    func operatingBesideTheWatcher() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(eventually { scratch.archived == ["accounts-1.csv"] })

        let byName = try ferry(["replay", "accounts-1.csv"], scratch)
        #expect(byName.status == 0, "\(byName.output) \(byName.error)")
        #expect(byName.output.contains("delivered  accounts-1.csv -> accounts-accounts-1-replay-"))
        let byId = try ferry(["replay", "1"], scratch)
        #expect(byId.status == 0, "\(byId.output) \(byId.error)")
        #expect(scratch.files(in: scratch.workspace.outbox).filter { $0.contains("-replay-") }.count == 2)

        for command in [["status"], ["history"], ["explain", "accounts-1.csv"]] {
            let result = try ferry(command, scratch)
            #expect(result.status == 0, "\(command): \(result.error)")
        }
        #expect(try ferry(["status"], scratch).output.contains("Ferry:                  running here (pid \(watcher.process.processIdentifier))"))
        let run = try ferry(["run"], scratch)
        #expect(run.status == 2, "one owner at a time: \(run.output)")
        // The watcher's own staging folder stays (empty) while it runs; nothing of the replays is left.
        #expect(scratch.files(in: scratch.workspace.work).isEmpty && scratch.stagedFiles.isEmpty, "\(scratch.stagedFiles)")
        #expect(watcher.stop() == 0)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty, "the watcher removes its staging folder when it stops")
    }

    @Test("replay with a broken template says the input is not replayed and the archive untouched, not that a file waits in the inbox")
    func replayWithBrokenTemplate() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try ferry(["run"], scratch).status == 0)
        let outbox = scratch.files(in: scratch.workspace.outbox)
        try write(scratch, "templates/accounts.yaml", Self.accounts.replacingOccurrences(of: "required", with: "requird"))
        let replay = try ferry(["replay", "accounts-1.csv"], scratch)
        #expect(replay.status != 0)
        #expect(replay.error.contains("template accounts (\(scratch.root)/templates/accounts.yaml) is broken, so this input is not replayed; the archived copy is untouched"), "\(replay.error)")
        #expect(replay.error.contains("unknown function \"requird\""))
        #expect(!replay.error.contains("waits in the inbox"))
        #expect(scratch.archived == ["accounts-1.csv"] && scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.outbox) == outbox)
    }

    @Test("a watcher starting while a replay works waits for it before recovering, so it never takes the replay's files")
    func ownerWaitsForGuests() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        try scratch.drop("accounts-big.csv", "accountnumber\n" + WatchTests.rows(0..<400_000))
        #expect(try ferry(["run"], scratch).status == 0)
        let replay = Process()
        replay.executableURL = URL(fileURLWithPath: ferryExecutable())
        replay.arguments = ["replay", "accounts-big.csv", "--root", scratch.root]
        replay.standardOutput = FileHandle.nullDevice
        try replay.run()
        #expect(eventually(10) { scratch.files(in: scratch.workspace.staging).contains { $0.hasPrefix("replay-") } }, "the replay is at work")
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        replay.waitUntilExit()
        #expect(replay.terminationStatus == 0, "the replay was not disturbed")
        #expect(watcher.waitUntilWatching())
        if watcher.output.contains("waiting for a ferry replay") {
            #expect(watcher.output.range(of: "waiting for a ferry replay")!.lowerBound < watcher.output.range(of: "watching")!.lowerBound)
        }
        #expect(!watcher.output.contains("returned to the inbox"), "recovery took nothing of the replay's: \(watcher.output)")
        #expect(scratch.files(in: scratch.workspace.outbox).filter { $0.contains("-replay-") }.count == 1)
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(try Ledger(workspace: scratch.workspace).history(limit: 5).allSatisfy { $0.state == .done })
        #expect(watcher.stop() == 0)
    }

    // MARK: 5. retry

    @Test("ferry retry puts a fixed failed input back and removes its note; the watcher takes it; --all takes every one")
    func retry() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        try scratch.drop("accounts-1.csv", "accountnumber\n\"A1\n")
        try scratch.drop("accounts-2.csv", "accountnumber\n\"A2\n")
        #expect(eventually { scratch.files(in: scratch.workspace.failed).count == 4 })
        try "accountnumber\nA1\n".write(toFile: scratch.workspace.failed + "/accounts-1.csv", atomically: false, encoding: .utf8)
        let one = try ferry(["retry", "accounts-1.csv"], scratch)
        #expect(one.status == 0, "\(one.output)")
        #expect(one.output.contains("retried    accounts-1.csv"))
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts-2.csv", "accounts-2.csv.error.txt"], "the old note went with it")
        #expect(eventually { scratch.archived == ["accounts-1.csv"] })

        let all = try ferry(["retry", "--all"], scratch)
        #expect(all.output.contains("retried    accounts-2.csv"))
        #expect(eventually { scratch.files(in: scratch.workspace.failed) == ["accounts-2.csv", "accounts-2.csv.error.txt"] }, "failed again, one note beside it")
        #expect(watcher.stop() == 0)
        #expect(try Ledger(workspace: scratch.workspace).history(limit: 10).contains { $0.state == .retried })
    }

    @Test("an input put back by hand fails again with its note beside it, not a second note under another name")
    func notePairsWithInput() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        try scratch.drop("accounts-1.csv", "accountnumber\n\"A1\n")
        _ = try ferry(["run"], scratch)
        try FileManager.default.moveItem(atPath: scratch.workspace.failed + "/accounts-1.csv", toPath: scratch.workspace.inbox + "/accounts-1.csv")
        _ = try ferry(["run"], scratch)
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts-1.csv", "accounts-1.csv.error.txt"])
    }

    @Test("a quarantined input comes back with ferry retry and gets its attempts again")
    func retryQuarantined() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        for _ in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ferryExecutable())
            process.arguments = ["run", "--root", scratch.root]
            // Crashes of Ferry on the content quarantine it; kills from outside would not.
            process.environment = ["FERRY_CRASH_AT": "claimed:crash"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        _ = try ferry(["run"], scratch)
        #expect(scratch.text(scratch.workspace.failed + "/accounts-1.csv.error.txt").contains("quarantined"))
        #expect(try ferry(["retry", "accounts-1.csv"], scratch).status == 0)
        let run = try ferry(["run"], scratch)
        #expect(run.status == 0, "\(run.output)")
        #expect(scratch.archived == ["accounts-1.csv"])
    }

    // MARK: 6. duplicates after a template change

    @Test("the same export dropped again after its template changed: archived as a duplicate, with a hint to replay")
    func duplicateAfterTemplateChange() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try ferry(["run"], scratch).status == 0)
        try write(scratch, "templates/accounts.yaml", Self.accounts + "\n  name: accountnumber | lower\n")
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        let again = try ferry(["run"], scratch)
        #expect(again.status == 0)
        #expect(again.output.contains("duplicate  accounts-1.csv"))
        #expect(again.output.contains("Template accounts has changed since"), "\(again.output)")
        #expect(again.output.contains("ferry replay 1"))
        try scratch.drop("accounts-9.csv", "accountnumber\nA9\n")
        #expect(try ferry(["run"], scratch).status == 0)
        try scratch.drop("accounts-9.csv", "accountnumber\nA9\n")
        let same = try ferry(["run"], scratch)
        #expect(same.output.contains("duplicate  accounts-9.csv"))
        #expect(!same.output.contains("has changed since"), "no hint when the template is the one the content was delivered with")
    }

    @Test("beside the watcher, a duplicate after a template change names the replay that works there (not ferry run --force), and it delivers with the new rules")
    func duplicateAfterTemplateChangeInService() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(eventually { scratch.archived == ["accounts-1.csv"] })
        try write(scratch, "templates/accounts.yaml", Self.accounts.replacingOccurrences(of: "| required", with: "| required | lower"))
        #expect(eventually(10) { watcher.output.contains("templates reloaded changed=accounts") }, "\(watcher.output)")
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(eventually { watcher.output.contains("outcome=duplicate") })
        let line = try #require(watcher.output.split(separator: "\n").first { $0.contains("outcome=duplicate") })
        #expect(line.contains("Template accounts has changed since") && line.contains("ferry replay 1"), "\(line)")
        #expect(!line.contains("ferry run --force"), "ferry run is refused while the watcher runs: \(line)")

        let replay = try ferry(["replay", "1"], scratch)
        #expect(replay.status == 0, "\(replay.output) \(replay.error)")
        let package = try #require(scratch.files(in: scratch.workspace.outbox).first { $0.contains("-replay-") })
        #expect(scratch.text(scratch.workspace.outbox + "/" + package).contains("\na1"), "the new rules apply")
        #expect(watcher.stop() == 0)
    }

    // MARK: 8. orphan done markers

    @Test("a done marker whose file was taken or is gone goes after a settle period; one whose file has not come stays")
    func orphanMarkers() throws {
        let scratch = try workspace(["accounts.yaml": Self.accounts])
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        #expect(watcher.waitUntilWatching())
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(eventually { scratch.archived == ["accounts-1.csv"] })
        try scratch.drop("accounts-1.csv.done", "")
        try scratch.drop("accounts-2.csv.done", "")
        #expect(eventually(10) { !FileManager.default.fileExists(atPath: scratch.workspace.inbox + "/accounts-1.csv.done") },
                "the marker of a file taken before it came is removed")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-2.csv.done"], "a marker whose file has not come waits for it")
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty, "a marker is never taken as an input")
        #expect(watcher.stop() == 0)
        // A marker for a file a watcher before this one took (the ledger knows) goes too.
        try scratch.drop("accounts-1.csv.ok", "")

        let marked = try WatchTests.RunningWatcher(root: scratch.root, arguments: ["--done-marker"])
        #expect(marked.waitUntilWatching())
        try scratch.drop("accounts-3.csv", "accountnumber\nA3\n")
        try scratch.drop("accounts-3.csv.ok", "")
        #expect(eventually { scratch.archived.contains("accounts-3.csv") && !FileManager.default.fileExists(atPath: scratch.workspace.inbox + "/accounts-3.csv.ok") })
        try scratch.drop("accounts-4.csv", "accountnumber\nA4\n")
        Thread.sleep(forTimeInterval: 0.3)
        try FileManager.default.removeItem(atPath: scratch.workspace.inbox + "/accounts-4.csv")
        try scratch.drop("accounts-4.csv.done", "")
        Thread.sleep(forTimeInterval: 0.3)
        try scratch.drop("accounts-2.csv", "accountnumber\nA2\n")
        #expect(eventually { scratch.archived.contains("accounts-2.csv") }, "the marker that came first released its file")
        #expect(eventually(10) { scratch.files(in: scratch.workspace.inbox).isEmpty }, "the marker of a file that is gone is removed: \(scratch.files(in: scratch.workspace.inbox))")
        #expect(marked.stop() == 0)
    }
}
