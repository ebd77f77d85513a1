/// Turns an input's bytes into records, one at a time.
public protocol RecordDecoder: AnyObject {
    /// Column names, in the order of the fields of every record.
    var columns: [String] { get }
    /// Fills `record` with the next record; returns false at the end of the input.
    /// A malformed input throws `InputError`; a record with the wrong shape is returned
    /// and the transform stage rejects it.
    func next(into record: inout SourceRecord) throws -> Bool
    /// Bytes of the input file consumed so far.
    var bytesConsumed: Int64 { get }
}
