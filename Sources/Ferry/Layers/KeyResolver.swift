/// What a reference knows about one value: the key it stands for, that it is ambiguous (a display
/// name two records share), or nothing.
public enum KeyResolution: Sendable, Equatable {
    case found(String)
    case ambiguous
    case missing
}

/// Resolves a value (a GUID, a display name) to the key a target system knows, through a named
/// reference: `accounts` maps an accountid or an account name to its account number.
public protocol KeyResolver: Sendable {
    func resolve(_ value: String, in reference: String) -> KeyResolution
}

/// Keys learned from one input, to be remembered once it is delivered: per reference, each value's key.
/// Ids are unique (a later row wins); names are not (two different keys for one name make it ambiguous).
public struct LearnedKeyBatch: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// nil when the value is ambiguous.
        public var key: String?
        public var isName: Bool
    }

    public private(set) var entries: [String: [String: Entry]] = [:]

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.values.reduce(0) { $0 + $1.count } }

    /// A value as it is stored and looked up: trimmed, and a GUID without braces in lower case (exports
    /// write `{5F1C...}` or `5f1c...`).
    public static func normalized(_ value: String) -> String {
        var text = value.trimmingWhitespace()
        if text.utf8.count == 38, text.utf8.first == UInt8(ascii: "{"), text.utf8.last == UInt8(ascii: "}") {
            text = String(text.dropFirst().dropLast())
        }
        guard text.utf8.count == 36 else { return text }
        return text.withUTF8 { isGUIDWithUpperCase(UnsafeRawBufferPointer($0)) } ? text.lowercased() : text
    }

    /// `normalized(_:)` on UTF-8 bytes, appended to `output`; false, with nothing appended, for a value
    /// whose ends are not ASCII once ASCII white space is trimmed (there `String` decides).
    static func appendNormalized(_ value: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Bool {
        guard var text = trimmedASCII(value) else { return false }
        if text.count == 38, text[0] == UInt8(ascii: "{"), text[37] == UInt8(ascii: "}") {
            // "{" and a combining mark after it are one character: String decides that one.
            guard text[1] < 0x80 else { return false }
            text = UnsafeRawBufferPointer(rebasing: text[1..<37])
        }
        let lowercase = text.count == 36 && isGUIDWithUpperCase(text)
        for byte in text {
            output.append(lowercase && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") ? byte + 32 : byte)
        }
        return true
    }

    /// The bytes without ASCII white space at either end; nil when an end is then not ASCII.
    static func trimmedASCII(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        var start = 0, end = value.count
        while start < end, isSpace(value[start]) { start += 1 }
        while end > start, isSpace(value[end - 1]) { end -= 1 }
        if start < end, value[start] >= 0x80 || value[end - 1] >= 0x80 { return nil }
        return UnsafeRawBufferPointer(rebasing: value[start..<end])
    }

    /// Whether 36 bytes are a GUID (8-4-4-4-12 hex digits) with an upper-case digit.
    private static func isGUIDWithUpperCase(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var hasUpper = false
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") {
                hasUpper = true
            } else if !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) && !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) {
                return false
            }
        }
        return hasUpper
    }

    /// Learns that `value` stands for `key` in `reference`.
    public mutating func learn(_ value: String, means key: String, in reference: String, isName: Bool) {
        let value = Self.normalized(value), key = key.trimmingWhitespace()
        guard !value.isEmpty, !key.isEmpty else { return }
        if isName, let known = entries[reference]?[value], known.key != key {
            entries[reference, default: [:]][value] = Entry(key: nil, isName: true)
        } else if !isName || entries[reference]?[value] == nil {
            entries[reference, default: [:]][value] = Entry(key: key, isName: isName)
        }
    }

    public mutating func merge(_ other: LearnedKeyBatch) {
        for (reference, values) in other.entries {
            for (value, entry) in values {
                if let key = entry.key { learn(value, means: key, in: reference, isName: entry.isName) }
                else { entries[reference, default: [:]][value] = entry }
            }
        }
    }
}

extension LearnedKeyBatch: KeyResolver {
    public func resolve(_ value: String, in reference: String) -> KeyResolution {
        guard let entry = entries[reference]?[value] else { return .missing }
        return entry.key.map(KeyResolution.found) ?? .ambiguous
    }
}

/// Several resolvers asked in order; the first that knows the value answers.
public struct ResolverChain: KeyResolver {
    public var resolvers: [any KeyResolver]

    public init(_ resolvers: [any KeyResolver]) { self.resolvers = resolvers }

    public func resolve(_ value: String, in reference: String) -> KeyResolution {
        for resolver in resolvers {
            let answer = resolver.resolve(value, in: reference)
            if answer != .missing { return answer }
        }
        return .missing
    }
}
