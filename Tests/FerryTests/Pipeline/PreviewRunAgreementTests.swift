import Foundation
import Testing
@testable import Ferry

/// Preview and run share one row loop: on the same input they keep, filter and reject the same records.
@Suite("preview and run agree")
struct PreviewRunAgreementTests {
    static let orders = """
        takes: orders.csv
        filter: status == "open"
        targets:
          - system: file
            entity: order
            name: orders
            key: ORDER
            duplicates: last
            fields:
              ORDER: order | required
              AMOUNT: amount
          - system: file
            entity: customer
            name: customers
            key: CUSTOMER
            duplicates: reject
            fields:
              CUSTOMER: customer | required
        max_rejects: unlimited
        """

    @Test("duplicates (last and reject), a filter and a required field: the same rows, filtered and rejected records")
    func duplicates() throws {
        let scratch = try TemporaryWorkspace()
        let csv = """
            order,customer,amount,status
            O1,C1,10,open
            O2,C2,20,open
            O1,C3,11,open
            O3,,30,open
            O4,C4,40,void
            O2,C5,21,open
            O5,C2,50,open

            """
        let copy = scratch.root + "/orders.csv"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: copy))
        try scratch.drop("orders.csv", csv)
        let template = try Fixtures.template(Self.orders, name: "accounts")

        let preview = try Preview().run(template: template, file: copy, rows: 100)
        let summary = try scratch.run(template: Self.orders)

        #expect(summary.delivered == 1)
        #expect(preview.totalRead == summary.rowsRead)
        #expect(preview.totalFiltered == summary.rowsFiltered)
        #expect(preview.totalRejected == summary.rowsRejected)
        #expect(preview.totalFiltered > 0 && preview.totalRejected > 0)
        let outputs = scratch.files(in: scratch.workspace.outbox)
        for (index, prefix) in ["orders-", "customers-"].enumerated() {
            let name = try #require(outputs.first { $0.hasPrefix(prefix) })
            let written = try readCSV(scratch.text(scratch.workspace.outbox + "/" + name))
            #expect(preview.targets[index].fields == written.columns)
            #expect(preview.targets[index].rows.map(\.values) == written.rows)
        }
        // The last O1 and O2 win; O4 is filtered; the empty customer and the second C2 are rejected.
        #expect(preview.targets[0].rows.map { $0.values[0] } == ["O1", "O2"])
        #expect(preview.rejected.map(\.location.line) == [5, 8])
    }

    @Test("a bundle's lines follow their headers (references:) and resolve the quotes learned in the bundle")
    func references() throws {
        let scratch = try TemporaryWorkspace()
        let samples = Fixtures.packageRoot + "/samples/exports/"
        let folder = Fixtures.packageRoot + "/samples/templates"
        let templates = try TemplateLoader().loadFolder(folder)
        // Accounts and the reference exports first, so that the customer, product, unit and currency lookups resolve.
        for name in ["accounts.csv", "sales-products.csv", "sales-units.csv", "sales-currencies.csv"] {
            try FileManager.default.copyItem(atPath: samples + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        #expect(try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run().succeeded)

        let bundle = scratch.root + "/sales-quotes-week48.zip"
        try FileManager.default.copyItem(atPath: samples + "sales-quotes-week48.zip", toPath: bundle)
        var preview = Preview()
        preview.learnedKeys = try LearnedKeys(ledgerPath: scratch.root + "/.ferry/ledger.sqlite3", create: false)
        preview.unitTemplates = templates
        let headers = try #require(templates.first { $0.name == "quotes-to-quotation-headers" })
        let lines = try #require(templates.first { $0.name == "quote-lines-to-quotation-lines" })
        let previewed = try [headers, lines].map { template in
            try #require(preview.runBundle(template: template, file: bundle, rows: 10_000).compactMap(\.result).first)
        }

        try FileManager.default.copyItem(atPath: bundle, toPath: scratch.workspace.inbox + "/sales-quotes-week48.zip")
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        let run = try #require(summary.files.first { $0.name == "sales-quotes-week48.zip" })
        #expect(run.outcome == .delivered)
        #expect(previewed.map(\.totalRead).reduce(0, +) == run.rowsRead)
        #expect(previewed.map(\.totalFiltered).reduce(0, +) == run.rowsFiltered)
        #expect(previewed.map(\.totalRejected).reduce(0, +) == run.rowsRejected)
        // Lines of filtered quotes are filtered with them: the references were checked.
        #expect(previewed[1].totalFiltered > 0)

        let package = try #require(run.outputs.first { $0.hasSuffix(".zip") })
        let entries = try SampleFlowTests.entries(of: package)
        for (index, label) in ["Sales quotation headers V2", "Sales quotation lines V2"].enumerated() {
            let data = try #require(entries.first { $0.0.hasPrefix(label) }?.1)
            let written = try readCSV(String(data.dropFirst("[UTF-16LE BOM]".count)))
            #expect(previewed[index].targets[0].rows.map(\.values) == written.rows)
        }
    }
}
