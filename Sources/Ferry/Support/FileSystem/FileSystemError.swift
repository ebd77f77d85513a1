/// A failure of the file system (disk full, permission denied) while creating, writing or moving a file.
///
/// Not the input's fault: the input stays where it is so a later run can retry.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    public var description: String { "cannot \(operation) \(FileName.display(path)): \(SystemCall.describe(code))" }
}
