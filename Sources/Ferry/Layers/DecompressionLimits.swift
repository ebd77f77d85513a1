/// Limits on what a compressed input may expand to: the defence against decompression bombs.
public struct DecompressionLimits: Sendable, Equatable {
    /// Most bytes one input may decompress to (all bundle members together).
    public var maxBytes: Int64 = 16 << 30
    /// Largest allowed ratio of decompressed to compressed bytes ...
    public var maxRatio: Int64 = 250
    /// ... once this much has been decompressed (small, very repetitive files are harmless).
    public var ratioGrace: Int64 = 64 << 20

    public init() {}

    public init(maxBytes: Int64, maxRatio: Int64, ratioGrace: Int64 = 64 << 20) {
        self.maxBytes = maxBytes
        self.maxRatio = maxRatio
        self.ratioGrace = ratioGrace
    }

    /// The reason the limits are exceeded, or nil.
    func violation(decompressed: Int64, compressed: Int64) -> String? {
        if decompressed > maxBytes {
            return "it decompresses to more than \(ByteCount(maxBytes)), the limit for one input"
        }
        if decompressed > ratioGrace, decompressed > compressed * maxRatio {
            return "it expands more than \(maxRatio) times (\(ByteCount(compressed)) to over \(ByteCount(decompressed))), which is what a decompression bomb does"
        }
        return nil
    }
}

/// A byte count for people: `16 GiB`, `640 MiB`, `12 kB`.
struct ByteCount: CustomStringConvertible {
    var bytes: Int64
    init(_ bytes: Int64) { self.bytes = bytes }

    var description: String {
        if bytes >= 1 << 30 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
