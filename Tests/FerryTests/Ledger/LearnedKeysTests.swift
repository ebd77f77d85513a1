import Foundation
import Testing
@testable import Ferry

@Suite("keys learned from delivered inputs, kept in the ledger")
struct LearnedKeysTests {
    static let time = UTCDateTime(year: 2026, month: 11, day: 25, hour: 12, minute: 0, second: 0)

    @Test("ids resolve to their key, a later id wins, a name two keys share is ambiguous")
    func learnAndResolve() throws {
        let scratch = try TemporaryWorkspace()
        let ledger = try Ledger(workspace: scratch.workspace)
        let store = try LearnedKeys(ledger: ledger)
        var batch = LearnedKeyBatch()
        batch.learn("5f1c0000-0000-0000-0000-000000000001", means: "ACC-00001-M91EW7", in: "accounts", isName: false)
        batch.learn("Contoso Ltd.", means: "ACC-00001-M91EW7", in: "accounts", isName: true)
        batch.learn("Fabrikam, Inc.", means: "ACC-00002-B0TRSF", in: "accounts", isName: true)
        try store.record(batch, input: 1, at: Self.time)

        var later = LearnedKeyBatch()
        later.learn("5f1c0000-0000-0000-0000-000000000001", means: "ACC-00009-RENUMB", in: "accounts", isName: false)
        later.learn("Contoso Ltd.", means: "ACC-00077-OTHER1", in: "accounts", isName: true)
        later.learn("Fabrikam, Inc.", means: "ACC-00002-B0TRSF", in: "accounts", isName: true)
        try store.record(later, input: 2, at: Self.time)

        #expect(store.resolve("5f1c0000-0000-0000-0000-000000000001", in: "accounts") == .found("ACC-00009-RENUMB"))
        #expect(store.resolve("Contoso Ltd.", in: "accounts") == .ambiguous)
        #expect(store.resolve("Fabrikam, Inc.", in: "accounts") == .found("ACC-00002-B0TRSF"))
        #expect(store.resolve("Fabrikam, Inc.", in: "products") == .missing)
        #expect(store.count(in: "accounts") == 3)

        // A second connection (the next run) sees what the first recorded; the ledger's own tables are untouched.
        let reopened = try LearnedKeys(ledgerPath: ledger.path, create: false)
        #expect(reopened.resolve("Fabrikam, Inc.", in: "accounts") == .found("ACC-00002-B0TRSF"))
        #expect(try ledger.history(limit: 10).isEmpty)
    }

    @Test("a read-only store in a workspace without a ledger knows nothing and creates nothing")
    func readOnlyWithoutLedger() throws {
        let scratch = try TemporaryWorkspace()
        let path = scratch.root + "/.ferry/ledger.sqlite3"
        let store = try LearnedKeys(ledgerPath: path, create: false)
        #expect(store.resolve("x", in: "accounts") == .missing)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("within one batch a name learned for two keys is ambiguous; a chain asks each resolver in turn")
    func batchAndChain() {
        var batch = LearnedKeyBatch()
        batch.learn("Widget", means: "P1", in: "products", isName: true)
        batch.learn("Widget", means: "P2", in: "products", isName: true)
        batch.learn("P1", means: "P1", in: "products", isName: false)
        var other = LearnedKeyBatch()
        other.learn("P3", means: "P3", in: "products", isName: false)
        let chain = ResolverChain([batch, other])
        #expect(chain.resolve("Widget", in: "products") == .ambiguous)
        #expect(chain.resolve("P1", in: "products") == .found("P1"))
        #expect(chain.resolve("P3", in: "products") == .found("P3"))
        #expect(chain.resolve("P4", in: "products") == .missing)
    }
}
