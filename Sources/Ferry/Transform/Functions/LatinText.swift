/// Text steps on the UTF-8 bytes of values written in Latin scripts — ASCII and the letters of U+0080 to
/// U+02FF, which cover the Western, Central and Eastern European names and cities of business data
/// (`Tükörfúró`, `Kraków`, `Zürich`). Below U+0300 every scalar is a character of its own (no combining
/// marks) except "\r\n", and Swift's case mapping of a scalar does not depend on its neighbours, so
/// counting and mapping scalar by scalar gives what `String` gives. Each function returns false, and
/// leaves the bytes as they were, for a value it cannot decide that way: the caller uses `String`.
enum LatinText {
    enum Casing {
        case upper, lower
    }

    /// The length of the Latin value in `bytes[start...]` in characters, or nil.
    static func characterCount(_ bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { bytes -> Int? in
            var count = 0, index = start
            while index < bytes.count {
                guard let width = width(bytes, at: index) else { return nil }
                count += 1
                index += width
            }
            return count
        }
    }

    /// The byte offset at which the Latin value in `bytes[start...]` has `characters` characters
    /// (its end when it is shorter), or nil.
    static func offset(ofCharacter characters: Int, in bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { bytes -> Int? in
            var count = 0, index = start, cut: Int?
            while index < bytes.count {
                guard let width = width(bytes, at: index) else { return nil }
                if count == characters, cut == nil { cut = index }
                count += 1
                index += width
            }
            return cut ?? bytes.count
        }
    }

    /// Upper or lower case for the whole value, in place.
    static func map(_ casing: Casing, _ bytes: inout [UInt8], from start: Int) -> Bool {
        mapWords(bytes: &bytes, from: start) { _ in casing }
    }

    /// `title`: the first character of each space-separated word in upper case, the rest in lower case.
    static func title(_ bytes: inout [UInt8], from start: Int) -> Bool {
        mapWords(bytes: &bytes, from: start) { startsWord in startsWord ? .upper : .lower }
    }

    /// Maps each scalar in place, after checking that every one has a mapping of its own width.
    private static func mapWords(bytes: inout [UInt8], from start: Int, casing: (_ startsWord: Bool) -> Casing) -> Bool {
        bytes.withUnsafeMutableBufferPointer { bytes -> Bool in
            for pass in 0..<2 {
                var index = start, startsWord = true
                while index < bytes.count {
                    guard let width = width(UnsafeBufferPointer(bytes), at: index) else { return false }
                    let scalar = width == 1 ? Int(bytes[index]) : Int(bytes[index] & 0x1F) << 6 | Int(bytes[index + 1] & 0x3F)
                    let mapped = Int((casing(startsWord) == .upper ? CaseTable.upper : CaseTable.lower)[scalar])
                    if mapped == CaseTable.unmappable { return false }
                    if pass == 1 {
                        if width == 1 {
                            bytes[index] = UInt8(mapped)
                        } else {
                            bytes[index] = 0xC0 | UInt8(mapped >> 6)
                            bytes[index + 1] = 0x80 | UInt8(mapped & 0x3F)
                        }
                    }
                    startsWord = width == 1 && bytes[index] == 0x20
                    index += width
                }
            }
            return true
        }
    }

    /// The width of the scalar at `index` when it is one character below U+0300 (not a carriage
    /// return, which joins a line feed into one character); nil otherwise.
    @inline(__always)
    private static func width(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let lead = bytes[index]
        if lead < 0x80 { return lead == 0x0D ? nil : 1 }
        guard lead >= 0xC2, lead <= 0xCB, index + 1 < bytes.count, bytes[index + 1] & 0xC0 == 0x80 else { return nil }
        return 2
    }

    /// Swift's own case mapping of each scalar below U+0300, where it is one scalar of the same UTF-8
    /// width (`ß` -> `SS` and `İ` -> `i̇` are not: they take the `String` path).
    private enum CaseTable {
        static let unmappable = UInt16.max
        static let upper = table { $0.uppercased() }
        static let lower = table { $0.lowercased() }

        private static func table(_ mapping: (String) -> String) -> [UInt16] {
            (0..<0x300).map { value -> UInt16 in
                guard let scalar = Unicode.Scalar(UInt32(value)) else { return unmappable }
                let mapped = mapping(String(Character(scalar))).unicodeScalars
                guard mapped.count == 1, let only = mapped.first, UTF8.width(only) == UTF8.width(scalar), only.value < 0x800
                else { return unmappable }
                return UInt16(only.value)
            }
        }
    }
}
