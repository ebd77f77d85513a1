import Foundation
import Testing
@testable import Ferry

@Suite("formats and bundles, end to end")
struct FormatRunTests {
    static let accounts = """
    takes: [accounts*.csv, accounts*.xml, "Customers*"]
    source:
      record: /accounts/account
    target: {system: sales, entity: account, name: accounts}
    fields:
      accountnumber: accountnumber | required
      name: name | trim
    """
    static let contacts = """
    takes: contacts*.csv
    after: accounts
    target: {system: sales, entity: contact, name: contacts}
    fields:
      lastname: lastname | required
    """
    static let csv = "accountnumber,name\nA1,Kovács Kft.\nA2,\"Fabrikam, Inc.\"\n"

    func run(_ scratch: TemporaryWorkspace, limits: DecompressionLimits = DecompressionLimits()) throws -> RunSummary {
        let templates = [try Fixtures.template(Self.accounts, name: "accounts"), try Fixtures.template(Self.contacts, name: "contacts")]
        return try RunPass(workspace: scratch.workspace, templates: templates, limits: limits,
                           clock: { RunPassTests.fixedTime }).run()
    }

    func outboxText(_ scratch: TemporaryWorkspace, _ name: String) -> String {
        scratch.text(scratch.workspace.outbox + "/" + name)
    }

    @Test("a .csv.gz is read through gzip and matched by the .csv pattern")
    func gzipped() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv.gz", bytes: try ArchiveMaker.gzip(Array(Self.csv.utf8)))
        let summary = try run(scratch)
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        #expect(outboxText(scratch, "accounts-accounts-20261125T120000Z.csv").contains("A2,\"Fabrikam, Inc.\""))
    }

    @Test("a file named .csv that is really gzip is detected by its content")
    func mislabelled() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.csv", bytes: try ArchiveMaker.gzip(Array(Self.csv.utf8)))
        #expect(try run(scratch).succeeded)
    }

    @Test("a truncated gzip goes to failed/ naming the byte offset")
    func truncatedGzip() throws {
        let scratch = try TemporaryWorkspace()
        let whole = try ArchiveMaker.gzip(Array(String(repeating: Self.csv, count: 50).utf8))
        try scratch.drop("accounts.csv.gz", bytes: Array(whole.prefix(whole.count - 12)))
        #expect(try run(scratch).failed == 1)
        let reason = scratch.text(scratch.workspace.failed + "/accounts.csv.gz.error.txt")
        #expect(reason.contains("at byte"))
        #expect(reason.contains("truncated"))
    }

    @Test("XML input with the same template (record path in the source section)")
    func xml() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.xml", "<?xml version=\"1.0\"?><accounts><account><accountnumber>A1</accountnumber><name> Győr Kft. </name></account></accounts>")
        #expect(try run(scratch).succeeded)
        #expect(outboxText(scratch, "accounts-accounts-20261125T120000Z.csv").contains("A1,Győr Kft."))
    }

    @Test("a billion-laughs XML goes to failed/ with a reason, quickly")
    func xmlBomb() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("accounts.xml", bytes: try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("xml/lol1.xml")))))
        #expect(try run(scratch).failed == 1)
        #expect(scratch.text(scratch.workspace.failed + "/accounts.xml.error.txt").contains("declares entities"))
    }

    @Test("a zip bundle: each member goes to its template; one input, all outputs delivered together")
    func zipBundle() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("drop.zip", bytes: try ArchiveMaker.zip([
            .init("export/contacts.csv", "lastname\nNagy\n"), .init("export/accounts.csv", Self.csv),
        ]))
        let summary = try run(scratch)
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        #expect(summary.files.first?.template == "accounts, contacts", "accounts come before contacts (after: accounts)")
        #expect(summary.rowsWritten == 3)
        #expect(scratch.files(in: scratch.workspace.outbox) == ["accounts-drop-accounts-20261125T120000Z.csv", "contacts-drop-contacts-20261125T120000Z.csv"])
        #expect(scratch.archived == ["drop.zip"])
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
    }

    @Test("an F&O data package routes its data file by the entity name in Manifest.xml")
    func dataPackageBundle() throws {
        let scratch = try TemporaryWorkspace()
        let manifest = """
        <DataManagementPackageManifest xmlns="http://schemas.microsoft.com/dynamics/2015/01/DataManagement"><PackageEntityList>
        <DataManagementPackageEntityData><EntityName>Customers V3</EntityName><InputFilePath>data.csv</InputFilePath></DataManagementPackageEntityData>
        </PackageEntityList></DataManagementPackageManifest>
        """
        try scratch.drop("package.zip", bytes: try ArchiveMaker.zip([
            .init("Manifest.xml", manifest), .init("PackageHeader.xml", "<DataManagementPackageHeader/>"), .init("data.csv", Self.csv),
        ]))
        let summary = try run(scratch)
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        #expect(summary.files.first?.template == "accounts")
    }

    @Test("a tar.gz bundle is read as a stream")
    func tarBundle() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("drop.tar.gz", bytes: try ArchiveMaker.tarGz([.init("accounts.csv", Self.csv), .init("contacts.csv", "lastname\nTóth\n")]))
        let summary = try run(scratch)
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        #expect(scratch.files(in: scratch.workspace.outbox).count == 2)
    }

    @Test("hostile bundles are refused and nothing is written outside the staging area", arguments: [
        ("slip.zip", "outside the bundle"), ("abs.zip", "outside the bundle"), ("link.zip", "symbolic link"),
        ("link.tar.gz", "is a link"), ("slip.tar.gz", "outside the bundle"),
    ])
    func hostile(name: String, reason: String) throws {
        let scratch = try TemporaryWorkspace()
        let bytes: [UInt8]
        switch name {
        case "slip.zip": bytes = try ArchiveMaker.zip([.init("../../evil-\(name).csv", Self.csv)])
        case "abs.zip": bytes = try ArchiveMaker.zip([.init("/tmp/evil-\(name).csv", Self.csv)])
        case "link.zip": bytes = try ArchiveMaker.zip([.init(symlink: "accounts.csv", to: "/etc/passwd")])
        case "link.tar.gz": bytes = try ArchiveMaker.tarGz([.init(symlink: "accounts.csv", to: "/etc/passwd")])
        default: bytes = try ArchiveMaker.tarGz([.init("../../evil-\(name).csv", Self.csv)])
        }
        try scratch.drop(name, bytes: bytes)
        #expect(try run(scratch).failed == 1)
        #expect(scratch.text(scratch.workspace.failed + "/\(name).error.txt").contains(reason))
        #expect(!FileManager.default.fileExists(atPath: scratch.root + "/evil-\(name).csv"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil-\(name).csv"))
        #expect(scratch.files(in: scratch.workspace.outbox).isEmpty)
        #expect(scratch.files(in: scratch.workspace.staging).isEmpty)
    }

    @Test("a zip bomb is refused at the limit")
    func zipBomb() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("bomb.zip", bytes: try ArchiveMaker.zip([.init("accounts.csv", bytes: [UInt8](repeating: 0x41, count: 8 << 20))]))
        let summary = try run(scratch, limits: DecompressionLimits(maxBytes: 1 << 40, maxRatio: 100, ratioGrace: 1 << 20))
        #expect(summary.failed == 1)
        #expect(scratch.text(scratch.workspace.failed + "/bomb.zip.error.txt").contains("decompression bomb"))
    }

    @Test("a zip without its central directory (cut short) goes to failed/")
    func truncatedZip() throws {
        let scratch = try TemporaryWorkspace()
        let whole = try ArchiveMaker.zip([.init("accounts.csv", Self.csv)])
        try scratch.drop("drop.zip", bytes: Array(whole.prefix(whole.count - 30)))
        #expect(try run(scratch).failed == 1)
        #expect(scratch.text(scratch.workspace.failed + "/drop.zip.error.txt").contains("central directory"))
    }

    @Test("a bundle member no template takes is left out and named; the other members are delivered")
    func unroutedMember() throws {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("drop.zip", bytes: try ArchiveMaker.zip([.init("accounts.csv", Self.csv), .init("invoices.csv", "a\n1\n")]))
        let summary = try run(scratch)
        #expect(summary.delivered == 1)
        #expect(summary.files.first?.ignoredMembers == ["invoices.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
    }

    @Test("windows-1250 CSV with the encoding named in the template")
    func codePage() throws {
        let scratch = try TemporaryWorkspace()
        let template = try Fixtures.template("""
        takes: legacy*.csv
        source: {encoding: windows-1250, delimiter: ";"}
        target: {system: sales, entity: account, name: legacy}
        fields:
          name: name
        """)
        try scratch.drop("legacy.csv", bytes: Array("name;city\n".utf8) + [0xC1, 0x72, 0x76, 0xED, 0x7A, 0x74, 0xFB, 0x72, 0xF5] + Array(";x\n".utf8))
        let summary = try RunPass(workspace: scratch.workspace, templates: [template], clock: { RunPassTests.fixedTime }).run()
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        #expect(outboxText(scratch, "legacy-legacy-20261125T120000Z.csv").contains("Árvíztűrő"))
    }

    @Test("templates whose after: entries form a cycle are reported")
    func dependencyCycle() throws {
        let a = try Fixtures.template("takes: a.csv\nafter: b\ntarget: {system: sales, entity: a}\nfields:\n  x: x\n", name: "a")
        let b = try Fixtures.template("takes: b.csv\nafter: a\ntarget: {system: sales, entity: b}\nfields:\n  x: x\n", name: "b")
        #expect(throws: InputError.self) { _ = try DependencyOrder(templates: [a, b]) }
        let order = try DependencyOrder(templates: [try Fixtures.template(Self.contacts, name: "contacts"), try Fixtures.template(Self.accounts, name: "accounts")])
        #expect(order.rank(try Fixtures.template(Self.accounts, name: "accounts")) < order.rank(try Fixtures.template(Self.contacts, name: "contacts")))
    }
}

@Suite("related inputs dropped together")
struct RelatedInputsTests {
    static func copySamples(_ names: [String: String], to scratch: TemporaryWorkspace) throws {
        for (sample, name) in names {
            try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/exports/" + sample, toPath: scratch.workspace.inbox + "/" + name)
        }
    }

    /// Delivers the accounts and the Sales currencies, units and products reference exports in a run of their own,
    /// so the ledger knows the keys the quote samples' GUIDs stand for.
    static func deliverReferences(to scratch: TemporaryWorkspace, templates: [Template]) throws {
        try copySamples(["accounts.csv": "accounts.csv", "sales-products.csv": "sales-products.csv", "sales-units.csv": "sales-units.csv",
                         "sales-currencies.csv": "sales-currencies.csv"], to: scratch)
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        for output in scratch.files(in: scratch.workspace.outbox) { try FileManager.default.removeItem(atPath: scratch.workspace.outbox + "/" + output) }
        for report in scratch.files(in: scratch.workspace.reports) { try FileManager.default.removeItem(atPath: scratch.workspace.reports + "/" + report) }
        try FileManager.default.removeItem(atPath: scratch.workspace.archive)
        try Workspace.makeFolder(scratch.workspace.archive)
    }

    @Test("quotes whose customer and product are GUIDs become one package with account and item numbers learned from earlier deliveries")
    func pairInRun() throws {
        let scratch = try TemporaryWorkspace()
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        try Self.deliverReferences(to: scratch, templates: templates)
        try Self.copySamples(["quotes.csv": "quotes-week49.csv", "quotedetails.csv": "quotedetails-week49.csv"], to: scratch)
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        #expect(summary.files.map(\.name) == ["quotes-week49.csv + quotedetails-week49.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox) == ["quotations-week49-20261125T120000Z.zip"])
        #expect(scratch.archived == ["quotedetails-week49.csv", "quotes-week49.csv"])
        let entries = try SampleFlowTests.entries(of: scratch.workspace.outbox + "/quotations-week49-20261125T120000Z.zip")
        #expect(entries.map(\.0) == ["Manifest.xml", "PackageHeader.xml", "Sales quotation headers V2.csv", "Sales quotation lines V2.csv"])
        let manifest = entries[0].1
        let headers = try #require(manifest.range(of: "<EntityName>Sales quotation headers V2</EntityName>"))
        let lines = try #require(manifest.range(of: "<EntityName>Sales quotation lines V2</EntityName>"))
        #expect(headers.lowerBound < lines.lowerBound)

        // references: every line's quote number is one of the delivered headers (won/closed quotes took their lines along).
        func firstColumn(_ text: String) -> [String] {
            text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }.map { String($0.split(separator: ",").first ?? "") }
        }
        let headerNumbers = Set(firstColumn(entries[2].1))
        let lineNumbers = firstColumn(entries[3].1)
        #expect(!lineNumbers.isEmpty)
        #expect(lineNumbers.allSatisfy { headerNumbers.contains($0) })
        #expect(summary.rowsFiltered == 13, "4 quotes that are not active and their 9 lines")
        // The GUIDs resolved: customers to account numbers, products to item numbers, units to F&O symbols.
        let header = try #require(entries[2].1.components(separatedBy: "\r\n").dropFirst().first).split(separator: ",").map(String.init)
        #expect(header[1].hasPrefix("ACC-") && header[1] == header[2], "\(header)")
        let line = try #require(entries[3].1.components(separatedBy: "\r\n").dropFirst().first).split(separator: ",").map(String.init)
        #expect(line[2].hasPrefix("P0"), "\(line)")
        #expect(entries[3].1.contains(",pcs,") || entries[3].1.contains(",ea,"))
    }

    @Test("a GUID no delivered export taught rejects its row, naming the value and the reference")
    func unresolvedLookup() throws {
        let scratch = try TemporaryWorkspace()
        try Self.copySamples(["quotes.csv": "quotes-week52.csv"], to: scratch)
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        #expect(!summary.succeeded, "every active quote names an unknown customer: past max_rejects")
        let rejects = scratch.text(scratch.workspace.failed + "/quotes-week52.csv.rejects.csv")
        #expect(rejects.contains("REQUESTINGCUSTOMERACCOUNTNUMBER value \"\"b627ef1d-8e91-579a-21c3-a39e50c19172\"\" is not in reference accounts"), "\(rejects)")
    }

    @Test("a file whose partner is not there is processed on its own")
    func alone() throws {
        let scratch = try TemporaryWorkspace()
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        try Self.deliverReferences(to: scratch, templates: templates)
        try Self.copySamples(["quotes.csv": "quotes-week50.csv"], to: scratch)
        _ = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        #expect(scratch.files(in: scratch.workspace.outbox) == ["quotation-headers-quotes-week50-20261125T120000Z.zip"])
    }

    @Test("ferry watch takes the two files together once both are complete")
    func pairInWatch() throws {
        let scratch = try TemporaryWorkspace()
        try FileManager.default.createDirectory(atPath: scratch.root + "/templates", withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot + "/samples/templates") {
            try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/templates/" + name, toPath: scratch.root + "/templates/" + name)
        }
        try Self.deliverReferences(to: scratch, templates: try TemplateLoader().loadFolder(scratch.root + "/templates"))
        let watcher = try WatchTests.RunningWatcher(root: scratch.root)
        try Self.copySamples(["quotes.csv": "quotes-week51.csv", "quotedetails.csv": "quotedetails-week51.csv"], to: scratch)
        let deadline = Date().addingTimeInterval(15)
        while scratch.archived.count < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(watcher.stop() == 0)
        #expect(scratch.archived == ["quotedetails-week51.csv", "quotes-week51.csv"])
        #expect(scratch.files(in: scratch.workspace.outbox).count == 1)
        #expect(scratch.files(in: scratch.workspace.outbox).first?.hasPrefix("quotations-week51-") == true)
    }
}
