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

    /// Keys of `count` quotes by GUID (all distinct, as quote lines ask for them), written with a delivery plan of
    /// `ledger` as a run writes them (more than one multi-row statement, and a shorter last one).
    static func distinctQuoteKeys(_ count: Int, ledger: Ledger, staging: String) throws -> [String] {
        let ids = (0..<count).map { String(format: "%08x-0000-4000-8000-000000000000", $0) }
        let staged = StagedLearnedKeys(spillFolder: staging)
        for (number, id) in ids.enumerated() { try staged.learn(id, means: "QUO-\(number)", in: "quotes", isName: false) }
        let entry = try ledger.claim(name: "quotes.csv", size: 1, digest: "quotes", template: nil, at: time)
        try ledger.plan(entry, state: .delivering, moves: [], alongside: { try LearnedKeys.write(staged, into: $0, input: entry, at: time) })
        return ids
    }

    @Test("a lookup prepares its statement once, however many distinct values it asks for")
    func lookupPreparedOnce() throws {
        let scratch = try TemporaryWorkspace()
        let ledger = try Ledger(workspace: scratch.workspace)
        let store = try LearnedKeys(ledger: ledger)
        let ids = try Self.distinctQuoteKeys(500, ledger: ledger, staging: scratch.workspace.staging)
        let before = store.statementsPrepared
        let answers = ids.map { store.resolve($0, in: "quotes") }
        #expect(answers == ids.indices.map { KeyResolution.found("QUO-\($0)") })
        #expect(store.resolve("unknown", in: "quotes") == .missing)
        #expect(store.statementsPrepared - before == 1, "\(store.statementsPrepared - before) statements prepared for 501 lookups")
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

    static let accountsTemplate = """
        takes: accounts*.csv
        target: {system: finance-and-operations, entity: CustCustomerV3Entity, label: Customers V3, name: customers}
        learn:
          accounts: {key: accountnumber, from: [accountid, accountnumber]}
        fields:
          CUSTOMERACCOUNT: accountnumber | required
        """

    static func accounts(_ count: Int) -> (csv: String, ids: [String]) {
        let ids = (0..<count).map { String(format: "%08x-1111-2222-3333-444455556666", $0 * 7919) }
        return ("accountid,accountnumber\n" + ids.enumerated().map { "\($1),ACC-\($0)\n" }.joined(), ids)
    }

    @Test("an input that teaches more than its memory budget spills to staging; the plan's transaction writes every key, or none")
    func spilledKeysGoInWithThePlan() throws {
        let scratch = try TemporaryWorkspace()
        let (csv, ids) = Self.accounts(3_000)
        try scratch.drop("accounts.csv", csv)
        var pipeline = FilePipeline(workspace: scratch.workspace)
        pipeline.learnedMemoryBudget = 8 << 10
        var report = FileReport(name: "accounts.csv", template: "t", outcome: .delivered)
        let input = FilePipeline.Input(path: scratch.workspace.inbox + "/accounts.csv", displayName: "accounts.csv", stem: "accounts",
                                       size: Int64(csv.utf8.count))
        let prepared = try pipeline.prepare(input, with: try Fixtures.template(Self.accountsTemplate), at: Self.time,
                                            observer: SilentObserver(), report: &report)
        let staged = try #require(prepared.learned.first)
        #expect(staged.isSpilled)
        #expect(scratch.files(in: scratch.workspace.staging).contains { $0.hasSuffix(".run") })

        let ledger = try Ledger(workspace: scratch.workspace)
        let store = try LearnedKeys(ledger: ledger)
        let id = try ledger.claim(name: "accounts.csv", size: 1, digest: "", template: nil, at: Self.time)
        struct Refused: Error {}
        // A plan that fails after the keys were written records neither.
        #expect(throws: Refused.self) {
            try ledger.plan(id, state: .delivering, moves: [], alongside: { database in
                try LearnedKeys.write(staged, into: database, input: id, at: Self.time)
                throw Refused()
            })
        }
        #expect(store.count(in: "accounts") == 0)
        #expect(try ledger.entry(id)?.state == .claimed)

        try ledger.plan(id, state: .delivering, moves: [], alongside: { database in
            try LearnedKeys.write(staged, into: database, input: id, at: Self.time)
        })
        #expect(store.count(in: "accounts") == 6_000)
        #expect(store.resolve(ids[2_999], in: "accounts") == .found("ACC-2999"))
        #expect(store.resolve("ACC-17", in: "accounts") == .found("ACC-17"))
        #expect(try ledger.entry(id)?.state == .delivering)
    }

    @Test("keys are known once the delivery is planned: killed right after the plan, the next run's quotes resolve them")
    func keysSurviveACrashAfterThePlan() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        try Data(Self.accountsTemplate.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/accounts.yaml"))
        try Data("""
            takes: quotes*.csv
            target: {system: finance-and-operations, entity: SalesQuotationHeaderV2Entity, label: Sales quotation headers V2, name: quotes}
            lookups:
              accounts: {reference: accounts}
            fields:
              SALESQUOTATIONNUMBER: quotenumber
              REQUESTINGCUSTOMERACCOUNTNUMBER: customerid | lookup accounts | required
            max_rejects: 0
            """.utf8).write(to: URL(fileURLWithPath: scratch.root + "/templates/quotes.yaml"))
        let (csv, ids) = Self.accounts(3)
        try scratch.drop("accounts.csv", csv)
        var environment = ProcessInfo.processInfo.environment
        environment["FERRY_CRASH_AT"] = "planned"
        let crashed = try runProcess(ferryExecutable(), ["run", "--root", scratch.root], environment: environment)
        #expect(crashed.status == 137)

        try scratch.drop("quotes.csv", "quotenumber,customerid\nQUO-1,{\(ids[1].uppercased())}\n")
        let next = try runProcess(ferryExecutable(), ["run", "--root", scratch.root])
        #expect(next.status == 0, "\(next.output) \(next.error)")
        #expect(scratch.archived == ["accounts.csv", "quotes.csv"])
        let quotes = try #require(scratch.files(in: scratch.workspace.outbox).first { $0.hasPrefix("quotes-") })
        let rows = try SampleFlowTests.entries(of: scratch.workspace.outbox + "/" + quotes).first { $0.0.hasSuffix(".csv") }?.1
        #expect(rows?.contains("QUO-1,ACC-1") == true, "\(rows ?? "")")
    }
}
