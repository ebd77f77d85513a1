import Foundation
import Testing
@testable import Ferry

/// What the inbox takes at all, before any byte is read.
@Suite("inbox intake")
struct InboxIntakeTests {
    static let template = """
    takes: "*.csv"
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
    """

    @Test("operating-system litter stays in the inbox untouched, like upload temp names", arguments: [
        "Thumbs.db", "desktop.ini", "Desktop.ini", "ehthumbs.db", "accounts.csv~", "Icon\r", "accounts.csv.swp",
    ])
    func litter(name: String) throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop(name, "accountnumber\nA1\n")
        #expect(try scratch.run(template: Self.template).files.isEmpty)
        #expect(scratch.files(in: scratch.workspace.inbox) == [name])
        #expect(scratch.files(in: scratch.workspace.failed).isEmpty)
        let explanation = try InboxExplanation(workspace: scratch.workspace, templates: []).explain(name)
        #expect(explanation.first?.contains("operating systems and editors leave such files") == true)
    }

    @Test("a hard-linked input is refused unread, with the reason; the other name is untouched")
    func hardLinkRefused() throws {
        let scratch = try TemporaryWorkspace()
        let outside = scratch.root + "/secret.csv"
        try Data("accountnumber\nSECRET-1\n".utf8).write(to: URL(fileURLWithPath: outside))
        #expect(link(outside, scratch.workspace.inbox + "/accounts.csv") == 0)
        let summary = try scratch.run(template: Self.template)
        #expect(summary.failed == 1)
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        let reason = scratch.text(scratch.workspace.failed + "/accounts.csv.error.txt")
        #expect(reason.contains("refused: the file has 2 hard links"), "\(reason)")
        #expect(reason.contains("hard_links: accept"))
        #expect(!reason.contains("SECRET"))
        #expect(scratch.text(outside) == "accountnumber\nSECRET-1\n")
    }

    @Test("with intake: hard_links: accept in ferry.yaml, a hard-linked input is delivered")
    func hardLinkAccepted() throws {
        let scratch = try TemporaryWorkspace()
        try Data("version: 1\nintake:\n  hard_links: accept\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/ferry.yaml"))
        let config = try WorkspaceConfig.load(root: scratch.root)
        #expect(config.intake.acceptHardLinks)
        try Data("accountnumber\nA1\n".utf8).write(to: URL(fileURLWithPath: scratch.root + "/export.csv"))
        #expect(link(scratch.root + "/export.csv", scratch.workspace.inbox + "/accounts.csv") == 0)
        #expect(try scratch.run(template: Self.template, intake: config.intake).delivered == 1)
    }
}
