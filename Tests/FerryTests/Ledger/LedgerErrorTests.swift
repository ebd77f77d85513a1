import Foundation
import Testing
@testable import Ferry

/// A ledger that is readable but refuses a write stops the run with a `LedgerError` that says what
/// happened and what to do; the input goes back to the inbox.
@Suite("a ledger that refuses a write")
struct LedgerErrorTests {
    /// A used workspace whose ledger refuses every new input (a trigger raises the error SQLite would).
    func refusingWorkspace() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        #expect(try scratch.ferry().status == 0)
        let database = try SQLiteDatabase(path: scratch.root + "/.ferry/ledger.sqlite3")
        try database.execute("CREATE TRIGGER refuse BEFORE INSERT ON inputs BEGIN SELECT RAISE(ABORT, 'no room for more'); END;")
        try scratch.drop("accounts-2.csv", "accountnumber\nA2\n")
        return scratch
    }

    @Test("the ledger's own write fails: a LedgerError names the ledger and SQLite's words")
    func claimThrowsLedgerError() throws {
        let scratch = try refusingWorkspace()
        let ledger = try Ledger(workspace: scratch.workspace)
        let thrown = #expect(throws: LedgerError.self) {
            try ledger.claim(name: "accounts-2.csv", size: 17, digest: "", template: nil, at: .now())
        }
        let error = try #require(thrown)
        #expect(error.isDatabaseFault)
        #expect(error.description.hasPrefix("Ferry could not read or write its ledger \(ledger.path) (SQLite: no room for more, code 19)"),
                "\(error)")
    }

    @Test("a run stops on it, says what to do, and the input waits in the inbox")
    func runStops() throws {
        let scratch = try refusingWorkspace()
        let result = try scratch.ferry()
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("Ferry could not read or write its ledger"), "\(result.output)")
        #expect(result.output.contains("then run Ferry again"), "\(result.output)")
        #expect(scratch.files(in: scratch.workspace.inbox) == ["accounts-2.csv"])
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty)
    }

    @Test("disk full, locked and permission faults each name their remedy", arguments: [
        (13, "Free space on the disk"), (5, "Another process holds the ledger locked"), (8, "may read and write .ferry/"),
    ])
    func remedies(code: Int32, remedy: String) {
        let error = LedgerError(SQLiteError(code: code, message: "refused"), path: "/w/.ferry/ledger.sqlite3")
        #expect(error.description.contains(remedy), "\(error)")
    }

    @Test("damage stays damage")
    func damage() {
        let error = LedgerError(SQLiteError(code: 26, message: "file is not a database"), path: "/w/.ferry/ledger.sqlite3")
        guard case .damaged = error else { Issue.record("\(error)"); return }
        #expect(!error.isDatabaseFault)
    }
}
