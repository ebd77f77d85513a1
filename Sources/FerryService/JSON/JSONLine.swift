import Foundation

/// One line of Ferry's JSON output (`--json`): a JSON object with `"version"` (the schema version) and
/// `"type"` first, keys in snake_case, keys without a value left out. README "JSON output" documents it.
public enum JSONLine {
    /// The schema version; raised when a key changes meaning or goes away (new keys keep it).
    public static let schemaVersion = 1

    public static func encode<Record: Encodable>(_ record: Record) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Records hold strings, numbers and arrays of them: encoding cannot fail.
        guard let data = try? encoder.encode(record) else { return "{\"version\":\(schemaVersion),\"type\":\"error\"}" }
        return String(decoding: data, as: UTF8.self)
    }
}
