/// Counts what a bundle's members decompress to, against the limits for the whole input.
struct DecompressionBudget {
    let limits: DecompressionLimits
    /// Size of the bundle file as it arrived.
    let compressedSize: Int64
    let bundleName: String
    private(set) var used: Int64 = 0

    init(limits: DecompressionLimits, compressedSize: Int64, bundleName: String) {
        self.limits = limits
        self.compressedSize = compressedSize
        self.bundleName = bundleName
    }

    mutating func add(_ bytes: Int64) throws {
        used += bytes
        if let reason = limits.violation(decompressed: used, compressed: max(compressedSize, 1)) {
            throw InputError(.limit, InputLocation(file: bundleName), "refused: \(reason)",
                             hint: "if the bundle is genuine, raise the limits in ferry.yaml (limits:)")
        }
    }
}
