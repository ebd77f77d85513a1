import Crypto

/// SHA-256 (FIPS 180-4), for content digests in the ledger. Streaming: `update` as bytes arrive.
///
/// BoringSSL's implementation through swift-crypto (already built for postgres-nio): its assembly uses the
/// CPU's SHA extensions or AVX2, several times the speed of portable code, and every input is hashed whole.
struct SHA256 {
    private var hasher = Crypto.SHA256()

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest as 64 lowercase hex digits.
    func finalizeHex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in hasher.finalize() {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
