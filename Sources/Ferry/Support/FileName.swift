/// File names as the file system has them: bytes, which need not be UTF-8 (Latin-1 names from old SMB
/// and FTP clients). Ferry holds a name in a `String` that round-trips exactly: a byte that is not part
/// of valid UTF-8 becomes the private-use scalar U+10FF00 + byte (U+10FF80...U+10FFFF), and the bytes
/// of a genuine scalar in that range are escaped the same way. `SystemPath` turns it back into the
/// bytes at every system call; `display` is the form for people (`accounts-\xFF\xFE-latin.csv`).
public enum FileName {
    /// The escape plane for bytes that are not UTF-8.
    private static let escapeBase: UInt32 = 0x10FF00
    private static let escapes: ClosedRange<UInt32> = 0x10FF80...0x10FFFF

    /// The name for `bytes` (no NUL, no slash expected; they are kept as they are).
    public static func decoded(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if let (scalar, length) = scalar(in: bytes, at: index), !escapes.contains(scalar.value) {
                scalars.append(scalar)
                index += length
            } else if let (_, length) = scalar(in: bytes, at: index) {
                for byte in bytes[index..<(index + length)] { scalars.append(escape(byte)) }
                index += length
            } else {
                scalars.append(escape(bytes[index]))
                index += 1
            }
        }
        return String(scalars)
    }

    /// The well-formed UTF-8 scalar starting at `index` (no overlong forms, no surrogates), and its length.
    private static func scalar(in bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int, minimum: UInt32
        var value: UInt32
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: (length, minimum, value) = (2, 0x80, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, minimum, value) = (3, 0x800, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, minimum, value) = (4, 0x10000, UInt32(lead & 0x07))
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    private static func escape(_ byte: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(escapeBase + UInt32(byte))!
    }

    /// The bytes the file system has for `name`.
    public static func bytes(of name: String) -> [UInt8] {
        guard mayHoldEscapes(name) else { return Array(name.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for scalar in name.unicodeScalars {
            if escapes.contains(scalar.value) {
                bytes.append(UInt8(scalar.value - escapeBase))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// How many bytes the name takes on disk (NAME_MAX counts bytes).
    public static func byteCount(_ name: String) -> Int {
        mayHoldEscapes(name) ? bytes(of: name).count : name.utf8.count
    }

    /// Escape scalars are four UTF-8 bytes starting F4 8F.
    private static func mayHoldEscapes(_ name: String) -> Bool {
        name.utf8.contains(0xF4)
    }

    /// The name for people, logs and reports: bytes that are not UTF-8 as `\xFF`, line breaks and tabs
    /// as `\n`, `\r`, `\t`, other control characters as `\x01`; everything else as it is.
    public static func display(_ name: String) -> String {
        guard name.unicodeScalars.contains(where: needsEscape) else { return name }
        var text = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where escapes.contains(scalar.value): text += "\\x" + hexByte(UInt8(scalar.value - escapeBase)).uppercased()
            case _ where needsEscape(scalar): text += "\\x" + hexByte(UInt8(scalar.value)).uppercased()
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || escapes.contains(scalar.value)
    }

    /// The name a person typed from a display form (`accounts-\xFF.csv`, `a\nb.csv`): escapes turned back
    /// into bytes. A name without escapes is returned as it is.
    public static func parsingDisplay(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 1 < source.count {
                switch source[index + 1] {
                case UInt8(ascii: "n"): bytes.append(0x0A); index += 2; continue
                case UInt8(ascii: "r"): bytes.append(0x0D); index += 2; continue
                case UInt8(ascii: "t"): bytes.append(0x09); index += 2; continue
                case UInt8(ascii: "x") where index + 3 < source.count:
                    if let byte = UInt8(String(decoding: source[(index + 2)...(index + 3)], as: UTF8.self), radix: 16) {
                        bytes.append(byte)
                        index += 4
                        continue
                    }
                default: break
                }
            }
            bytes.append(source[index])
            index += 1
        }
        return decoded(bytes)
    }

    /// NAME_MAX of Linux file systems.
    public static let maxBytes = 255

    /// `name`, or when it is longer than `maxBytes` bytes, its start with `~` and eight hex digits of its
    /// SHA-256 and its extension (`accounts-<...>~1a2b3c4d.csv.error.txt`): distinct names stay distinct.
    public static func fitted(_ name: String, maxBytes: Int = FileName.maxBytes) -> String {
        let size = byteCount(name)
        guard size > maxBytes else { return name }
        var hasher = SHA256()
        hasher.update(bytes(of: name))
        let mark = "~" + String(hasher.finalizeHex().prefix(8))
        let suffix = Self.keptSuffix(of: name, within: maxBytes / 4)
        var stem = String.UnicodeScalarView(name.unicodeScalars.dropLast(suffix.unicodeScalars.count))
        var stemBytes = byteCount(String(stem))
        let room = maxBytes - mark.utf8.count - byteCount(suffix)
        while stemBytes > room, let last = stem.popLast() {
            stemBytes -= byteCount(String(last))
        }
        return String(stem) + mark + suffix
    }

    /// The extensions kept when a name is shortened: all of them (`.csv.error.txt`) when short, else the last.
    private static func keptSuffix(of name: String, within limit: Int) -> String {
        let all = splitExtensions(name).suffix
        if byteCount(all) <= limit { return all }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        let last = String(name[dot...])
        return byteCount(last) <= limit ? last : ""
    }

    /// `customers-x.zip` -> (`customers-x`, `.zip`); `a.csv.gz` -> (`a`, `.csv.gz`); a leading dot is part of the stem.
    public static func splitExtensions(_ name: String) -> (stem: String, suffix: String) {
        guard let dot = name.dropFirst().firstIndex(of: ".") else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }
}
