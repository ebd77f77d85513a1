import Foundation
import Testing
@testable import Ferry

@Suite("ferry explain")
struct InboxExplanationTests {
    static let template = "takes: accounts*.csv\ntarget: {system: sales, entity: account, name: accounts}\nfields:\n  a: accountnumber\n"

    func explain(_ scratch: TemporaryWorkspace, _ name: String, policy: ReadinessPolicy = ReadinessPolicy()) throws -> String {
        let templates = [try Fixtures.template(Self.template, name: "accounts")]
        return try InboxExplanation(workspace: scratch.workspace, templates: templates, policy: policy).explain(name).joined(separator: "\n")
    }

    @Test("no template matches: the patterns that were tried")
    func noTemplate() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("invoices.csv", "x\n1\n")
        let text = try explain(scratch, "invoices.csv")
        #expect(text.contains("will go to failed/: no template matches"))
        #expect(text.contains("accounts: accounts*.csv"))
    }

    @Test("an upload name, a done marker still missing, an empty file")
    func waiting() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv.part", "x")
        #expect(try explain(scratch, "accounts.csv.part").contains("uploaders use while writing"))
        try scratch.drop("accounts-1.csv", "")
        var policy = ReadinessPolicy()
        policy.requireDoneMarker = true
        let text = try explain(scratch, "accounts-1.csv", policy: policy)
        #expect(text.contains("Waiting for its done marker: accounts-1.csv.done or accounts-1.csv.ok."))
        #expect(text.contains("It is empty"))
    }

    @Test("still settling, counted from when the watcher first saw it")
    func settling() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts-2.csv", "accountnumber\nA\n")
        let file = try #require(try Inbox(workspace: scratch.workspace).files().first)
        try Ledger(workspace: scratch.workspace).sighted(name: file.name, size: file.size, modified: file.modified, firstSeen: Date().timeIntervalSince1970)
        #expect(try explain(scratch, "accounts-2.csv").contains("Still settling"))
    }

    @Test("already delivered: names the ledger entry; gone from the inbox: says where it went")
    func delivered() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts-3.csv", "accountnumber\nA\n")
        _ = try RunPass(workspace: scratch.workspace, templates: [try Fixtures.template(Self.template, name: "accounts")]).run()
        #expect(try explain(scratch, "accounts-3.csv").contains("is not in the inbox. Ledger entry 1"))
        try scratch.drop("accounts-4.csv", "accountnumber\nA\n")
        #expect(try explain(scratch, "accounts-4.csv").contains("already delivered as ledger entry 1 (accounts-3.csv"))
    }
}
