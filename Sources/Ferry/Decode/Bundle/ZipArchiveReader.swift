#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a zip archive's central directory and extracts its entries (stored or deflated), checking
/// every entry's path, type, CRC-32 and size. Owns the file descriptor.
final class ZipArchiveReader {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int64
        var uncompressedSize: Int64
        var headerOffset: Int64
        var isSymlink: Bool
        var isDirectory: Bool
    }

    private let descriptor: Int32
    private let displayName: String
    let fileSize: Int64
    private(set) var entries: [Entry] = []

    init(path: String, displayName: String) throws {
        let fd = SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(.io, InputLocation(file: displayName), "cannot open: \(SystemCall.describe(errno))") }
        descriptor = fd
        self.displayName = displayName
        var info = stat()
        fileSize = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
        try readCentralDirectory()
    }

    deinit { close(descriptor) }

    /// Extracts one entry into a new file at `destination`, counting its bytes against `budget`.
    func extract(_ entry: Entry, to destination: String, budget: inout DecompressionBudget) throws {
        let header = try bytes(at: entry.headerOffset, count: 30)
        guard header.u32(0) == 0x0403_4B50 else { throw malformed("entry \(entry.name) has no local header where the directory says") }
        let dataOffset = entry.headerOffset + 30 + Int64(header.u16(26)) + Int64(header.u16(28))
        let output = try OutputFile(creating: destination)
        var crc = CRC32()
        var written: Int64 = 0
        let inflater = entry.method == 8 ? try Inflater(.raw) : nil
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var inflated = [UInt8](repeating: 0, count: 1 << 17)
        var offset: Int64 = 0
        var ended = entry.method == 0 && entry.compressedSize == 0

        func emit(_ data: UnsafeRawBufferPointer) throws {
            written += Int64(data.count)
            if written > entry.uncompressedSize {
                throw malformed("entry \(entry.name) expands beyond the size its header declares (\(entry.uncompressedSize) bytes)")
            }
            try budget.add(Int64(data.count))
            crc.update(data)
            try output.write(data)
        }

        while offset < entry.compressedSize && !ended {
            let count = Int(min(Int64(chunk.count), entry.compressedSize - offset))
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(dataOffset + offset)) }
            guard read == count else { throw malformed("entry \(entry.name) is cut short: the zip is truncated") }
            offset += Int64(count)
            guard let inflater else {
                try chunk.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                continue
            }
            var consumed = 0
            while consumed < count && !ended {
                let step = try chunk.withUnsafeBytes { input in
                    try inflated.withUnsafeMutableBytes { out in
                        do {
                            return try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[consumed..<count]), into: out)
                        } catch let error as ZlibError {
                            throw malformed("entry \(entry.name) is corrupt: \(error.message)")
                        }
                    }
                }
                consumed += step.consumed
                try inflated.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<step.produced])) }
                if step.status == .streamEnd { ended = true }
                if step.consumed == 0 && step.produced == 0 { break }
            }
        }
        // Drain what the inflater still holds after the last input byte.
        if let inflater, !ended {
            while true {
                let step = try inflated.withUnsafeMutableBytes { try inflater.inflate(UnsafeRawBufferPointer(start: nil, count: 0), into: $0) }
                try inflated.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<step.produced])) }
                if step.status == .streamEnd { ended = true; break }
                if step.produced == 0 { break }
            }
            if !ended { throw malformed("entry \(entry.name) ends before its compressed data does: the zip is truncated or damaged") }
        }
        guard written == entry.uncompressedSize, crc.value == entry.crc else {
            throw malformed("entry \(entry.name) does not match its checksum or size: the zip is damaged")
        }
        try output.syncAndClose()
    }

    // MARK: Central directory

    private func readCentralDirectory() throws {
        let tailLength = Int(min(fileSize, 65_557))
        guard tailLength >= 22 else { throw malformed("the file is too short to be a zip") }
        let tail = try bytes(at: fileSize - Int64(tailLength), count: tailLength)
        var end: Int?
        var index = tailLength - 22
        while index >= 0 {
            if tail.u32(index) == 0x0605_4B50 { end = index; break }
            index -= 1
        }
        guard let end else {
            throw malformed("the zip has no central directory (its table of contents at the end): the file is truncated or still being uploaded")
        }
        let count = Int(tail.u16(end + 10))
        let size = Int64(tail.u32(end + 12))
        let start = Int64(tail.u32(end + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || start == 0xFFFF_FFFF {
            throw malformed("the zip uses ZIP64 (over 4 GiB or 65,535 entries), which Ferry does not read yet")
        }
        guard count <= BundleSafety.maxMembers else {
            throw BundleSafety(bundleName: displayName).tooManyMembers(count)
        }
        guard start + size <= fileSize else { throw malformed("the zip's central directory points past the end of the file: it is truncated") }
        let directory = try bytes(at: start, count: Int(size))
        var position = 0
        for _ in 0..<count {
            guard position + 46 <= directory.count, directory.u32(position) == 0x0201_4B50 else {
                throw malformed("the zip's central directory is damaged")
            }
            let nameLength = Int(directory.u16(position + 28))
            let extraLength = Int(directory.u16(position + 30))
            let commentLength = Int(directory.u16(position + 32))
            guard position + 46 + nameLength <= directory.count else { throw malformed("the zip's central directory is damaged") }
            let name = String(decoding: directory[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            let madeBy = directory.u16(position + 4)
            let mode = directory.u32(position + 38) >> 16
            let entry = Entry(
                name: name, method: directory.u16(position + 10), flags: directory.u16(position + 8),
                crc: directory.u32(position + 16), compressedSize: Int64(directory.u32(position + 20)),
                uncompressedSize: Int64(directory.u32(position + 24)), headerOffset: Int64(directory.u32(position + 42)),
                isSymlink: madeBy >> 8 == 3 && mode & 0o170000 == 0o120000,
                isDirectory: name.hasSuffix("/") || name.hasSuffix("\\"))
            if entry.compressedSize == 0xFFFF_FFFF || entry.uncompressedSize == 0xFFFF_FFFF || entry.headerOffset == 0xFFFF_FFFF {
                throw malformed("entry \(name) uses ZIP64, which Ferry does not read yet")
            }
            entries.append(entry)
            position += 46 + nameLength + extraLength + commentLength
        }
    }

    private func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let read = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            guard read > 0 else { throw malformed("the zip ends early: it is truncated") }
            done += read
        }
        return buffer
    }

    private func malformed(_ message: String) -> InputError {
        InputError(.malformed, InputLocation(file: displayName), message, hint: "send the complete zip again")
    }
}

extension Array where Element == UInt8 {
    func u16(_ offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func u32(_ offset: Int) -> UInt32 { UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16 }
}
