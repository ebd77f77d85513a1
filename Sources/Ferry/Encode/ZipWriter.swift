/// Writes a zip archive entry by entry into an output file: deflated entries, CRC-32 and sizes
/// patched into each local header once known, the central directory at the end.
final class ZipWriter {
    struct TooLarge: Error, CustomStringConvertible {
        var entry: String
        var description: String { "zip entry \(entry) is larger than 4 GiB, which needs ZIP64 (not written by this Ferry)" }
    }

    private struct CentralRecord {
        var name: [UInt8]
        var crc: UInt32
        var compressedSize: UInt32
        var uncompressedSize: UInt32
        var headerOffset: UInt32
    }

    private let file: OutputFile
    private let level: Int32
    private let dosTime: UInt16
    private let dosDate: UInt16
    private var records: [CentralRecord] = []
    private var openEntry: Entry?

    /// `modified` is a UTC date and time stamped on every entry.
    init(file: OutputFile, level: Int32, modified: UTCDateTime) {
        self.file = file
        self.level = level
        dosTime = UInt16(modified.hour << 11 | modified.minute << 5 | modified.second / 2)
        dosDate = UInt16((max(modified.year, 1980) - 1980) << 9 | modified.month << 5 | modified.day)
    }

    /// Adds a whole entry at once (small files such as Manifest.xml).
    func add(name: String, contents: [UInt8]) throws {
        let entry = try begin(name: name)
        try entry.write(contents)
        try end(entry)
    }

    /// Adds an entry whose raw deflate bytes are already in the file at `path`.
    func addPrecompressed(name: String, path: String, crc: UInt32, compressedSize: Int64, uncompressedSize: Int64) throws {
        precondition(openEntry == nil, "one zip entry at a time")
        let offset = file.size
        guard offset <= Int64(UInt32.max), compressedSize <= Int64(UInt32.max), uncompressedSize <= Int64(UInt32.max) else {
            throw TooLarge(entry: name)
        }
        let nameBytes = Array(name.utf8)
        try file.write(localHeader(name: nameBytes, crc: crc, compressedSize: UInt32(compressedSize), uncompressedSize: UInt32(uncompressedSize)))
        let source = try FileReader(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            try buffer.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        records.append(CentralRecord(name: nameBytes, crc: crc, compressedSize: UInt32(compressedSize),
                                     uncompressedSize: UInt32(uncompressedSize), headerOffset: UInt32(offset)))
    }

    /// Starts a streamed entry; write its bytes to the returned sink, then call `end`.
    func begin(name: String) throws -> Entry {
        precondition(openEntry == nil, "one zip entry at a time")
        let offset = file.size
        guard offset <= Int64(UInt32.max) else { throw TooLarge(entry: name) }
        let nameBytes = Array(name.utf8)
        try file.write(localHeader(name: nameBytes, crc: 0, compressedSize: 0, uncompressedSize: 0))  // patched in `end`
        let entry = Entry(name: name, nameBytes: nameBytes, headerOffset: offset,
                          dataOffset: file.size, deflater: try Deflater(level: level), file: file)
        openEntry = entry
        return entry
    }

    func end(_ entry: Entry) throws {
        try entry.deflater.finish { try file.write($0) }
        let compressed = file.size - entry.dataOffset
        guard compressed <= Int64(UInt32.max), entry.uncompressedSize <= Int64(UInt32.max) else {
            throw TooLarge(entry: entry.name)
        }
        var patch = ByteWriter()
        patch.u32(entry.crc.value)
        patch.u32(UInt32(compressed))
        patch.u32(UInt32(entry.uncompressedSize))
        try file.overwrite(patch.bytes, at: entry.headerOffset + 14)
        records.append(CentralRecord(name: entry.nameBytes, crc: entry.crc.value, compressedSize: UInt32(compressed),
                                     uncompressedSize: UInt32(entry.uncompressedSize), headerOffset: UInt32(entry.headerOffset)))
        openEntry = nil
    }

    /// A local file header: deflate, UTF-8 name, the archive's time stamp.
    private func localHeader(name: [UInt8], crc: UInt32, compressedSize: UInt32, uncompressedSize: UInt32) -> [UInt8] {
        var header = ByteWriter()
        header.u32(0x0403_4B50)
        header.u16(20)              // version needed: deflate
        header.u16(0x0800)          // names are UTF-8
        header.u16(8)               // deflate
        header.u16(dosTime)
        header.u16(dosDate)
        header.u32(crc)
        header.u32(compressedSize)
        header.u32(uncompressedSize)
        header.u16(UInt16(name.count))
        header.u16(0)
        header.bytes.append(contentsOf: name)
        return header.bytes
    }

    /// Writes the central directory; the archive is complete afterwards.
    func finish() throws {
        let start = file.size
        var directory = ByteWriter()
        for record in records {
            directory.u32(0x0201_4B50)
            directory.u16(0x0314)       // made by: Unix, spec 2.0
            directory.u16(20)
            directory.u16(0x0800)
            directory.u16(8)
            directory.u16(dosTime)
            directory.u16(dosDate)
            directory.u32(record.crc)
            directory.u32(record.compressedSize)
            directory.u32(record.uncompressedSize)
            directory.u16(UInt16(record.name.count))
            directory.u16(0); directory.u16(0); directory.u16(0); directory.u16(0)
            directory.u32(0o100644 << 16)  // regular file, rw-r--r--
            directory.u32(record.headerOffset)
            directory.bytes.append(contentsOf: record.name)
        }
        let directorySize = directory.bytes.count
        guard start + Int64(directorySize) <= Int64(UInt32.max) else { throw TooLarge(entry: "central directory") }
        directory.u32(0x0605_4B50)
        directory.u16(0); directory.u16(0)
        directory.u16(UInt16(records.count)); directory.u16(UInt16(records.count))
        directory.u32(UInt32(directorySize))
        directory.u32(UInt32(start))
        directory.u16(0)
        try file.write(directory.bytes)
    }

    /// One entry being written: counts, checksums and deflates what it is given.
    final class Entry: ByteSink {
        let name: String
        let nameBytes: [UInt8]
        let headerOffset: Int64
        let dataOffset: Int64
        let deflater: Deflater
        private let file: OutputFile
        fileprivate(set) var crc = CRC32()
        fileprivate(set) var uncompressedSize: Int64 = 0

        fileprivate init(name: String, nameBytes: [UInt8], headerOffset: Int64, dataOffset: Int64, deflater: Deflater, file: OutputFile) {
            self.name = name
            self.nameBytes = nameBytes
            self.headerOffset = headerOffset
            self.dataOffset = dataOffset
            self.deflater = deflater
            self.file = file
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            crc.update(bytes)
            uncompressedSize += Int64(bytes.count)
            try deflater.compress(bytes) { try file.write($0) }
        }
    }
}

/// Little-endian integers into a byte array (zip headers).
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
