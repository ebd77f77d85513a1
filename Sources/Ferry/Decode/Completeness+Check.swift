#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Completeness {
    /// gzip files up to this size are inflated once to verify their trailer. No cheaper check gives the same
    /// verdict: where a deflate stream ends is only found by decoding every block before it (each block's final
    /// bit sits after the previous block's Huffman-coded data), and the trailer's CRC-32 and size describe the
    /// inflated bytes, so a file cut mid-stream looks whole to any check that reads less.
    static let gzipVerifyLimit: Int64 = 256 << 20

    public static func check(path: String, size: Int64) -> Completeness {
        guard let file = try? FileByteSource(path: path, displayName: path),
              let head = try? PeekableByteSource(file, peeking: 512) else { return .unknown }
        switch ContentKind.detect(head.peeked) {
        case .gzip:
            guard size <= gzipVerifyLimit else { return .unknown }
            do {
                let gzip = try GzipByteSource(head, fileName: path, limits: DecompressionLimits(maxBytes: 1 << 40, maxRatio: 1 << 40))
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while try buffer.withUnsafeMutableBytes({ try gzip.read(into: $0) }) > 0 {}
                return .complete
            } catch let error as InputError {
                return .incomplete("gzip data does not verify yet (\(error.message))")
            } catch {
                return .unknown
            }
        case .zip:
            do {
                _ = try ZipArchiveReader(path: path, displayName: path)
                return .complete
            } catch {
                return .incomplete("the zip has no central directory yet")
            }
        case .xml:
            return xmlRootCloses(path: path, size: size, head: head.peeked)
        default:
            return .unknown
        }
    }

    /// The document element named at the start must close at the end (`</accounts>` or `<accounts/>`).
    private static func xmlRootCloses(path: String, size: Int64, head: [UInt8]) -> Completeness {
        let utf16 = utf16Encoding(of: head)
        guard let root = rootName(in: text(of: head, utf16: utf16)) else { return .unknown }
        let fd = SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .unknown }
        defer { close(fd) }
        let tailSize = Int(min(size, 4096)) & ~1  // whole UTF-16 code units
        var tail = [UInt8](repeating: 0, count: tailSize)
        let read = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, tailSize, off_t(size - Int64(tailSize))) }
        guard read == tailSize else { return .unknown }
        let text = text(of: tail, utf16: utf16).trimmingWhitespace()
        if text.hasSuffix("</\(root)>") || (text.hasSuffix("/>") && !text.dropLast(2).contains(">")) { return .complete }
        return .incomplete("the XML root element <\(root)> is not closed yet")
    }

    /// UTF-16 by its byte order mark, or by the `<` of the declaration or root in its first code unit.
    private static func utf16Encoding(of head: [UInt8]) -> TextEncoding? {
        if let (encoding, _) = head.withUnsafeBytes({ TextEncoding.byteOrderMark(in: $0) }), encoding != .utf8 { return encoding }
        if head.starts(with: [0x3C, 0x00]) { return .utf16LittleEndian }
        if head.starts(with: [0x00, 0x3C]) { return .utf16BigEndian }
        return nil
    }

    private static func text(of bytes: [UInt8], utf16: TextEncoding?) -> String {
        guard let utf16 else { return String(decoding: bytes, as: UTF8.self) }
        let units = stride(from: 0, to: bytes.count - 1, by: 2).map { index in
            utf16 == .utf16LittleEndian ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                                        : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// The first element's name after the XML declaration, comments and DOCTYPE.
    static func rootName(in head: String) -> String? {
        var text = Substring(head.drop { $0 == "\u{FEFF}" })
        while let open = text.firstIndex(of: "<") {
            let rest = text[text.index(after: open)...]
            if rest.hasPrefix("?") || rest.hasPrefix("!") {
                guard let close = rest.firstIndex(of: ">") else { return nil }
                text = rest[rest.index(after: close)...]
                continue
            }
            let name = rest.prefix { !" \t\r\n/>".contains($0) }
            return name.isEmpty ? nil : String(name)
        }
        return nil
    }
}
