import Foundation

/// The keys one input's rows taught (`learn:`), kept until its delivery is planned; then they are written
/// into the ledger in the plan's own transaction (`LearnedKeys.write`), so they are known exactly when
/// the delivery is. Memory stays bounded however many rows teach: entries are bytes in one buffer of
/// `memoryBudget`, sorted into run files in staging past it (`ExternalSorter`), and come out sorted, which
/// is also the order the ledger's table takes them in fastest. The rules are `LearnedKeyBatch`'s: an id
/// takes the newer key, a name learned for two keys is ambiguous.
///
/// One input's pipeline fills it and the units's later inputs ask it, on one task; the lock makes the
/// `KeyResolver` conformance (`Sendable`) true rather than assumed.
public final class StagedLearnedKeys: KeyResolver, @unchecked Sendable {
    /// About 100,000 entries of a GUID and an account number; a file that teaches more spills to staging.
    public static let defaultMemoryBudget = 8 << 20

    private let lock = NSLock()
    private let sorter: ExternalSorter
    /// Built on the first lookup after the input spilled (other inputs of the same unit ask).
    private var index: LearnedKeyIndex?
    private let spillFolder: String
    /// Reused for each entry's bytes.
    private var entryBytes: [UInt8] = [], payloadBytes: [UInt8] = []

    public init(spillFolder: String, memoryBudget: Int = StagedLearnedKeys.defaultMemoryBudget) {
        self.spillFolder = spillFolder
        sorter = ExternalSorter(folder: spillFolder, memoryBudget: memoryBudget)
    }

    public var isEmpty: Bool { lock.withLock { sorter.count == 0 } }

    /// Whether the entries went to run files in staging.
    var isSpilled: Bool { lock.withLock { sorter.isSpilled } }

    /// Learns that `value` stands for `key` in `reference` (values normalized as `LearnedKeyBatch` does).
    public func learn(_ value: String, means key: String, in reference: String, isName: Bool) throws {
        let value = LearnedKeyBatch.normalized(value), key = key.trimmingWhitespace()
        guard !value.isEmpty, !key.isEmpty else { return }
        try lock.withLock {
            Self.encode(reference, value, into: &entryBytes)
            payloadBytes.removeAll(keepingCapacity: true)
            payloadBytes.append(isName ? 1 : 0)
            payloadBytes.append(contentsOf: key.utf8)
            try entryBytes.withUnsafeBytes { entry in
                try payloadBytes.withUnsafeBytes { try sorter.append(key: entry, payload: $0) }
            }
        }
    }

    /// `learn(_:means:in:isName:)` on a record's bytes: no String per value where both ends are ASCII.
    func learn(_ value: UnsafeRawBufferPointer, means key: UnsafeRawBufferPointer, in reference: String, isName: Bool) throws {
        let done = try lock.withLock { () throws -> Bool in
            entryBytes.removeAll(keepingCapacity: true)
            entryBytes.append(contentsOf: reference.utf8)
            entryBytes.append(0)
            let prefix = entryBytes.count
            guard let key = LearnedKeyBatch.trimmedASCII(key), LearnedKeyBatch.appendNormalized(value, to: &entryBytes) else { return false }
            guard entryBytes.count > prefix, !key.isEmpty else { return true }
            payloadBytes.removeAll(keepingCapacity: true)
            payloadBytes.append(isName ? 1 : 0)
            payloadBytes.append(contentsOf: key)
            try entryBytes.withUnsafeBytes { entry in
                try payloadBytes.withUnsafeBytes { try sorter.append(key: entry, payload: $0) }
            }
            return true
        }
        if !done {
            try learn(String(decoding: value, as: UTF8.self), means: String(decoding: key, as: UTF8.self), in: reference, isName: isName)
        }
    }

    /// One folded entry as it streams past (valid inside the callback); `key` is nil when the value is ambiguous.
    struct Entry {
        var reference: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        var key: UnsafeRawBufferPointer?
        var isName: Bool
    }

    /// Every entry once, sorted by reference and value, folded by the rules above.
    func forEachEntry(_ body: (Entry) throws -> Void) throws {
        try lock.withLock { try Self.fold(sorter, body) }
    }

    public func resolve(_ value: String, in reference: String) -> KeyResolution {
        lock.withLock {
            if !sorter.isSpilled {
                var entry: [UInt8] = []
                Self.encode(reference, value, into: &entry)
                var folded = Folded()
                for payload in entry.withUnsafeBytes({ sorter.payloads(forKey: $0) }) {
                    payload.withUnsafeBytes { folded.add($0) }
                }
                return folded.resolution
            }
            if index == nil {
                index = try? LearnedKeyIndex(folder: spillFolder) { add in try Self.fold(sorter, add) }
            }
            return index?.resolve(value, in: reference) ?? .missing
        }
    }

    /// An entry's sort key: the reference, a zero byte, the value (so entries sort by reference, then value).
    private static func encode(_ reference: String, _ value: String, into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: reference.utf8)
        bytes.append(0)
        bytes.append(contentsOf: value.utf8)
    }

    /// Runs of equal (reference, value) folded into one entry each.
    private static func fold(_ sorter: ExternalSorter, _ body: (Entry) throws -> Void) throws {
        var previous: [UInt8] = []
        var folded = Folded()
        func emit() throws {
            guard folded.seen else { return }
            try previous.withUnsafeBytes { entry in
                guard let separator = entry.firstIndex(of: 0) else { return }
                let reference = UnsafeRawBufferPointer(rebasing: entry[..<separator])
                let value = UnsafeRawBufferPointer(rebasing: entry[(separator + 1)...])
                if let key = folded.key {
                    try key.withUnsafeBytes { try body(Entry(reference: reference, value: value, key: $0, isName: folded.isName)) }
                } else {
                    try body(Entry(reference: reference, value: value, key: nil, isName: folded.isName))
                }
            }
        }
        try sorter.forEachSorted { record in
            if !folded.seen || previous.withUnsafeBytes({ SortedRecord.compare($0, record.key) }) != 0 {
                try emit()
                previous.removeAll(keepingCapacity: true)
                previous.append(contentsOf: record.key)
                folded = Folded()
            }
            folded.add(record.payload)
        }
        try emit()
    }

    /// `LearnedKeyBatch.learn`'s rule over one value's entries, in the order they were learned.
    private struct Folded {
        var seen = false
        var key: [UInt8]?
        var isName = false

        mutating func add(_ payload: UnsafeRawBufferPointer) {
            guard let flag = payload.first else { return }
            let learnedAsName = flag == 1, learned = UnsafeRawBufferPointer(rebasing: payload.dropFirst())
            if learnedAsName, seen, key.map({ !$0.elementsEqual(learned) }) ?? true {
                key = nil
                isName = true
            } else if !learnedAsName || !seen {
                key = Array(learned)
                isName = learnedAsName
            }
            seen = true
        }

        var resolution: KeyResolution {
            guard seen else { return .missing }
            return key.map { KeyResolution.found(String(decoding: $0, as: UTF8.self)) } ?? .ambiguous
        }
    }
}

extension StagedLearnedKeys.Entry {
    var referenceText: String { String(decoding: reference, as: UTF8.self) }
    var valueText: String { String(decoding: value, as: UTF8.self) }
    var keyText: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}

/// A spilled input's entries as a scratch SQLite table, for the lookups of the inputs after it in the
/// same unit; written in key order (appends to the B-tree), never committed, removed with the index.
private final class LearnedKeyIndex {
    private let path: String
    private let database: SQLiteDatabase
    private let lookup: SQLiteStatement

    init(folder: String, fill: ((StagedLearnedKeys.Entry) throws -> Void) throws -> Void) throws {
        path = "\(folder)/\(UInt64.random(in: 0...UInt64.max)).learned.sqlite3"
        database = try SQLiteDatabase(path: path)
        do {
            try database.execute("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -4096;
                CREATE TABLE keys (reference TEXT NOT NULL, value TEXT NOT NULL, key TEXT, PRIMARY KEY (reference, value)) WITHOUT ROWID;
                BEGIN;
                """)
            let insert = try SQLiteStatement("INSERT INTO keys (reference, value, key) VALUES (?1, ?2, ?3)", in: database)
            try fill { entry in
                try insert.bind(text: entry.reference, at: 1)
                try insert.bind(text: entry.value, at: 2)
                try insert.bind(text: entry.key, at: 3)
                try insert.run()
            }
            lookup = try SQLiteStatement("SELECT key FROM keys WHERE reference = ?1 AND value = ?2", in: database)
        } catch {
            unlinkQuietly(path)
            throw error
        }
    }

    deinit { unlinkQuietly(path) }

    func resolve(_ value: String, in reference: String) -> KeyResolution {
        do {
            try lookup.bind(reference, at: 1)
            try lookup.bind(value, at: 2)
            guard let row = try lookup.firstRow() else { return .missing }
            return row.first?.text.map(KeyResolution.found) ?? .ambiguous
        } catch {
            return .missing
        }
    }
}
