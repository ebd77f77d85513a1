#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One decoded input record: field bytes (UTF-8) packed into one reusable buffer.
///
/// Decoders fill it in place, so reading a file allocates per buffer growth, not per row.
public struct SourceRecord: Sendable {
    /// UTF-8 bytes of all fields, back to back.
    public internal(set) var storage: [UInt8] = []
    /// End offset in `storage` of each field; field i spans `fieldEnds[i-1]..<fieldEnds[i]`.
    public internal(set) var fieldEnds: [Int] = []
    /// 1-based physical line where the record starts.
    public internal(set) var line: Int = 0
    /// 1-based data record number.
    public internal(set) var number: Int = 0

    public init() {
        storage.reserveCapacity(4096)
        fieldEnds.reserveCapacity(64)
    }

    /// Builds a record from texts (tests, XML decoding).
    public init(fields: [String], line: Int = 0, number: Int = 0) {
        self.init()
        for field in fields { append(field: field.utf8) }
        self.line = line
        self.number = number
    }

    public var fieldCount: Int { fieldEnds.count }

    public func range(of index: Int) -> Range<Int> {
        (index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]
    }

    /// The field as text; `nil` when the index is past the record's end.
    public func string(at index: Int) -> String? {
        guard index < fieldEnds.count else { return nil }
        return String(decoding: storage[range(of: index)], as: UTF8.self)
    }

    /// The field's bytes (empty past the record's end), for as long as `body` runs.
    func withBytes<Result>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let range = index < fieldEnds.count ? range(of: index) : 0..<0
        return try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The index of the first field holding a NUL byte, if any.
    func firstFieldWithNUL() -> Int? {
        let offset: Int? = storage.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress, let found = memchr(base, 0, bytes.count) else { return nil }
            return UnsafeRawPointer(found) - base
        }
        return offset.flatMap { offset in fieldEnds.firstIndex { $0 > offset } }
    }

    mutating func reset(line: Int, number: Int) {
        storage.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        self.line = line
        self.number = number
    }

    mutating func append(field bytes: some Collection<UInt8>) {
        storage.append(contentsOf: bytes)
        fieldEnds.append(storage.count)
    }

    /// Replaces every invalid UTF-8 sequence with U+FFFD, field by field.
    mutating func repairUTF8() {
        let fields = (0..<fieldCount).map { string(at: $0) ?? "" }
        storage.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        for field in fields { append(field: field.utf8) }
    }

    mutating func endField() {
        fieldEnds.append(storage.count)
    }
}
