/// The bundle formats Ferry opens as one input: a zip (an F&O data package or any zip of data
/// files) and a tar, plain or gzip-compressed.
enum BundleKind: Equatable {
    case zip
    case tar(gzipped: Bool)

    /// What the file is, by content; nil for a plain data file.
    static func detect(path: String, displayName: String, limits: DecompressionLimits) throws -> BundleKind? {
        let head = try PeekableByteSource(FileByteSource(path: path, displayName: displayName), peeking: 512)
        switch ContentKind.detect(head.peeked) {
        case .zip: return .zip
        case .tar: return .tar(gzipped: false)
        case .gzip:
            // Only a gzip whose content is a tar is a bundle; a truncated one is left to the data path to report.
            guard let inner = try? PeekableByteSource(GzipByteSource(head, fileName: displayName, limits: limits), peeking: 512) else {
                return nil
            }
            return ContentKind.detect(inner.peeked) == .tar ? .tar(gzipped: true) : nil
        default: return nil
        }
    }
}
