/// A `regex` whose pattern is one bracketed class of ASCII characters (`[^0-9+]`, `[a-z]+`) and whose
/// replacement is plain text, compiled to a 128-bit set and applied to a value's bytes. Such patterns
/// clean phone numbers and codes in every row; Swift's `Regex` costs several microseconds a value.
/// Anything it cannot decide exactly (other patterns, `$` in the replacement) is left to `Regex`.
struct ASCIIClassReplacement: Sendable {
    /// Bit `c` set: ASCII character `c` is in the class as written (before `^`).
    private var low: UInt64 = 0, high: UInt64 = 0
    private var negated = false
    /// `[...]+`: a run of matching characters is replaced once.
    private var oneOrMore = false
    private var replacement: [UInt8] = []

    init?(pattern: String, replacement: String) {
        guard !replacement.utf8.contains(UInt8(ascii: "$")), replacement.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else { return nil }
        var bytes = Array(pattern.utf8)[...]
        if bytes.last == UInt8(ascii: "+") {
            oneOrMore = true
            bytes.removeLast()
        }
        guard bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return nil }
        bytes = bytes.dropFirst().dropLast()
        if bytes.first == UInt8(ascii: "^") {
            negated = true
            bytes.removeFirst()
        }
        guard !bytes.isEmpty else { return nil }
        while let first = Self.member(&bytes) {
            if bytes.first == UInt8(ascii: "-") {
                bytes.removeFirst()
                guard let last = Self.member(&bytes), first <= last else { return nil }
                for byte in first...last { insert(byte) }
            } else {
                insert(first)
            }
        }
        guard bytes.isEmpty else { return nil }
        self.replacement = Array(replacement.utf8)
    }

    /// One class member: a printable ASCII character that has no meaning in a class, or a backslash
    /// and a punctuation character (`\-`, `\]`). Nil (and `bytes` unchanged) for anything else.
    private static func member(_ bytes: inout ArraySlice<UInt8>) -> UInt8? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "\\") {
            let rest = bytes.dropFirst()
            guard let escaped = rest.first, escaped > 0x20, escaped < 0x7F, !Self.isAlphanumeric(escaped) else { return nil }
            bytes = rest.dropFirst()
            return escaped
        }
        // Brackets, set operators (&&, --, ~~) and a dash outside a range are left to Regex.
        guard first >= 0x20, first < 0x7F, !"[]^&~-".utf8.contains(first) else { return nil }
        bytes.removeFirst()
        return first
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    private mutating func insert(_ byte: UInt8) {
        if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
    }

    @inline(__always)
    private func matches(_ byte: UInt8) -> Bool {
        let member = byte < 64 ? low & (1 << UInt64(byte)) != 0 : high & (1 << UInt64(byte &- 64)) != 0
        return member != negated
    }

    /// Replaces the matches in `buffer[start...]`; false (nothing changed) when the value is not plain
    /// ASCII or holds a carriage return (Regex matches "\r\n" as one character).
    func apply(to buffer: inout [UInt8], from start: Int) -> Bool {
        let firstMatch = buffer.withUnsafeBufferPointer { bytes -> Int?? in
            var first: Int?
            for index in start..<bytes.count {
                let byte = bytes[index]
                if byte >= 0x80 || byte == 0x0D { return .none }
                if first == nil, matches(byte) { first = index }
            }
            return .some(first)
        }
        guard let firstMatch else { return false }
        guard let firstMatch else { return true }
        if replacement.count <= 1 {
            // The result is never longer than what is read: rewrite in place.
            let end = buffer.withUnsafeMutableBufferPointer { bytes -> Int in
                var write = firstMatch, previousMatched = false
                for read in firstMatch..<bytes.count {
                    let byte = bytes[read]
                    if matches(byte) {
                        if !(oneOrMore && previousMatched), let replacing = replacement.first {
                            bytes[write] = replacing
                            write += 1
                        }
                        previousMatched = true
                    } else {
                        bytes[write] = byte
                        write += 1
                        previousMatched = false
                    }
                }
                return write
            }
            buffer.removeSubrange(end...)
        } else {
            let tail = buffer[firstMatch...]
            buffer.removeSubrange(firstMatch...)
            var previousMatched = false
            for byte in tail {
                if matches(byte) {
                    if !(oneOrMore && previousMatched) { buffer.append(contentsOf: replacement) }
                    previousMatched = true
                } else {
                    buffer.append(byte)
                    previousMatched = false
                }
            }
        }
        return true
    }
}
