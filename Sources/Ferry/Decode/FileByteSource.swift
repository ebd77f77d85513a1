/// Reads an input file; failures name the input as the user dropped it.
public final class FileByteSource: ByteSource {
    private let file: FileReader
    private let displayName: String
    public private(set) var bytesConsumed: Int64 = 0
    /// The file's size when it was opened (for progress).
    public var size: Int64 { file.size }

    public init(path: String, displayName: String) throws {
        do {
            file = try FileReader(path: path)
        } catch {
            throw InputError(.io, InputLocation(file: displayName), "cannot open: \(SystemCall.describe(error.code))")
        }
        self.displayName = displayName
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            let count = try file.read(into: buffer)
            bytesConsumed += Int64(count)
            return count
        } catch {
            throw InputError(.io, InputLocation(file: displayName, byteOffset: bytesConsumed),
                             "read failed: \(SystemCall.describe(error.code))")
        }
    }
}
