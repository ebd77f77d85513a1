#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The distinct keys of one input, each with a number (the line of its first row, or the record of its
/// last), for `key:` and `duplicates:`. Every operation costs the same however many keys there are: a
/// hash table in memory while it is small, and past `memoryBudget` a SQLite table in a scratch file in
/// staging (one B-tree lookup per row), so a ten-million-row migration keeps its keys on disk, not in memory.
final class KeyIndex {
    /// About 75,000 keys of 16 bytes: with the scratch table's cache (8 MB) the shipped keyed accounts flow,
    /// learned keys included, stays under 64 MB at any size (53 MB measured at 1,000,000 rows; 48 MB here
    /// and a 32 MB cache made it 106 MB).
    static let defaultMemoryBudget = 8 << 20
    /// What a key costs in the hash table beyond its bytes: the array's header, the slot, the load factor.
    private static let entryOverhead = 96

    private var memory: [KeyBytes: Int] = [:]
    private var memoryBytes = 0
    private var disk: DiskKeyTable?
    private let memoryBudget: Int
    private let spillFolder: String

    init(spillFolder: String, memoryBudget: Int = KeyIndex.defaultMemoryBudget) {
        self.spillFolder = spillFolder
        self.memoryBudget = memoryBudget
    }

    /// Whether the keys moved to disk.
    var isOnDisk: Bool { disk != nil }

    /// Records `value` for a key not seen before and returns nil; for a known key, returns its value
    /// and changes nothing.
    func insertIfAbsent(_ key: UnsafeRawBufferPointer, value: Int) throws -> Int? {
        if let disk { return try disk.insertIfAbsent(key, value: value) }
        let bytes = KeyBytes(key)
        if let earlier = memory.updateValue(value, forKey: bytes) {
            memory[bytes] = earlier
            return earlier
        }
        try grew(by: key.count)
        return nil
    }

    /// Sets the key's value, replacing an earlier one.
    func set(_ key: UnsafeRawBufferPointer, value: Int) throws {
        if let disk { return try disk.set(key, value: value) }
        if memory.updateValue(value, forKey: KeyBytes(key)) == nil { try grew(by: key.count) }
    }

    func value(for key: UnsafeRawBufferPointer) throws -> Int? {
        if let disk { return try disk.value(for: key) }
        return memory[KeyBytes(key)]
    }

    func contains(_ key: UnsafeRawBufferPointer) throws -> Bool {
        try value(for: key) != nil
    }

    private func grew(by keyBytes: Int) throws {
        memoryBytes += keyBytes + Self.entryOverhead
        guard memoryBytes > memoryBudget else { return }
        let table = try DiskKeyTable(folder: spillFolder)
        // In key order the B-tree is built by appending.
        for (key, value) in memory.sorted(by: { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }) {
            try key.bytes.withUnsafeBytes { try table.set($0, value: value) }
        }
        memory = [:]
        memoryBytes = 0
        disk = table
    }
}

/// A key's bytes, hashed as one block.
private struct KeyBytes: Hashable {
    var bytes: [UInt8]

    init(_ key: UnsafeRawBufferPointer) { bytes = Array(key) }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// The on-disk half of `KeyIndex`: one table in a scratch SQLite file, written in a single transaction that
/// is never committed (no journal, no sync). The file is removed when the table goes away; after a crash,
/// recovery clears it from staging with the other leftovers.
private final class DiskKeyTable {
    private let path: String
    private let database: SQLiteDatabase
    private let insertNew: SQLiteStatement
    private let upsert: SQLiteStatement
    private let lookup: SQLiteStatement

    init(folder: String) throws {
        path = "\(folder)/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).keys.sqlite3"
        database = try SQLiteDatabase(path: path)
        do {
            try database.execute("""
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA cache_size = -8192;
                CREATE TABLE keys (key BLOB PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                BEGIN;
                """)
            insertNew = try SQLiteStatement("INSERT OR IGNORE INTO keys (key, value) VALUES (?1, ?2)", in: database)
            upsert = try SQLiteStatement("INSERT INTO keys (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                         in: database)
            lookup = try SQLiteStatement("SELECT value FROM keys WHERE key = ?1", in: database)
        } catch {
            unlink(path)
            throw error
        }
    }

    deinit { unlink(path) }

    func insertIfAbsent(_ key: UnsafeRawBufferPointer, value: Int) throws -> Int? {
        try insertNew.bind(blob: key, at: 1)
        try insertNew.bind(Int64(value), at: 2)
        if try insertNew.run() == 1 { return nil }
        return try self.value(for: key)
    }

    func set(_ key: UnsafeRawBufferPointer, value: Int) throws {
        try upsert.bind(blob: key, at: 1)
        try upsert.bind(Int64(value), at: 2)
        try upsert.run()
    }

    func value(for key: UnsafeRawBufferPointer) throws -> Int? {
        try lookup.bind(blob: key, at: 1)
        return try lookup.firstInteger().map { Int($0) }
    }
}
