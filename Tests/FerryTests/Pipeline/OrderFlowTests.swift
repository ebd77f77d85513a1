import Foundation
import Testing
@testable import Ferry

/// The order and invoice flows of Prospect-to-cash on the shipped samples (one run, as the README's first
/// command does it): what goes, what is filtered, what is rejected and why, and the lookups resolved.
@Suite("sales orders both ways and invoices to Sales")
struct OrderFlowTests {
    /// An output (or a zip entry) as rows keyed by header.
    static func rows(_ text: String) throws -> [[String: String]] {
        let body = text.hasPrefix("[UTF-8 BOM]") ? String(text.dropFirst("[UTF-8 BOM]".count))
            : text.hasPrefix("[UTF-16LE BOM]") ? String(text.dropFirst("[UTF-16LE BOM]".count)) : text
        let (header, values) = try readCSV(body, chunk: 4096)
        return values.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    static func output(_ run: [String: String], _ prefix: String, entry: String? = nil) throws -> [[String: String]] {
        let name = try #require(run.keys.first { key in key.hasPrefix(prefix) && (entry.map { key.hasSuffix("/" + $0) } ?? true) }, "no output \(prefix)")
        return try rows(try #require(run[name]))
    }

    @Test("activated Sales orders become one F&O package, headers before lines, with customer, product, unit and currency GUIDs resolved")
    func salesOrdersToPackage() throws {
        let run = try SampleFlowTests.runSamples().produced
        let headers = try Self.output(run, "sales-orders-", entry: "Sales order headers V2.csv")
        let numbers = headers.map { $0["SALESORDERNUMBER"] ?? "" }
        // Active orders only: a draft (2), an order F&O confirmed and maintains (4) and a cancelled one (5) stay in Sales;
        // one without a requested delivery date (6) and one for an account never delivered (7) are rejected.
        #expect(numbers == ["ORD-00000-XI9000", "ORD-00001-M91EW7", "ORD-00003-0RK5PN", "ORD-00008-HGF27R", "ORD-00009-677G3Z", "ORD-00010-VXYTZ6"])
        let first = try #require(headers.first)
        #expect(first["ORDERINGCUSTOMERACCOUNTNUMBER"] == "ACC-00000-XI9000" && first["INVOICECUSTOMERACCOUNTNUMBER"] == "ACC-00000-XI9000")
        #expect(headers.map { $0["CURRENCYCODE"] ?? "" } == ["EUR", "USD", "EUR", "HUF", "EUR", "USD"], "currency GUIDs resolved to ISO codes")
        #expect(headers[2]["DELIVERYADDRESSCOUNTRYREGIONISOCODE"] == "US", "a blank ship-to country is US, as P2C maps it")

        let lines = try Self.output(run, "sales-orders-", entry: "Sales order lines V2.csv")
        #expect(Set(lines.map { $0["SALESORDERNUMBER"] ?? "" }).isSubset(of: Set(numbers)), "no line without its header")
        let line = try #require(lines.first)
        #expect(line["ITEMNUMBER"] == "P000001" && line["SALESUNITSYMBOL"] == "pcs")
        // P2C: Sales' whole-line discount (10.00 on 3 units) is divided by the quantity.
        #expect(line["ORDEREDSALESQUANTITY"] == "3" && line["LINEDISCOUNTAMOUNT"] == "3.33")
        #expect(line["REQUESTEDSHIPPINGDATE"] == "2027-02-10" && line["SHIPPINGSITEID"] == "1" && line["SHIPPINGWAREHOUSEID"] == "13")

        let manifest = try #require(run.first { $0.key.hasPrefix("sales-orders-") && $0.key.hasSuffix("/Manifest.xml") }?.value)
        let headerLevel = try #require(manifest.range(of: "Sales order headers V2</EntityName>"))
        let linesLevel = try #require(manifest.range(of: "Sales order lines V2</EntityName>"))
        #expect(headerLevel.lowerBound < linesLevel.lowerBound)

        // A write-in product and a negative quantity are rejected; the line of the rejected, dateless order goes with it.
        let rejects = try Self.output(run, "reports/sales-order-lines-salesorderdetails-")
        #expect(rejects.map { $0["field"] ?? "" } == ["ITEMNUMBER", "ORDEREDSALESQUANTITY"])
        let headerRejects = try Self.output(run, "reports/sales-order-headers-salesorders-")
        #expect(headerRejects.contains { $0["reason"]?.contains("is not in reference accounts") == true })
    }

    @Test("confirmed F&O sales orders, from the export package and from CSVs, become Sales orders and order products")
    func foOrdersToSales() throws {
        let run = try SampleFlowTests.runSamples().produced
        let fromPackage = try Self.output(run, "orders-fo-sales-orders-Sales-order-headers-V2-")
        // SO-001202 is still Active (not confirmed): not sent.
        #expect(fromPackage.map { $0["Order ID"] ?? "" } == ["SO-001200", "SO-001201", "SO-001203"])
        #expect(fromPackage[0]["Customer"] == "ACC-00001-M91EW7" && fromPackage[0]["Currency"] == "Euro"
                && fromPackage[0]["Price List"] == "Standard EUR" && fromPackage[0]["Requested Delivery Date"] == "2026-12-12")
        let fromCSV = try Self.output(run, "orders-sales-order-headers-week49-")
        // SO-001204's totals are not calculated (not sent); SO-001206's customer did not come from Sales (rejected).
        #expect(fromCSV.map { $0["Order ID"] ?? "" } == ["SO-001205", "SO-001207", "SO-001208"])
        let rejected = try Self.output(run, "reports/sales-order-headers-to-orders-sales-order-headers-week49-")
        #expect(rejected.map { $0["value"] ?? "" } == ["US-00042"])
        #expect(rejected.first?["reason"]?.contains("not an account Ferry delivered from Sales") == true)

        let products = try Self.output(run, "order-products-fo-sales-orders-Sales-order-lines-V2-")
        #expect(Set(products.map { $0["Order"] ?? "" }) == ["SO-001200", "SO-001201", "SO-001203"])
        // P2C's example: 3 x 3.33 less the -0.01 sales charge is a 10.00 line discount in Sales.
        let first = try #require(products.first)
        #expect(first["Quantity"] == "3" && first["Manual Discount"] == "10.00" && first["Unit"] == "Piece" && first["Existing Product"] == "P000001")
        let lineRejects = try Self.output(run, "reports/sales-order-lines-to-order-products-fo-sales-orders-")
        #expect(lineRejects.map { $0["value"] ?? "" } == ["X-9999"])
    }

    @Test("F&O sales invoices become Sales invoices and invoice products; an invoice of a customer not from Sales takes its lines with it")
    func invoicesToSales() throws {
        let run = try SampleFlowTests.runSamples().produced
        let invoices = try Self.output(run, "invoices-sales-invoice-headers-")
        #expect(invoices.map { $0["Invoice ID"] ?? "" } == ["CIV-005000", "CIV-005001", "CIV-005002"])
        #expect(invoices.map { $0["Bill To Country/Region"] ?? "" } == ["HU", "DE", "HU"], "F&O's alpha-3 ids mapped back")
        #expect(invoices[0]["Order"] == "SO-001201" && invoices[0]["Currency"] == "Hungarian Forint" && invoices[0]["Price List"] == "Standard HUF")
        let lines = try Self.output(run, "invoice-products-sales-invoice-lines-")
        #expect(Set(lines.map { $0["Invoice ID"] ?? "" }) == ["CIV-005000", "CIV-005001", "CIV-005002"])
        #expect(lines.allSatisfy { !($0["Tax"] ?? "").isEmpty && !($0["Quantity"] ?? "").isEmpty })
        #expect(try Self.output(run, "reports/sales-invoice-headers-to-invoices-").map { $0["value"] ?? "" } == ["US-00042"])
        // The unknown product's line is rejected; the lines of the rejected invoice are filtered with it, not rejected.
        #expect(try Self.output(run, "reports/sales-invoice-lines-to-invoice-products-").map { $0["value"] ?? "" } == ["X-9999"])
    }

    @Test("currency GUIDs and names resolve through the Sales currencies export; an unknown one rejects its row naming the reference")
    func currencies() throws {
        let scratch = try TemporaryWorkspace()
        let samples = Fixtures.packageRoot + "/samples/exports/"
        for name in ["sales-currencies.csv", "accounts.csv"] {
            try FileManager.default.copyItem(atPath: samples + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        #expect(try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run().succeeded)
        let package = try #require(scratch.files(in: scratch.workspace.outbox).first)
        let customers = try Self.rows(try #require(try SampleFlowTests.entries(of: scratch.workspace.outbox + "/" + package).first { $0.0 == "Customers V3.csv" }?.1))
        #expect(Set(customers.map { $0["SALESCURRENCYCODE"] ?? "" }) == ["EUR", "USD", "HUF"])
        let store = try LearnedKeys(ledgerPath: scratch.root + "/.ferry/ledger.sqlite3", create: false)
        #expect(store.resolve("Hungarian Forint", in: "currencies") == .found("HUF"))
        #expect(store.resolve("HUF", in: "currency_names") == .found("Hungarian Forint"))

        // A quote whose currency GUID no currencies export taught.
        // A quote whose currency GUID no currencies export taught, beside quotes whose currency is the EUR GUID as an export may
        // write it (braces, capitals), its name and its code.
        let currencies = try Self.rows(scratch.text(samples + "sales-currencies.csv"))
        let euro = try #require(currencies.first { $0["isocurrencycode"] == "EUR" }?["transactioncurrencyid"])
        let header = "quoteid,quotenumber,name,customerid,transactioncurrencyid,effectiveto,requestdeliveryby,shipto_line1,shipto_city,shipto_postalcode,shipto_country,statecode\n"
        let rest = ",2026-12-10,2027-01-10,,Budapest,1051,HU,1\n"
        try scratch.drop("quotes-x.csv", header
                         + "q1,QUO-1,Q,ACC-00000-XI9000,11111111-2222-3333-4444-555555555555" + rest
                         + "q2,QUO-2,Q,ACC-00000-XI9000,{\(euro.uppercased())}" + rest
                         + "q3,QUO-3,Q,ACC-00000-XI9000,Euro" + rest
                         + "q4,QUO-4,Q,ACC-00000-XI9000,EUR" + rest)
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        #expect(summary.rowsRejected == 1 && summary.rowsWritten == 3, "\(summary.files.compactMap(\.error))")
        let report = scratch.text(scratch.workspace.reports + "/" + (scratch.files(in: scratch.workspace.reports).first { $0.contains("quotes-x") } ?? ""))
        #expect(report.contains("is not in reference currencies"))
    }
}
