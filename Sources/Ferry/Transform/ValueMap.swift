/// A named table from source values to target codes, with an optional fallback ("*").
public struct ValueMap: Sendable, Equatable {
    public var name: String
    public var entries: [String: String]
    public var fallback: String?

    public init(name: String, entries: [String: String], fallback: String? = nil) {
        self.name = name
        self.entries = entries
        self.fallback = fallback
    }

    /// The target value, the fallback, or nil when the value has no entry and there is no fallback.
    public func lookup(_ value: String) -> String? {
        entries[value] ?? fallback
    }
}
