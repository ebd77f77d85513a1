import Foundation
import Testing
@testable import Ferry

/// A ledger deleted, emptied or damaged in a workspace with a past: Ferry refuses to start from nothing
/// (it would deliver everything again) and says what to do; `ferry ledger rebuild` is the way back.
@Suite("a lost or damaged ledger")
struct LedgerLossTests {
    /// A workspace that delivered accounts-1.csv, whose ledger then went the way `damage` says;
    /// the same content is dropped again.
    func usedWorkspace(damage: (String) throws -> Void) throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try scratch.ferry().status == 0)
        try damage(scratch.root + "/.ferry/ledger.sqlite3")
        try scratch.drop("accounts-again.csv", "accountnumber\nA1\n")
        return scratch
    }

    static func delete(_ path: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("a deleted or emptied ledger beside an archive is refused: nothing is delivered again", arguments: ["deleted", "emptied"])
    func missingLedger(how: String) throws {
        let scratch = try usedWorkspace { path in
            if how == "deleted" { try Self.delete(path) } else { try Data().write(to: URL(fileURLWithPath: path)) }
        }
        let refused = try scratch.ferry()
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("ledger.sqlite3 is missing (or empty), but this workspace has been used: archive/ holds 1 input, outbox/ holds 1 package"))
        #expect(refused.output.contains("`ferry ledger rebuild`"))
        #expect(refused.output.contains("`ferry ledger rebuild --empty`"))
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-again.csv"], "nothing was taken")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }

    @Test("a damaged ledger is refused with what happened and what to do")
    func damagedLedger() throws {
        let scratch = try usedWorkspace { path in
            try Self.delete(path)
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        }
        let refused = try scratch.ferry()
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("ledger.sqlite3 is damaged and cannot be read (SQLite: file is not a database)"), "\(refused.output)")
        #expect(refused.output.contains("restore the ledger from your backup"))
        #expect(refused.output.contains("`ferry ledger rebuild`"))
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-again.csv"])

        let rebuilt = try scratch.ferry(["ledger", "rebuild"])
        #expect(rebuilt.status == 0, "\(rebuilt.output)")
        #expect(rebuilt.output.contains("The damaged ledger was kept as"))
        #expect(scratch.files(in: scratch.root + "/.ferry").contains { $0.hasPrefix("ledger.sqlite3.damaged-") })
    }

    @Test("ferry ledger rebuild records the archive: content delivered before is a duplicate again")
    func rebuild() throws {
        let scratch = try usedWorkspace { try Self.delete($0) }
        let rebuilt = try scratch.ferry(["ledger", "rebuild"])
        #expect(rebuilt.status == 0, "\(rebuilt.output)")
        #expect(rebuilt.output.contains("A new ledger with 1 delivered input from archive/ and 0 failed from failed/."))
        let entry = try #require(try Ledger(workspace: scratch.workspace).history(limit: 1).first)
        #expect(entry.name == "accounts-1.csv" && entry.state == .done && entry.digest.count == 64)
        #expect(entry.outputs.count == 1, "the package in outbox/ is linked by the input's name in it")

        let run = try scratch.ferry()
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("duplicate  accounts-again.csv"))
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1, "not delivered again")
        #expect(try scratch.ferry(["ledger", "rebuild"]).output.contains("is readable and holds 2 entries: nothing to rebuild"))
    }

    @Test("after a rebuild, shipped accounts whose currencies the new ledger never learned are still a duplicate, not a failure")
    func rebuildWithoutLearnedKeys() throws {
        let scratch = try TemporaryWorkspace()
        let samples = Fixtures.packageRoot + "/samples"
        try FileManager.default.copyItem(atPath: samples + "/templates", toPath: scratch.root + "/templates")
        for name in ["sales-currencies.csv", "accounts.csv"] {
            try FileManager.default.copyItem(atPath: samples + "/exports/" + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        let first = try scratch.ferry()
        #expect(first.status == 0, "\(first.output)")
        let packages = scratch.files(in: scratch.workspace.outbox)
        #expect(packages.contains { $0.hasPrefix("customers-accounts-") }, "\(packages)")

        try Self.delete(scratch.root + "/.ferry/ledger.sqlite3")
        #expect(try scratch.ferry(["ledger", "rebuild"]).status == 0)
        // The rebuilt ledger knows the digests, not the currency keys accounts.csv needs: processed now, its rows are rejected.
        try FileManager.default.copyItem(atPath: samples + "/exports/accounts.csv", toPath: scratch.workspace.inbox + "/accounts-again.csv")
        let again = try scratch.ferry()
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("duplicate  accounts-again.csv"), "\(again.output)")
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty)
        #expect(scratch.files(in: scratch.workspace.outbox) == packages, "not delivered again")
    }

    @Test("ferry ledger rebuild --empty starts with no history on purpose")
    func startFresh() throws {
        let scratch = try usedWorkspace { try Self.delete($0) }
        #expect(try scratch.ferry(["ledger", "rebuild", "--empty"]).status == 0)
        let run = try scratch.ferry()
        #expect(run.status == 0, "\(run.output)")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 2, "delivered again, as asked")
    }

    @Test("a new workspace still starts without a ledger")
    func newWorkspace() throws {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try scratch.ferry().status == 0)
    }
}
