/// Reads a (ustar/GNU) tar stream member by member, as it comes out of gzip: regular files only;
/// links, devices and other special members are refused.
final class TarReader {
    struct Header {
        var name: String
        var size: Int64
    }

    private let source: ByteSource
    private let safety: BundleSafety
    private var block = [UInt8](repeating: 0, count: 512)

    init(source: ByteSource, safety: BundleSafety) {
        self.source = source
        self.safety = safety
    }

    /// The next regular file's header, or nil at the end of the archive. Its data must be read
    /// with `copyData` before asking for the next one.
    func nextFile() throws -> Header? {
        var longName: String?
        while true {
            guard try readBlock() else {
                throw malformed("the tar archive ends without its end marker: it is truncated")
            }
            if block.allSatisfy({ $0 == 0 }) { return nil }
            guard checksumMatches() else { throw malformed("a tar header is damaged (its checksum does not match)") }
            let size = try parseSize()
            let type = block[156]
            let name = longName ?? headerName()
            longName = nil
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                return Header(name: name, size: size)
            case UInt8(ascii: "5"):
                try skip(size)
            case UInt8(ascii: "L"):
                var bytes: [UInt8] = []
                try copyData(size) { bytes.append(contentsOf: $0) }
                longName = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                try skip(size)
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                throw safety.refusal("member \"\(name)\" is a link; bundles may hold plain files only")
            default:
                throw safety.refusal("member \"\(name)\" is a special file (type \(Character(UnicodeScalar(type)))); bundles may hold plain files only")
            }
        }
    }

    /// Hands the member's `size` bytes to `body` in chunks, then skips the padding to the next block.
    func copyData(_ size: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = size
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let got = try readFully(&buffer, count: want)
            guard got == want else { throw malformed("a member's data ends early: the tar archive is truncated") }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
            remaining -= Int64(got)
        }
        let padding = Int((512 - size % 512) % 512)
        if padding > 0 {
            var pad = [UInt8](repeating: 0, count: padding)
            guard try readFully(&pad, count: padding) == padding else { throw malformed("the tar archive is truncated") }
        }
    }

    private func skip(_ size: Int64) throws {
        try copyData(size) { _ in }
    }

    private func readBlock() throws -> Bool {
        try readFully(&block, count: 512) == 512
    }

    private func readFully(_ buffer: inout [UInt8], count: Int) throws -> Int {
        var done = 0
        while done < count {
            let got = try buffer.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[done..<count])) }
            if got == 0 { break }
            done += got
        }
        return done
    }

    private func headerName() -> String {
        func field(_ range: Range<Int>) -> String {
            String(decoding: block[range].prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = field(0..<100)
        let prefix = Array(block[257..<262]) == Array("ustar".utf8) ? field(345..<500) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private func parseSize() throws -> Int64 {
        if block[124] & 0x80 != 0 { throw safety.refusal("a member is larger than 8 GiB") }
        let text = String(decoding: block[124..<136].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        guard let size = Int64(text.isEmpty ? "0" : text, radix: 8) else { throw malformed("a tar header has an unreadable size") }
        return size
    }

    private func checksumMatches() -> Bool {
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 0x20 : Int(byte) }
        let text = String(decoding: block[148..<156].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        return Int(text, radix: 8) == sum
    }

    private func malformed(_ message: String) -> InputError {
        InputError(.malformed, InputLocation(file: safety.bundleName), message, hint: "send the complete archive again")
    }
}
