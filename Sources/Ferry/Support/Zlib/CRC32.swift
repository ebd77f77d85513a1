import CZlib

/// Running CRC-32 (the zip and gzip checksum), computed by zlib.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        var running = uLong(value)
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, Int(UInt32.max >> 1))
            running = crc32(running, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
            offset += chunk
        }
        value = UInt32(truncatingIfNeeded: running)
    }
}
