import Foundation
@testable import Ferry

/// Checks an output as the target system would see it, against the entity catalogue: an F&O package's
/// Manifest.xml names each entity by its Data management label and AOT name, maps only fields the entity
/// has, in the data file's header order, and every mandatory field is a column with a value in every row;
/// a Sales CSV's header names columns of its table (display or logical names) and holds every required
/// column, filled in every row.
enum PackageCheck {
    static func check(_ path: String) throws -> [String] {
        if path.hasSuffix(".zip") { return try checkPackage(path) }
        return try checkSalesFile(path)
    }

    private static func checkPackage(_ path: String) throws -> [String] {
        var problems: [String] = []
        let entries = Dictionary(try SampleFlowTests.entries(of: path), uniquingKeysWith: { first, _ in first })
        guard let manifest = entries["Manifest.xml"] else { return ["no Manifest.xml"] }
        let blocks = manifest.components(separatedBy: "<DataManagementPackageEntityData>").dropFirst()
        if blocks.isEmpty { problems.append("the manifest lists no entity") }
        for block in blocks {
            let label = value(of: "EntityName", in: block), aot = value(of: "TargetEntity", in: block)
            let file = value(of: "InputFilePath", in: block)
            let mapped = block.components(separatedBy: "<EntityField>").dropFirst().map { String($0.prefix { $0 != "<" }) }
            guard let entity = EntityCatalogue.entity(aot) else {
                problems.append("\(aot) is not in the catalogue")
                continue
            }
            if label != entity.label { problems.append("\(aot): EntityName \"\(label)\", the entity's label is \"\(entity.label)\"") }
            for field in mapped where !entity.fields.contains(field) { problems.append("\(aot): \(field) is not a field of the entity") }
            guard let data = entries[file] else {
                problems.append("\(aot): the data file \(file) is missing")
                continue
            }
            let rows = try parse(String(data.dropFirst("[UTF-16LE BOM]".count)))
            guard let header = rows.first else { problems.append("\(file) is empty"); continue }
            if header != mapped { problems.append("\(file): the header is not the manifest's field list") }
            problems += filled(entity.mandatory, rows: rows, in: file)
        }
        return problems
    }

    private static func checkSalesFile(_ path: String) throws -> [String] {
        let name = (path as NSString).lastPathComponent
        let tables = ["price-list-items": "productpricelevel", "products": "product", "orders": "salesorder", "order-products": "salesorderdetail",
                      "invoices": "invoice", "invoice-products": "invoicedetail"]
        guard let table = tables.first(where: { name.hasPrefix($0.key + "-") })?.value else {
            return ["\(name): no Dataverse table known for this output"]
        }
        guard let catalogue = EntityCatalogue.table(table) else { return ["\(table) is not in the catalogue"] }
        let text = try SampleFlowTests.text(Array(Data(contentsOf: URL(fileURLWithPath: path))))
        guard text.hasPrefix("[UTF-8 BOM]") else { return ["\(name): not UTF-8 with a byte order mark"] }
        var rows = try parse(String(text.dropFirst("[UTF-8 BOM]".count)))
        var problems: [String] = []
        let logical = rows[0].map { catalogue.logicalName(of: $0) }
        for (index, column) in rows[0].enumerated() where logical[index] == nil { problems.append("\(name): \(column) is not a column of \(table)") }
        rows[0] = logical.enumerated().map { $1 ?? rows[0][$0] }
        for (index, column) in rows[0].enumerated() {
            guard let options = catalogue.columns[column]?.options else { continue }
            for row in rows.dropFirst() where !row[index].isEmpty && !options.values.contains(row[index]) {
                problems.append("\(name): \(column) \"\(row[index])\" is not one of the option set's labels")
            }
        }
        return problems + filled(catalogue.required, rows: rows, in: name)
    }

    /// Each mandatory column is in the header and has a value in every row.
    private static func filled(_ mandatory: [String], rows: [[String]], in file: String) -> [String] {
        var problems: [String] = []
        for field in mandatory {
            guard let index = rows[0].firstIndex(of: field) else {
                problems.append("\(file): the mandatory field \(field) is not a column")
                continue
            }
            let empty = rows.dropFirst().filter { $0[index].isEmpty }.count
            if empty > 0 { problems.append("\(file): \(field) is empty in \(empty) rows") }
        }
        return problems
    }

    private static func value(of element: String, in block: String) -> String {
        guard let start = block.range(of: "<\(element)>"), let end = block.range(of: "</\(element)>", range: start.upperBound..<block.endIndex) else { return "" }
        return String(block[start.upperBound..<end.lowerBound])
    }

    /// The rows of a CSV text, read by Ferry's own reader.
    private static func parse(_ text: String) throws -> [[String]] {
        let path = FileManager.default.temporaryDirectory.path + "/ferry-check-\(UUID().uuidString).csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(source: try FileByteSource(path: path, displayName: path), fileName: path, delimiter: UInt8(ascii: ","))
        var rows = [reader.columns]
        var record = SourceRecord()
        while try reader.next(into: &record) { rows.append((0..<record.fieldCount).map { record.string(at: $0) ?? "" }) }
        return rows
    }
}
