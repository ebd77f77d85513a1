import Foundation
import Testing
@testable import Ferry

/// A delivery plan that waits (outbox blocked) or was cut short (killed) meets a changed world:
/// its staged package removed, the workspace moved, the package taken by the importer, the archive
/// day deleted. The real binary must neither lose nor repeat a package.
@Suite("delivery plans under changes")
struct DeliveryPlanTests {
    /// A template with two outputs into outbox/: an F&O package and a Sales CSV.
    static let twoOutputs = """
    takes: accounts*.csv
    targets:
      - system: finance-and-operations
        entity: CustCustomerV3Entity
        label: Customers V3
        name: customers
        fields:
          CUSTOMERACCOUNT: accountnumber | required
      - system: sales
        entity: account
        name: sales-accounts
        fields:
          accountnumber: accountnumber
    """

    /// A workspace whose accounts-1.csv waits for delivery: its package complete in staging, outbox/ blocked.
    func waitingDelivery() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\nA2\n")
        try scratch.blockOutbox()
        let blocked = try scratch.ferry()
        #expect(blocked.status == 3, "\(blocked.output)")
        #expect(scratch.stagedFiles.count == 1, "the package waits in staging")
        return scratch
    }

    @Test("a waiting delivery whose staged package was removed is processed again, never archived without its package")
    func stagedPackageRemoved() throws {
        let scratch = try waitingDelivery()
        for file in scratch.stagedFiles { try FileManager.default.removeItem(atPath: scratch.workspace.staging + "/" + file) }
        try scratch.unblockOutbox()
        let rerun = try scratch.ferry()
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("went back to the inbox to be processed again"))
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1, "the package was made again and delivered")
        #expect(scratch.archived == ["accounts-1.csv"])
        #expect(scratch.files(in: scratch.workspace.work).isEmpty)
        #expect(scratch.stagedFiles.isEmpty)
        #expect(try Ledger(workspace: scratch.workspace).history(limit: 5).map(\.state) == [.done, .returned])
    }

    @Test("a delivery that lost a staged output after another was delivered fails loudly, naming both")
    func partlyDelivered() throws {
        let scratch = try TemporaryWorkspace.withTemplate(Self.twoOutputs)
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try scratch.ferry(environment: ["FERRY_CRASH_AT": "moved-first"]).status == 137)
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        for file in scratch.stagedFiles { try FileManager.default.removeItem(atPath: scratch.workspace.staging + "/" + file) }
        let rerun = try scratch.ferry()
        #expect(rerun.status == 1, "\(rerun.output)")
        #expect(scratch.archived.isEmpty)
        #expect(scratch.files(in: scratch.workspace.failed) == ["accounts-1.csv", "accounts-1.csv.error.txt"])
        let note = scratch.text(scratch.workspace.failed + "/accounts-1.csv.error.txt")
        let delivered = try #require(scratch.files(in: scratch.workspace.outbox).first)
        #expect(note.contains("only part of this input was delivered: \(delivered) reached outbox/"), "\(note)")
        #expect(note.contains("ferry run --force"))
        #expect(scratch.files(in: scratch.workspace.outbox) == [delivered], "nothing is delivered twice")
    }

    @Test("a package the importer took after a crash between the move and the ledger is not delivered again")
    func consumedPackage() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try scratch.ferry(environment: ["FERRY_CRASH_AT": "linked"]).status == 137)
        let delivered = scratch.files(in: scratch.workspace.outbox)
        #expect(delivered.count == 1)
        let consumed = scratch.root + "/consumed"
        try FileManager.default.createDirectory(atPath: consumed, withIntermediateDirectories: false)
        for name in delivered { try FileManager.default.moveItem(atPath: scratch.workspace.outbox + "/" + name, toPath: consumed + "/" + name) }

        let rerun = try scratch.ferry()
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty, "the importer has it already")
        #expect(scratch.archived == ["accounts-1.csv"])
        #expect(scratch.stagedFiles.isEmpty)
        #expect(try Ledger(workspace: scratch.workspace).history(limit: 5).map(\.state) == [.done])
    }

    @Test("a moved workspace completes its waiting delivery: the ledger keeps paths relative to the workspace")
    func movedWorkspace() throws {
        let scratch = try waitingDelivery()
        try scratch.unblockOutbox()
        let moved = scratch.root + "-moved"
        try FileManager.default.moveItem(atPath: scratch.root, toPath: moved)
        defer { try? FileManager.default.removeItem(atPath: moved) }
        let movedWorkspace = Workspace(root: moved)

        let rerun = try scratch.ferry(root: moved)
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(scratch.files(in: movedWorkspace.outbox).count == 1)
        #expect(scratch.files(in: movedWorkspace.archive).flatMap { scratch.files(in: movedWorkspace.archive + "/" + $0) } == ["accounts-1.csv"])
        #expect(scratch.files(in: movedWorkspace.work).isEmpty && scratch.files(in: movedWorkspace.inbox).isEmpty)
        let ledger = try Ledger(workspace: movedWorkspace)
        let entry = try #require(try ledger.history(limit: 5).first)
        #expect(entry.state == .done)
        #expect(entry.inputNowAt?.hasPrefix(moved + "/archive/") == true)
        let stored = try SQLiteDatabase(path: ledger.path).query("SELECT source, destination FROM moves UNION SELECT outputs, input_now_at FROM inputs")
        #expect(stored.flatMap { $0 }.compactMap(\.text).allSatisfy { !$0.hasPrefix("/") }, "\(stored)")
    }

    @Test("a ledger written with absolute paths is migrated, also when the workspace was moved since")
    func migratesVersion1() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        let old = "/srv/old-place/ferry"
        try Data("PK staged".utf8).write(to: URL(fileURLWithPath: scratch.workspace.staging + "/1-2.zip"))
        try Data("accountnumber\nA1\n".utf8).write(to: URL(fileURLWithPath: scratch.workspace.work + "/accounts-1.csv"))
        let database = try SQLiteDatabase(path: scratch.root + "/.ferry/ledger.sqlite3")
        try database.execute(Self.version1Schema)
        try database.query("""
            INSERT INTO inputs (name, size, digest, state, outputs, claimed_at) VALUES ('accounts-1.csv', 17, 'abc', 'delivering', '', '2026-01-02T10:00:00Z')
            """)
        try database.query("INSERT INTO moves VALUES (1, 0, ?, ?, 'package'), (1, 1, ?, ?, 'input')", [
            .text(old + "/.ferry/staging/1-2.zip"), .text(old + "/outbox/customers-accounts-1.zip"),
            .text(old + "/.ferry/work/accounts-1.csv"), .text(old + "/archive/2026-01-02/accounts-1.csv"),
        ])

        let rerun = try scratch.ferry()
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(scratch.files(in: scratch.workspace.outbox) == ["customers-accounts-1.zip"])
        #expect(scratch.text(scratch.workspace.outbox + "/customers-accounts-1.zip") == "PK staged")
        #expect(scratch.files(in: scratch.workspace.archive + "/2026-01-02") == ["accounts-1.csv"])
        #expect(scratch.files(in: scratch.workspace.inbox).isEmpty)
        #expect(try database.query("PRAGMA user_version").first?.first?.integer == 2)
        let entry = try #require(try Ledger(workspace: scratch.workspace).history(limit: 1).first)
        #expect(entry.state == .done)
        #expect(entry.outputs == [scratch.workspace.outbox + "/customers-accounts-1.zip"])
    }

    @Test("an archive day folder removed while a delivery waits is made again")
    func archiveDayRemoved() throws {
        let scratch = try waitingDelivery()
        for day in scratch.files(in: scratch.workspace.archive) { try FileManager.default.removeItem(atPath: scratch.workspace.archive + "/" + day) }
        try scratch.unblockOutbox()
        let rerun = try scratch.ferry()
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(scratch.archived == ["accounts-1.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }

    /// The ledger as Ferry wrote it before paths were relative and moves had a state.
    static let version1Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE inputs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, size INTEGER NOT NULL, digest TEXT NOT NULL,
            template TEXT, template_hash TEXT, state TEXT NOT NULL, rows_read INTEGER NOT NULL DEFAULT 0,
            rows_written INTEGER NOT NULL DEFAULT 0, rows_filtered INTEGER NOT NULL DEFAULT 0, rows_rejected INTEGER NOT NULL DEFAULT 0,
            outputs TEXT NOT NULL DEFAULT '', input_now_at TEXT, error TEXT, claimed_at TEXT NOT NULL, finished_at TEXT, seconds REAL);
        CREATE INDEX inputs_by_digest ON inputs (digest, state);
        CREATE INDEX inputs_by_state ON inputs (state);
        CREATE TABLE moves (input_id INTEGER NOT NULL REFERENCES inputs (id), sequence INTEGER NOT NULL, source TEXT NOT NULL,
            destination TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (input_id, sequence));
        CREATE TABLE sightings (name TEXT PRIMARY KEY, size INTEGER NOT NULL, modified REAL NOT NULL, first_seen REAL NOT NULL);
        """
}
