import Foundation
import Testing
@testable import Ferry

/// The watcher's view of the inbox: what a scan costs, and when a file is ready.
@Suite("inbox index")
struct InboxIndexTests {
    func inbox(files count: Int) throws -> TemporaryWorkspace {
        let scratch = try TemporaryWorkspace()
        for index in 0..<count { try scratch.drop(String(format: "accounts-%05d.csv", index), "accountnumber\nA\(index)\n") }
        return scratch
    }

    @Test("taking 200 of 2,000 waiting files costs about 200 file look-ups, not 200 scans of 2,000")
    func scanCostFollowsChanges() throws {
        let scratch = try inbox(files: 2000)
        var policy = ReadinessPolicy()
        policy.settleSeconds = 1
        let index = InboxIndex(folder: scratch.workspace.inbox, policy: policy, completeness: Completeness.check)
        try index.rescan(now: 0)
        index.advance(now: 2)
        let settled = index.probes
        #expect(settled <= 2 * 2000 + 10, "one stat per file, one format check per settled file: \(settled)")
        for step in 0..<200 {
            // As the watcher does it: take the next ready file, claim it, hear inotify name it, look at deadlines.
            let name = try #require(index.readyName(at: 0))
            let file = try #require(index.take(name, now: 2 + Double(step)))
            #expect(rename(file.path, scratch.workspace.work + "/" + name) == 0)
            index.refresh([name], now: 2 + Double(step))
            index.advance(now: 2 + Double(step))
            index.finished(name, now: 2 + Double(step))
        }
        let perFile = Double(index.probes - settled) / 200
        #expect(perFile <= 5, "\(perFile) look-ups per file taken")
        #expect(index.readyName(at: 0) == "accounts-00200.csv")
    }

    @Test("a file is ready once unchanged for the settle time; a change starts the count again; ranks order the ready files")
    func readiness() throws {
        let scratch = try inbox(files: 0)
        var policy = ReadinessPolicy()
        policy.settleSeconds = 5
        let index = InboxIndex(folder: scratch.workspace.inbox, policy: policy, completeness: Completeness.check)
        index.rank = { $0.hasPrefix("quotes") ? 1 : 0 }
        try scratch.drop("quotes-1.csv", "a\n1\n")
        try scratch.drop("accounts-1.csv", "a\n1\n")
        index.refresh(["quotes-1.csv", "accounts-1.csv"], now: 10)
        index.advance(now: 14)
        #expect(index.readyName(at: 0) == nil)
        try scratch.drop("accounts-1.csv", "a\n1\n2\n")
        index.refresh(["accounts-1.csv"], now: 14)
        index.advance(now: 15)
        #expect(index.readyName(at: 0) == "quotes-1.csv")
        #expect(index.entry("accounts-1.csv")?.status == .settling)
        index.advance(now: 19)
        #expect([index.readyName(at: 0), index.readyName(at: 1)] == ["accounts-1.csv", "quotes-1.csv"], "accounts rank first")
    }
}
