#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Why a lookup file cannot be used, in words that never quote the file's content.
    struct Unusable: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads `keyColumn` -> `valueColumn` from the CSV at `path` (UTF-8, delimiter sniffed). The file must
    /// lie inside `folder` once every symbolic link is resolved: a template names its own reference data,
    /// never another file of the machine.
    static func load(name: String, path: String, inside folder: String, keyColumn: String, valueColumn: String,
                     fallback: String?) throws(Unusable) -> LookupTable {
        guard let real = realPath(path) else { throw Unusable(description: "there is no such file") }
        guard let root = realPath(folder.isEmpty ? "." : folder), real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw Unusable(description: "it is outside the template's folder (it resolves to \(real)); lookup files must lie beside the template")
        }
        do {
            let reader = try CSVReader(source: try FileByteSource(path: real, displayName: real), fileName: real, delimiter: nil)
            guard let key = reader.columns.firstIndex(of: keyColumn), let value = reader.columns.firstIndex(of: valueColumn) else {
                let missing = [keyColumn, valueColumn].filter { !reader.columns.contains($0) }.map { "\"\($0)\"" }
                throw Unusable(description: "its header has no column \(missing.joined(separator: " or ")) (it has \(reader.columns.count) columns)")
            }
            var entries: [String: String] = [:]
            var record = SourceRecord()
            while try reader.next(into: &record) {
                if let k = record.string(at: key), let v = record.string(at: value) { entries[k] = v }
            }
            return LookupTable(name: name, file: real, entries: entries, fallback: fallback)
        } catch let error as InputError {
            // Reader messages can quote a header name or a value: only where and what kind of fault is said.
            let place = error.location.line.map { " at line \($0)" } ?? ""
            throw Unusable(description: error.kind == .io ? error.message : "it is not a readable CSV lookup (\(error.kind.rawValue)\(place))")
        } catch let error as Unusable {
            throw error
        } catch {
            throw Unusable(description: "\(error)")
        }
    }

    /// The path with every symbolic link and `..` resolved; nil when it does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func lookup(_ value: String) -> String? {
        entries[value] ?? fallback
    }
}
