import Foundation
import Testing
@testable import Ferry

/// The shared ledger on a real PostgreSQL server the test starts itself (`initdb` + `pg_ctl` on a loopback port).
@Suite("PostgreSQL ledger", .serialized)
struct PostgreSQLLedgerTests {
    /// A workspace whose ferry.yaml points its ledger at `database` on `server`.
    func workspace(_ server: PostgreSQLServer, database: String) throws -> TemporaryWorkspace {
        try server.psql("CREATE DATABASE \(database)")
        let scratch = try CrashRecoveryTests().workspace()
        try Data("ledger: \(server.url(database: database))\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        return scratch
    }

    @Test("the schema is created by versioned migrations, applied once however many nodes open it; a newer schema is refused")
    func migrations() throws {
        let server = try PostgreSQLServer()
        let scratch = try workspace(server, database: "shared")
        let first = try Ledger(workspace: scratch.workspace)
        let second = try Ledger(workspace: scratch.workspace)
        #expect(first.postgresURL == server.url(database: "shared") && second.postgresURL != nil)
        #expect(try server.psql("SELECT version FROM ferry_schema_migrations ORDER BY version", database: "shared")
                == (1...PostgreSQLSchema.migrations.count).map(String.init).joined(separator: "\n"))
        #expect(try server.psql("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('inputs', 'moves', 'sightings', 'learned_keys')",
                                database: "shared") == "4")
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/.ferry/ledger.sqlite3"), "no SQLite ledger beside it")

        try server.psql("INSERT INTO ferry_schema_migrations (version) VALUES (\(PostgreSQLSchema.migrations.count + 1))", database: "shared")
        #expect {
            _ = try Ledger(workspace: scratch.workspace)
        } throws: { error in
            "\(error)".contains("written by a newer Ferry")
        }
    }

    @Test("SFTP transfers on either ledger: one push record per package and entry, attempts counted; unfinished pulls read back")
    func transfers() throws {
        let server = try PostgreSQLServer()
        for scratch in [try workspace(server, database: "transfers"), try CrashRecoveryTests().workspace()] {
            let ledger = try Ledger(workspace: scratch.workspace)
            let first = try ledger.beginPush(exchange: "erp", package: "a.zip", remotePath: "incoming/a.zip", size: 10, at: .now())
            let again = try ledger.beginPush(exchange: "erp", package: "a.zip", remotePath: "incoming/a.zip", size: 10, at: .now())
            #expect(first == again, "one record per package and entry (\(ledger.path))")
            try ledger.mark(transfer: first, .delivered, at: .now())
            let record = try #require(try ledger.push(exchange: "erp", package: "a.zip"))
            #expect(record.state == .delivered && record.attempts == 2 && record.remotePath == "incoming/a.zip" && record.finishedAt != nil)
            #expect(try ledger.push(exchange: "other", package: "a.zip") == nil)
            let pulling = scratch.root + "/.ferry/pulling/crm-1-x.csv"
            let pull = try ledger.beginPull(exchange: "crm", localPath: pulling, remotePath: "outgoing/x.csv", size: 5, modified: 1_700_000_000, at: .now())
            #expect(try ledger.unfinishedPulls(exchange: "crm").map(\.localPath) == [pulling])
            try ledger.mark(transfer: pull, .done, at: .now())
            #expect(try ledger.unfinishedPulls(exchange: "crm").isEmpty)
        }
    }

    @Test("the state machine: claim, plan, mark, finish; unfinished plans, interruptions and duplicates read back")
    func stateMachine() throws {
        let server = try PostgreSQLServer()
        let scratch = try workspace(server, database: "states")
        let ledger = try Ledger(workspace: scratch.workspace)
        let time = RunPassTests.fixedTime
        let id = try ledger.claim(name: "accounts-1.csv", size: 12, digest: "d1", template: nil, at: time)
        let moves = [Ledger.Move(source: scratch.workspace.staging + "/a.zip", destination: scratch.workspace.outbox + "/a.zip", kind: .package),
                     Ledger.Move(source: scratch.workspace.work + "/accounts-1.csv", destination: scratch.workspace.archive + "/accounts-1.csv", kind: .input)]
        try ledger.plan(id, state: .delivering, moves: moves)
        #expect(try ledger.unfinished().map(\.entry.id) == [id])
        #expect(try ledger.moves(of: id) == moves)
        #expect(try ledger.pendingSources() == Set(moves.map(\.source)))
        #expect(try server.psql("SELECT source FROM moves ORDER BY sequence LIMIT 1", database: "states") == ".ferry/staging/a.zip",
                "paths are stored relative to the workspace")
        try ledger.mark(id, move: 0, .done)
        #expect(try ledger.moves(of: id).map(\.state) == [.done, .planned])
        #expect(try ledger.delivered(digest: "d1")?.id == id)

        var report = FileReport(name: "accounts-1.csv", template: "accounts", outcome: .delivered)
        report.rowsRead = 2
        report.outputs = [scratch.workspace.outbox + "/a.zip"]
        try ledger.finish(id, state: .done, report: report, at: time)
        let entry = try #require(try ledger.entry(id))
        #expect(entry.state == .done && entry.rowsRead == 2 && entry.outputs == report.outputs && entry.finishedAt != nil)
        #expect(try ledger.unfinished().isEmpty)

        for state in [Ledger.State.crashed, .interrupted, .interrupted] {
            let again = try ledger.claim(name: "accounts-2.csv", size: 5, digest: "d2", template: nil, at: time)
            try ledger.finish(again, state: state, report: FileReport(name: "accounts-2.csv", template: nil, outcome: .failed), at: time)
        }
        #expect(try ledger.interruptions(name: "accounts-2.csv", size: 5) == Ledger.Interruptions(crashes: 1, stops: 2))
        try ledger.sighted(name: "accounts-3.csv", size: 9, modified: 1.5, firstSeen: 2.5)
        #expect(try ledger.sighting(name: "accounts-3.csv")?.firstSeen == 2.5)
        #expect(try ledger.history(limit: 10).count == 4)
    }

    @Test("ferry run on the PostgreSQL ledger, killed at each crash point and run again: every input once, every package once")
    func crashTable() throws {
        let server = try PostgreSQLServer()
        let crashes = CrashRecoveryTests()
        for point in ["claimed", "planned", "linked", "moved-first", "finished"] {
            let scratch = try workspace(server, database: "crash_\(point.replacingOccurrences(of: "-", with: "_"))")
            let crashed = try crashes.ferry(scratch, crashAt: point)
            #expect(crashed.status == 137, "\(point): \(crashed.output)")
            let rerun = try crashes.ferry(scratch)
            #expect(rerun.status == 1, "\(point): accounts-2 fails: \(rerun.output)")
            try crashes.assertExactlyOnce(scratch)
            // ferry run on a shared ledger is a node (the host name) with its own work area and staging.
            #expect(FileManager.default.fileExists(atPath: scratch.root + "/.ferry/nodes") && MultiNodeTests.strayFiles(scratch.root).isEmpty,
                    "\(point): \(MultiNodeTests.strayFiles(scratch.root))")
            let states = try Ledger(workspace: scratch.workspace).history(limit: 20).map(\.state)
            #expect(states.filter { $0 == .done }.count == 2 && states.filter { $0 == .failed }.count == 1, "\(point): \(states)")
        }
    }

    @Test("the same content dropped again is a duplicate through the shared ledger; a server that is down is named")
    func duplicatesAndOutage() throws {
        let server = try PostgreSQLServer()
        let scratch = try workspace(server, database: "dups")
        let crashes = CrashRecoveryTests()
        _ = try crashes.ferry(scratch)
        try scratch.drop("accounts-again.csv", "accountnumber\nA1\nA2\n")
        _ = try crashes.ferry(scratch)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 2, "the copy of accounts-1 made no package")
        #expect(try server.psql("SELECT state FROM inputs WHERE name = 'accounts-again.csv'", database: "dups") == "duplicate")

        try Data("ledger: postgres://ferry@127.0.0.1:\(try OpenSSHServer.freeLoopbackPort())/nowhere\n".utf8)
            .write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        try scratch.drop("accounts-late.csv", "accountnumber\nA9\n")
        let down = try crashes.ferry(scratch)
        #expect(down.status != 0)
        #expect(down.output.contains("the shared ledger postgres://ferry@127.0.0.1"), "\(down.output)")
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-late.csv"], "nothing is taken without the ledger")
    }

    @Test("keys learned from delivered inputs go into the shared ledger with the plan; the next run and a dry run resolve them")
    func learnedKeys() throws {
        let server = try PostgreSQLServer()
        try server.psql("CREATE DATABASE learned")
        let scratch = try TemporaryWorkspace()
        try Data("ledger: \(server.url(database: "learned"))\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        let samples = Fixtures.packageRoot + "/samples/exports/"
        for name in ["sales-currencies.csv", "accounts.csv"] {
            try FileManager.default.copyItem(atPath: samples + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        #expect(try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run().succeeded)
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/.ferry/ledger.sqlite3"), "no SQLite ledger beside the shared one")
        let currenciesEntry = try server.psql("SELECT id FROM inputs WHERE name = 'sales-currencies.csv' AND state = 'done'", database: "learned")
        #expect(try server.psql("SELECT key FROM learned_keys WHERE reference = 'currencies' AND value = 'Hungarian Forint'", database: "learned") == "HUF")
        #expect(try server.psql("SELECT DISTINCT input_id FROM learned_keys WHERE reference = 'currencies'", database: "learned") == currenciesEntry,
                "learned with the delivery of the currencies export")
        let store = try #require(try LearnedKeys.reading(workspaceRoot: scratch.root))
        #expect(store.resolve("HUF", in: "currency_names") == .found("Hungarian Forint"))

        // Quotes by currency name and one by a GUID nothing taught: the dry run and the run agree.
        let header = "quoteid,quotenumber,name,customerid,transactioncurrencyid,effectiveto,requestdeliveryby,shipto_line1,shipto_city,shipto_postalcode,shipto_country,statecode\n"
        let rest = ",2026-12-10,2027-01-10,,Budapest,1051,HU,1\n"
        let byName = (1...4).map { "q\($0),QUO-\($0),Q,ACC-00000-XI9000,Hungarian Forint" + rest }.joined()
        try scratch.drop("quotes-x.csv", header + byName + "q5,QUO-5,Q,ACC-00000-XI9000,11111111-2222-3333-4444-555555555555" + rest)
        let dry = try DryRun(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run().summary
        #expect(dry.rowsWritten == 4 && dry.rowsRejected == 1, "\(dry.rowsWritten) written, \(dry.rowsRejected) rejected: \(dry.files.map { "\($0.name) \($0.outcome) \($0.error ?? "")" })")
        let run = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        #expect(run.rowsWritten == 4 && run.rowsRejected == 1, "\(run.files.compactMap(\.error))")
    }

    @Test("keys written to the shared ledger in multi-row statements resolve; a lookup prepares its statement once")
    func lookupPreparedOnce() throws {
        let server = try PostgreSQLServer()
        try server.psql("CREATE DATABASE lookups")
        let scratch = try TemporaryWorkspace()
        try Data("ledger: \(server.url(database: "lookups"))\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        let ledger = try Ledger(workspace: scratch.workspace)
        let store = try LearnedKeys(ledger: ledger)
        let ids = try LearnedKeysTests.distinctQuoteKeys(300, ledger: ledger, staging: scratch.workspace.staging)
        let before = store.statementsPrepared
        #expect(ids.map { store.resolve($0, in: "quotes") } == ids.indices.map { KeyResolution.found("QUO-\($0)") })
        #expect(store.resolve("unknown", in: "quotes") == .missing)
        #expect(store.statementsPrepared - before == 1, "\(store.statementsPrepared - before) statements prepared for 301 lookups")
    }

    @Test("an empty database in a used workspace is refused as a missing ledger; ferry ledger rebuild fills it from archive/ and failed/")
    func missingAndRebuild() throws {
        let server = try PostgreSQLServer()
        let scratch = try CrashRecoveryTests().workspace()
        let crashes = CrashRecoveryTests()
        _ = try crashes.ferry(scratch)
        try crashes.assertExactlyOnce(scratch)
        // The workspace moves to a new, empty database: its SQLite history does not come along.
        try server.psql("CREATE DATABASE moved")
        try Data("ledger: \(server.url(database: "moved"))\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        try scratch.drop("accounts-again.csv", "accountnumber\nA1\nA2\n")
        let refused = try crashes.ferry(scratch)
        #expect(refused.status != 0)
        #expect(refused.output.contains("the ledger postgres://ferry@127.0.0.1") && refused.output.contains("is missing")
                && refused.output.contains("archive/ holds 2 inputs"), "\(refused.output)")
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-again.csv"])
        #expect(try server.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'inputs'", database: "moved") == "0", "nothing was created")

        let rebuilt = try crashes.ferry(scratch, ["ledger", "rebuild"])
        #expect(rebuilt.status == 0, "\(rebuilt.output)")
        #expect(rebuilt.output.contains("2 delivered inputs from archive/ and 1 failed"), "\(rebuilt.output)")
        #expect(try crashes.ferry(scratch, ["ledger", "rebuild"]).output.contains("nothing to rebuild"))
        _ = try crashes.ferry(scratch)
        #expect(try server.psql("SELECT state FROM inputs WHERE name = 'accounts-again.csv'", database: "moved") == "duplicate",
                "the rebuilt shared ledger knows what was delivered")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 2)
    }

    @Test("TLS to the server as sslmode says: require and verify-full (with sslrootcert) connect over TLS; an untrusted certificate, a server without TLS and an unknown option are refused")
    func tls() throws {
        let server = try PostgreSQLServer(tls: true)
        let plain = try PostgreSQLServer()
        func sslInUse(_ url: String) throws -> SQLValue? {
            try PostgreSQLConnection(url: url).query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.first
        }
        let base = server.url()
        #expect(try sslInUse(base + "?sslmode=require") == .text("true"))
        #expect(try sslInUse(base) == .text("true"), "prefer, the default, takes TLS when offered")
        #expect(try sslInUse(base + "?sslmode=verify-full&sslrootcert=\(server.folder)/server.crt") == .text("true"))
        #expect(try sslInUse(base + "?sslmode=disable") == .text("false"))
        #expect(throws: PostgreSQLError.self, "the self-signed certificate is not among the system's roots") {
            try sslInUse(base + "?sslmode=verify-full")
        }
        #expect(try sslInUse(plain.url() + "?sslmode=prefer") == .text("false"))
        #expect(throws: PostgreSQLError.self, "a server without TLS is refused under require") {
            try sslInUse(plain.url() + "?sslmode=require")
        }
        for option in ["sslmode=sometimes", "connect_timeout=3"] {
            #expect {
                _ = try PostgreSQLConnection(url: base + "?" + option)
            } throws: { error in
                "\(error)".contains(option.split(separator: "=")[0])
            }
        }
    }
}
