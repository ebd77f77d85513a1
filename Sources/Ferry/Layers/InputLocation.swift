/// Where in an input file something happened, as precisely as it is known.
public struct InputLocation: Sendable, Equatable, CustomStringConvertible {
    /// The input's file name as the user dropped it (not the work-area path); shown through `FileName.display`.
    public var file: String
    /// 1-based physical line where the record starts.
    public var line: Int?
    /// 1-based data record number (the header is not a record).
    public var record: Int?
    /// Source column or target field the problem concerns.
    public var field: String?
    /// Byte offset into the (decompressed) stream, when lines do not apply.
    public var byteOffset: Int64?

    public init(file: String, line: Int? = nil, record: Int? = nil, field: String? = nil, byteOffset: Int64? = nil) {
        self.file = file
        self.line = line
        self.record = record
        self.field = field
        self.byteOffset = byteOffset
    }

    public var description: String {
        var text = FileName.display(file)
        if let line { text += " line \(line)" }
        if let record { text += " (record \(record))" }
        if let byteOffset { text += " at byte \(byteOffset)" }
        if let field { text += ", field \"\(field)\"" }
        return text
    }
}
