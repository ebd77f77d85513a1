import Foundation
import Synchronization
import Testing
@testable import Ferry

/// SFTP push and pull against a real OpenSSH server the test starts on loopback.
@Suite("SFTP push and pull", .serialized)
struct SFTPExchangeTests {
    @Test("ferry run pulls complete remote files, delivers them, and pushes each package once")
    func runPullsAndPushes() throws {
        let partner = try SFTPPartner()
        try partner.configure()
        try Data(("accountnumber\n" + WatchTests.rows(0..<500)).utf8).write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-a.csv"))
        try Data(("accountnumber\n" + WatchTests.rows(500..<1200)).utf8).write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-b.csv"))
        // Still being uploaded by the partner's convention: never taken.
        try Data("accountnumber\nACC-X\n".utf8).write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-c.csv.part"))
        // Still growing under its final name: its size changes within the settle time, so it is not taken.
        let growing = partner.outgoing + "/accounts-growing.csv"
        try Data("accountnumber\n".utf8).write(to: URL(fileURLWithPath: growing))
        let writing = Atomic<Bool>(true)
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: growing) else { return }
            while writing.load(ordering: .relaxed) {
                handle.seekToEndOfFile()
                handle.write(Data("ACC-G\n".utf8))
                Thread.sleep(forTimeInterval: 0.05)
            }
            try? handle.close()
        }
        writer.start()
        let run = try partner.ferry(["run"])
        writing.store(false, ordering: .relaxed)
        #expect(run.status == 0, "\(run.output)\n\(run.error)\n\(partner.server.log)")

        #expect(partner.scratch.archived == ["accounts-a.csv", "accounts-b.csv"])
        #expect(partner.files(partner.workspace.inbox).isEmpty)
        #expect(partner.files(partner.workspace.failed).isEmpty)
        #expect(partner.files(partner.outgoing) == ["accounts-c.csv.part", "accounts-growing.csv"], "pulled files are removed on the server, the others stay")
        #expect(partner.files(partner.workspace.root + "/.ferry/pulling").isEmpty)
        let packages = partner.files(partner.workspace.outbox)
        #expect(packages.count == 2)
        #expect(partner.files(partner.incoming) == packages, "every package pushed under its own name, no .part left")
        for package in packages {
            #expect(partner.bytes(partner.incoming + "/" + package) == partner.bytes(partner.workspace.outbox + "/" + package), "\(package): same bytes")
        }
        #expect(run.output.contains("exchange: 2 pulled, 2 pushed, 0 failed"), "\(run.output)")

        Thread.sleep(forTimeInterval: 0.2)
        try FileManager.default.removeItem(atPath: growing)
        // Again: nothing new to pull or push; a package the partner already took is not pushed again either.
        let times = try packages.map { try FileManager.default.attributesOfItem(atPath: partner.incoming + "/" + $0)[.modificationDate] as? Date }
        try FileManager.default.removeItem(atPath: partner.incoming + "/" + packages[0])
        let again = try partner.ferry(["exchange"])
        #expect(again.status == 0, "\(again.output)\n\(again.error)")
        #expect(again.output.contains("exchange: 0 pulled, 0 pushed, 0 failed"), "\(again.output)")
        #expect(partner.files(partner.incoming) == [packages[1]])
        let after = try FileManager.default.attributesOfItem(atPath: partner.incoming + "/" + packages[1])[.modificationDate] as? Date
        #expect(after == times[1], "the delivered package was not uploaded again")
        let ledger = try Ledger(workspace: partner.workspace)
        for package in packages {
            let record = try #require(try ledger.push(exchange: "erp", package: package))
            #expect(record.state == .delivered && record.remotePath == "incoming/\(package)" && record.attempts == 1)
        }
    }

    @Test("ferry watch pulls new remote files as they come, delivers them and pushes their packages")
    func watchPullsAndPushes() throws {
        let partner = try SFTPPartner()
        try partner.configure()
        try Data(("accountnumber\n" + WatchTests.rows(0..<300)).utf8).write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-a.csv"))
        let watcher = try WatchTests.RunningWatcher(root: partner.scratch.root)
        #expect(watcher.waitUntilWatching())
        #expect(WatchTests.eventually(60) { partner.files(partner.incoming).count == 1 }, "\(watcher.output)")
        try Data(("accountnumber\n" + WatchTests.rows(300..<400)).utf8).write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-b.csv"))
        #expect(WatchTests.eventually(60) { partner.files(partner.incoming).count == 2 }, "\(watcher.output)")
        #expect(watcher.stop() == 0)
        #expect(partner.scratch.archived == ["accounts-a.csv", "accounts-b.csv"])
        #expect(partner.files(partner.outgoing).isEmpty)
        let packages = partner.files(partner.workspace.outbox)
        #expect(partner.files(partner.incoming) == packages)
        for package in packages {
            #expect(partner.bytes(partner.incoming + "/" + package) == partner.bytes(partner.workspace.outbox + "/" + package))
        }
        #expect(watcher.output.contains("sftp pulled crm:") && watcher.output.contains("sftp pushed erp:"), "\(watcher.output)")
    }

    @Test("after_pull: move: done moves the remote file, keeping both when the name is taken there; a name taken in the inbox gets -2")
    func pullMovesAndNeverReplaces() throws {
        let partner = try SFTPPartner()
        try partner.configure(pull: ["files: \"*.csv\"", "settle: 0.2", "after_pull: \"move: done\""])
        _ = try Ledger(workspace: partner.workspace)
        let export = Data("accountnumber\nACC-2\n".utf8)
        try export.write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-a.csv"))
        try Data("older".utf8).write(to: URL(fileURLWithPath: partner.home + "/done/accounts-a.csv"))
        try Data("waiting".utf8).write(to: URL(fileURLWithPath: partner.workspace.inbox + "/accounts-a.csv"))
        let result = try partner.ferry(["exchange", "--pull-only"])
        #expect(result.status == 0, "\(result.error)")
        #expect(partner.files(partner.workspace.inbox) == ["accounts-a-2.csv", "accounts-a.csv"])
        #expect(partner.bytes(partner.workspace.inbox + "/accounts-a-2.csv") == export)
        #expect(partner.bytes(partner.workspace.inbox + "/accounts-a.csv") == Data("waiting".utf8), "the inbox file was not replaced")
        #expect(partner.files(partner.outgoing).isEmpty)
        let done = partner.files(partner.home + "/done")
        #expect(done.count == 2 && done.contains("accounts-a.csv") && done.contains { $0.hasPrefix("accounts-a.csv.") }, "\(done)")
        #expect(partner.bytes(partner.home + "/done/accounts-a.csv") == Data("older".utf8), "the partner's older file was kept")
    }

    @Test("a server whose host key is unknown or changed is refused before anything moves")
    func unknownHostKeyRefused() throws {
        let partner = try SFTPPartner()
        _ = try Ledger(workspace: partner.workspace)
        try Data("accountnumber\nACC-1\n".utf8).write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-a.csv"))
        try Data("package".utf8).write(to: URL(fileURLWithPath: partner.workspace.outbox + "/customers-1.zip"))
        // Another key recorded for the same host and port: the "changed key" case.
        let other = partner.server.folder + "/other_ed25519"
        #expect(try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]).status == 0)
        let otherKey = try String(contentsOfFile: other + ".pub", encoding: .utf8)
        let changed = partner.server.folder + "/changed_known_hosts"
        try Data("[127.0.0.1]:\(partner.server.port) \(otherKey)".utf8).write(to: URL(fileURLWithPath: changed))
        let empty = partner.server.folder + "/empty_known_hosts"
        try Data().write(to: URL(fileURLWithPath: empty))

        for (knownHosts, message) in [(changed, "differs from the one"), (empty, "is not in")] {
            try partner.configure(knownHosts: knownHosts)
            let result = try partner.ferry(["exchange"])
            #expect(result.status == 1)
            #expect(result.error.contains(message) && result.error.contains("refused") && result.error.contains(knownHosts), "\(result.error)")
            #expect(!result.error.contains("attempt"), "a refused host key is not retried: \(result.error)")
        }
        #expect(partner.files(partner.incoming).isEmpty)
        #expect(partner.files(partner.outgoing) == ["accounts-a.csv"])
        #expect(partner.files(partner.workspace.inbox).isEmpty)
        #expect(!partner.server.log.contains("Accepted publickey"), "Ferry never logged in")
    }

    @Test("a server that cannot be reached: retried, then the entry's files wait for the next pass, one failure each entry")
    func unreachableServer() throws {
        let partner = try SFTPPartner()
        try partner.configure(pull: ["attempts: 2"], push: ["attempts: 2"])
        let config = partner.scratch.root + "/ferry.yaml"
        let nobody = try OpenSSHServer.freeLoopbackPort()
        try Data(try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "port: \(partner.server.port)", with: "port: \(nobody)").utf8)
            .write(to: URL(fileURLWithPath: config))
        _ = try Ledger(workspace: partner.workspace)
        for name in ["customers-1.zip", "customers-2.zip", "customers-3.zip"] {
            try Data(name.utf8).write(to: URL(fileURLWithPath: partner.workspace.outbox + "/" + name))
        }
        let result = try partner.ferry(["exchange"])
        #expect(result.status == 1)
        let failures = result.error.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(failures.count == 2, "one for crm, one for erp: \(result.error)")
        #expect(failures.allSatisfy { $0.contains("127.0.0.1:\(nobody)") && $0.contains("Connection refused") }, "\(failures)")
        #expect(result.error.components(separatedBy: "attempt 1 of 2 failed").count - 1 == 2, "each entry retried once: \(result.error)")
        #expect(partner.files(partner.workspace.outbox).count == 3)
        #expect(try Ledger(workspace: partner.workspace).push(exchange: "erp", package: "customers-2.zip") == nil)
    }

    @Test("a connection dropped in the middle of a large upload is retried: one complete delivery, no .part")
    func uploadDroppedMidway() throws {
        let partner = try SFTPPartner()
        try partner.configure()
        let package = "customers-big.zip"
        let ledger = try Ledger(workspace: partner.workspace)
        let content = SFTPPartner.payload(48 << 20, seed: 7)
        try content.write(to: URL(fileURLWithPath: partner.workspace.outbox + "/" + package))
        let settings = try partner.settings
        let pusher = SFTPPusher(workspace: partner.workspace, ledger: ledger, entries: settings.push)

        let (report, log, drops) = try Self.dropMidway(watching: partner.incoming + "/" + package + ".part", total: content.count, partner: partner) {
            pusher.run(log: $0)
        }
        #expect(drops > 0, "the connection was dropped while the .part was partial")
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.pushed.count == 1)
        #expect(log.contains { $0.contains("attempt 1 of 5 failed") }, "\(log)")
        #expect(partner.files(partner.incoming) == [package])
        #expect(partner.bytes(partner.incoming + "/" + package) == content)
        let record = try #require(try Ledger(workspace: partner.workspace).push(exchange: "erp", package: package))
        #expect(record.state == .delivered && record.attempts == 2)
        #expect(pusher.run(log: { _ in }).pushed.isEmpty, "delivered once")
    }

    @Test("a connection dropped in the middle of a large download is retried: one complete file in the inbox")
    func downloadDroppedMidway() throws {
        let partner = try SFTPPartner()
        try partner.configure(pull: ["files: \"*.bin\"", "settle: 0.2"])
        let content = SFTPPartner.payload(48 << 20, seed: 11)
        try content.write(to: URL(fileURLWithPath: partner.outgoing + "/export.bin"))
        let puller = SFTPPuller(workspace: partner.workspace, ledger: try Ledger(workspace: partner.workspace), entries: try partner.settings.pull)
        // The download goes to .ferry/pulling/<entry>-<id>-export.bin.
        let pulling = partner.workspace.root + "/.ferry/pulling"
        let (report, log, drops) = try Self.dropMidway(watching: { partner.files(pulling).first.map { pulling + "/" + $0 } },
                                                       total: content.count, partner: partner) { puller.run(log: $0) }
        #expect(drops > 0, "the connection was dropped while the download was partial")
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.pulled.count == 1)
        #expect(log.contains { $0.contains("attempt 1 of 5 failed") }, "\(log)")
        #expect(partner.files(partner.workspace.inbox) == ["export.bin"])
        #expect(partner.bytes(partner.workspace.inbox + "/export.bin") == content)
        #expect(partner.files(pulling).isEmpty)
        #expect(partner.files(partner.outgoing).isEmpty)
    }

    @Test("ferry exchange killed at each step and run again: each file exactly once on both sides",
          arguments: ["push-uploaded", "push-renamed", "pull-fetched", "pull-inboxed"])
    func killedAndRunAgain(point: String) throws {
        let partner = try SFTPPartner()
        try partner.configure(pull: ["files: \"*.csv\"", "settle: 0.2"])
        _ = try Ledger(workspace: partner.workspace)
        let package = SFTPPartner.payload(3 << 20, seed: 3), export = Data(("accountnumber\n" + WatchTests.rows(0..<100)).utf8)
        try package.write(to: URL(fileURLWithPath: partner.workspace.outbox + "/customers-1.zip"))
        try export.write(to: URL(fileURLWithPath: partner.outgoing + "/accounts-a.csv"))

        let killed = try partner.ferry(["exchange"], environment: ["FERRY_CRASH_AT": point])
        #expect(killed.status == 137, "stopped at \(point): \(killed.error)")
        let again = try partner.ferry(["exchange"])
        #expect(again.status == 0, "\(again.output)\n\(again.error)")

        #expect(partner.files(partner.incoming) == ["customers-1.zip"], "no .part, no second copy")
        #expect(partner.bytes(partner.incoming + "/customers-1.zip") == package)
        #expect(partner.files(partner.workspace.inbox) == ["accounts-a.csv"], "pulled once")
        #expect(partner.bytes(partner.workspace.inbox + "/accounts-a.csv") == export)
        #expect(partner.files(partner.outgoing).isEmpty)
        #expect(partner.files(partner.workspace.root + "/.ferry/pulling").isEmpty)
        let ledger = try Ledger(workspace: partner.workspace)
        #expect(try ledger.push(exchange: "erp", package: "customers-1.zip")?.state == .delivered)
        #expect(try ledger.unfinishedPulls(exchange: "crm").isEmpty)
    }

    @Test("a package renamed on the server just before a crash, and taken by the partner since, is not pushed again")
    func renamedThenTakenIsNotPushedAgain() throws {
        let partner = try SFTPPartner()
        try partner.configure()
        _ = try Ledger(workspace: partner.workspace)
        try Data("package".utf8).write(to: URL(fileURLWithPath: partner.workspace.outbox + "/customers-1.zip"))
        #expect(try partner.ferry(["exchange"], environment: ["FERRY_CRASH_AT": "push-renamed"]).status == 137)
        #expect(partner.files(partner.incoming) == ["customers-1.zip"])
        try FileManager.default.removeItem(atPath: partner.incoming + "/customers-1.zip")
        let again = try partner.ferry(["exchange"])
        #expect(again.status == 0, "\(again.error)")
        #expect(partner.files(partner.incoming).isEmpty, "not delivered a second time")
        let record = try Ledger(workspace: partner.workspace).push(exchange: "erp", package: "customers-1.zip")
        #expect(record?.state == .delivered && record?.error?.contains("taken from the server by the partner") == true)
    }

    @Test("local_copy: delete removes the outbox copy only once it is delivered")
    func deliveredCopyDeleted() throws {
        let partner = try SFTPPartner()
        try partner.configure(push: ["local_copy: delete"])
        _ = try Ledger(workspace: partner.workspace)
        try Data("package".utf8).write(to: URL(fileURLWithPath: partner.workspace.outbox + "/customers-1.zip"))
        #expect(try partner.ferry(["exchange"], environment: ["FERRY_CRASH_AT": "push-renamed"]).status == 137)
        #expect(partner.files(partner.workspace.outbox) == ["customers-1.zip"], "kept until the delivery is recorded")
        #expect(try partner.ferry(["exchange"]).status == 0)
        #expect(partner.files(partner.workspace.outbox).isEmpty)
        #expect(partner.files(partner.incoming) == ["customers-1.zip"])
    }

    /// Runs `transfer` on its own thread and drops the server's connections once the file at `watching` holds some but
    /// not all of `total` bytes; returns the transfer's report, its log lines and how many server processes were killed.
    static func dropMidway(watching: String, total: Int, partner: SFTPPartner,
                           _ transfer: @escaping @Sendable (@escaping ExchangeLog) -> ExchangeReport) throws -> (ExchangeReport, [String], Int) {
        try dropMidway(watching: { watching }, total: total, partner: partner, transfer)
    }

    static func dropMidway(watching: @escaping () -> String?, total: Int, partner: SFTPPartner,
                           _ transfer: @escaping @Sendable (@escaping ExchangeLog) -> ExchangeReport) throws -> (ExchangeReport, [String], Int) {
        let outcome = Mutex<(report: ExchangeReport?, log: [String])>((nil, []))
        let thread = Thread {
            let report = transfer { line in outcome.withLock { $0.log.append(line) } }
            outcome.withLock { $0.report = report }
        }
        thread.start()
        var drops = 0
        let deadline = Date().addingTimeInterval(120)
        while outcome.withLock({ $0.report == nil }) && Date() < deadline {
            if drops == 0, let path = watching(),
               let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0, size < total / 2 {
                drops = partner.server.dropConnections()
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        let result = outcome.withLock { $0 }
        let report = try #require(result.report, "the transfer ended within two minutes")
        return (report, result.log, drops)
    }
}
