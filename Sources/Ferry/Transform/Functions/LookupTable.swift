/// A reference table read from a CSV file beside the template (`countries.csv`: iso2 -> iso3),
/// loaded once when the template is loaded.
public struct LookupTable: Sendable, Equatable {
    public var name: String
    public var file: String
    public var entries: [String: String]
    public var fallback: String?
    /// For a lookup through keys Ferry learned (`reference: accounts`): the reference's name. Such a table
    /// has no entries of its own; it is resolved per input through a `KeyResolver`.
    public var reference: String?

    /// A lookup through the keys learned under `reference` (from delivered inputs and reference exports).
    static func learned(name: String, reference: String, fallback: String?) -> LookupTable {
        LookupTable(name: name, file: "", entries: [:], fallback: fallback, reference: reference)
    }

    /// Reads `keyColumn` -> `valueColumn` from the CSV at `path` (UTF-8, delimiter sniffed).
    static func load(name: String, path: String, keyColumn: String, valueColumn: String, fallback: String?) throws -> LookupTable {
        let reader = try CSVReader(source: try FileByteSource(path: path, displayName: path), fileName: path, delimiter: nil)
        guard let key = reader.columns.firstIndex(of: keyColumn), let value = reader.columns.firstIndex(of: valueColumn) else {
            throw InputError(.schema, InputLocation(file: path, line: 1),
                             "the lookup file needs columns \"\(keyColumn)\" and \"\(valueColumn)\"; it has \(reader.columns.joined(separator: ", "))")
        }
        var entries: [String: String] = [:]
        var record = SourceRecord()
        while try reader.next(into: &record) {
            if let k = record.string(at: key), let v = record.string(at: value) { entries[k] = v }
        }
        return LookupTable(name: name, file: path, entries: entries, fallback: fallback)
    }

    func lookup(_ value: String) -> String? {
        entries[value] ?? fallback
    }
}
