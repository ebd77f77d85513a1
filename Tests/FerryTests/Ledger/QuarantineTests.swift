import Foundation
import Testing
@testable import Ferry

/// Quarantine is for content Ferry keeps crashing on, not for a healthy file that happened to be in hand
/// when the process was killed from outside; the note says which it was.
@Suite("quarantine")
struct QuarantineTests {
    func workspace() throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace.withTemplate()
        try scratch.drop("accounts-1.csv", "accountnumber\nA1\n")
        return scratch
    }

    @Test("three kills from outside do not quarantine a healthy file")
    func killsAreNotCrashes() throws {
        let scratch = try workspace()
        for _ in 1...3 { #expect(try scratch.ferry(environment: ["FERRY_CRASH_AT": "claimed"]).status == 137) }
        let run = try scratch.ferry()
        #expect(run.status == 0, "\(run.output)")
        #expect(scratch.archived == ["accounts-1.csv"])
        let history = try Ledger(workspace: scratch.workspace).history(limit: 10)
        #expect(history.map(\.state) == [.done, .interrupted, .interrupted, .interrupted])
        #expect(history[1].error?.contains("stopped from outside") == true)
    }

    @Test("Ferry crashing on the same content quarantines it, the note counts crashes and stops, and put back it is tried once more")
    func crashesQuarantine() throws {
        let scratch = try workspace()
        for point in ["claimed:crash", "claimed", "claimed:crash", "claimed:crash"] {
            let crashed = try scratch.ferry(environment: ["FERRY_CRASH_AT": point])
            // A crash ends the process by SIGSEGV, or with 139 when Swift's backtracer reports it first.
            #expect(point == "claimed" ? crashed.status == 137 : [SIGSEGV, 139].contains(crashed.status), "\(crashed.output)")
        }
        let run = try scratch.ferry()
        #expect(run.status == 1, "\(run.output)")
        let note = scratch.text(scratch.workspace.failed + "/accounts-1.csv.error.txt")
        #expect(note.contains("quarantined: processing this file was cut short 4 times: Ferry crashed 3 times while processing it, and Ferry was stopped from outside once"), "\(note)")
        #expect(note.contains("crashes on the same content point at the content"))
        let crashed = try #require(try Ledger(workspace: scratch.workspace).history(limit: 10).first { $0.state == .crashed })
        #expect(crashed.error?.contains("Ferry crashed (SIGSEGV) while processing it") == true)

        try FileManager.default.moveItem(atPath: scratch.workspace.failed + "/accounts-1.csv", toPath: scratch.workspace.inbox + "/accounts-1.csv")
        let again = try scratch.ferry()
        #expect(again.status == 0, "put back, it is tried once more: \(again.output)")
        #expect(scratch.archived == ["accounts-1.csv"])
    }

    @Test("a file Ferry is stopped on nine times is set aside, with a note that says so and where to look")
    func endlessStops() throws {
        let scratch = try workspace()
        for _ in 1...9 { #expect(try scratch.ferry(environment: ["FERRY_CRASH_AT": "claimed"]).status == 137) }
        #expect(try scratch.ferry().status == 1)
        let note = scratch.text(scratch.workspace.failed + "/accounts-1.csv.error.txt")
        #expect(note.contains("Ferry was stopped from outside 9 times (killed, the OOM killer, a shutdown or power cut)"), "\(note)")
        #expect(note.contains("dmesg shows the OOM killer"))
    }
}
