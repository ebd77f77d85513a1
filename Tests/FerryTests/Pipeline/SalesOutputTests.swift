import Foundation
import Testing
@testable import Ferry

/// Files written for the Dataverse import wizard: the header it maps by itself (display names and option
/// labels) or, when a template asks, logical names and raw values; and lookups written as the keys the
/// README tells the user to choose as the wizard's Lookup Reference.
@Suite("Sales import files")
struct SalesOutputTests {
    static let products = """
    takes: products*.csv
    target:
      system: sales
      entity: product
      name: products
    fields:
      productnumber: number
      name: title
      producttypecode: kind
      productstructure: "1"
    """

    static func run(_ yaml: String) throws -> [[String]] {
        let scratch = try TemporaryWorkspace()
        try scratch.drop("products.csv", "number,title,kind\nP1,Speaker,1\nP2,Service hour,3\n")
        let summary = try RunPass(workspace: scratch.workspace, templates: [try Fixtures.template(yaml)], clock: { RunPassTests.fixedTime }).run()
        #expect(summary.succeeded, "\(summary.files.compactMap(\.error))")
        let output = try #require(scratch.files(in: scratch.workspace.outbox).first)
        let text = try SampleFlowTests.text(Array(Data(contentsOf: URL(fileURLWithPath: scratch.workspace.outbox + "/" + output))))
        #expect(text.hasPrefix("[UTF-8 BOM]"))
        let (columns, rows) = try readCSV(String(text.dropFirst("[UTF-8 BOM]".count)), chunk: 4096)
        return [columns] + rows
    }

    @Test("display names and option labels by default; headers: logical writes logical names and raw values")
    func headers() throws {
        #expect(try Self.run(Self.products) == [["Product ID", "Name", "Product Type", "Product Structure"],
                                                ["P1", "Speaker", "Sales Inventory", "Product"], ["P2", "Service hour", "Services", "Product"]])
        let logical = Self.products.replacingOccurrences(of: "  name: products\n", with: "  name: products\n  headers: logical\n")
        #expect(try Self.run(logical) == [["productnumber", "name", "producttypecode", "productstructure"],
                                          ["P1", "Speaker", "1", "1"], ["P2", "Service hour", "3", "1"]])
    }

    @Test("price list items name their product by Product ID, as order and invoice products do (names are not unique)")
    func priceListItemsByProductID() throws {
        let run = try SampleFlowTests.runSamples().produced
        let items = run.filter { $0.key.hasPrefix("price-list-items-") }
        #expect(items.count == 3)
        for (name, text) in items {
            let products = try #require(run[name.replacingOccurrences(of: "price-list-items-", with: "products-")])
            let numbers = try OrderFlowTests.rows(products).map { $0["Product ID"] ?? "" }
            let named = try OrderFlowTests.rows(text).map { $0["Product"] ?? "" }
            #expect(!named.isEmpty && named.allSatisfy { numbers.contains($0) }, "\(name): \(named) are not Product IDs \(numbers)")
        }
        let orderProducts = try OrderFlowTests.output(run, "order-products-sales-order-lines-week49-")
        #expect(orderProducts.allSatisfy { $0["Existing Product"]?.hasPrefix("P0") == true })
    }
}
