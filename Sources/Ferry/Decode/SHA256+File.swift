extension SHA256 {
    /// The digest of a whole file, read in 1 MiB chunks.
    static func file(_ path: String, displayName: String) throws -> String {
        let source = try FileByteSource(path: path, displayName: displayName)
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return hasher.finalizeHex()
    }
}
