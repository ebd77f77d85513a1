#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The distinct keys of one input, each with a number (the line of its first row, or the record of its
/// last), for `key:` and `duplicates:`. Every operation costs the same however many keys there are: a
/// hash table over one byte arena in memory while it fits `memoryBudget`, and past it a SQLite table in a
/// scratch file in staging (one B-tree lookup per row), so a ten-million-row migration keeps its keys on
/// disk, not in memory.
final class KeyIndex {
    /// About 100,000 keys of 16 bytes (see `KeyTable`; the hash table of arrays before it held 75,000 in 8 MB).
    /// When they move, the scratch table's cache (8 MB) fills while the table is still there: with both, the
    /// shipped keyed accounts flow, learned keys included, stays near 64 MB at any size (8 MB here made it 68).
    static let defaultMemoryBudget = 4 << 20

    private var memory = KeyTable()
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
        if let earlier = memory.insertIfAbsent(key, value: value) { return earlier }
        try spillIfOverBudget()
        return nil
    }

    /// Sets the key's value, replacing an earlier one.
    func set(_ key: UnsafeRawBufferPointer, value: Int) throws {
        if let disk { return try disk.set(key, value: value) }
        if memory.set(key, value: value) { try spillIfOverBudget() }
    }

    func value(for key: UnsafeRawBufferPointer) throws -> Int? {
        if let disk { return try disk.value(for: key) }
        return memory.value(for: key)
    }

    func contains(_ key: UnsafeRawBufferPointer) throws -> Bool {
        try value(for: key) != nil
    }

    private func spillIfOverBudget() throws {
        guard memory.bytesNeeded > memoryBudget else { return }
        let table = try DiskKeyTable(folder: spillFolder)
        // In key order the B-tree is built by appending.
        try memory.drainInKeyOrder { key, value in try table.set(key, value: value) }
        disk = table
    }
}

/// An open-addressing hash table of byte keys: per key, its value, length and bytes back to back in one arena,
/// and a slot of 8 bytes (a hash tag and the key's offset in the arena); about 40 bytes for a 16-byte key,
/// with no allocation per key. Linear probing; the slots double at three quarters full. The hash is Swift's
/// seeded `Hasher`, so a file crafted to collide cannot slow it down.
private struct KeyTable {
    private struct Slot {
        /// The hash's high half, never 0; 0 marks an empty slot.
        var tag: UInt32 = 0
        var offset: UInt32 = 0
    }

    /// A key's entry in the arena: value (8 bytes), length (4 bytes), then its bytes.
    private static let valueSize = 8, headerSize = 12

    private var arena: [UInt8] = []
    private var slots = [Slot](repeating: Slot(), count: 1024)
    private var count = 0

    /// The bytes the table holds (an arena too large for 32-bit offsets counts as too much).
    var bytesNeeded: Int {
        arena.count > Int(UInt32.max) - (64 << 20) ? Int.max : arena.count + slots.count * MemoryLayout<Slot>.stride
    }

    mutating func insertIfAbsent(_ key: UnsafeRawBufferPointer, value: Int) -> Int? {
        let hash = Self.hash(key)
        let index = find(key, hash: hash)
        if slots[index].tag != 0 { return storedValue(at: slots[index].offset) }
        add(key, hash: hash, value: value, at: index)
        return nil
    }

    /// Sets the key's value; true when the key is new.
    mutating func set(_ key: UnsafeRawBufferPointer, value: Int) -> Bool {
        let hash = Self.hash(key)
        let index = find(key, hash: hash)
        guard slots[index].tag != 0 else {
            add(key, hash: hash, value: value, at: index)
            return true
        }
        let offset = Int(slots[index].offset)
        arena.withUnsafeMutableBytes { $0.storeBytes(of: value, toByteOffset: offset, as: Int.self) }
        return false
    }

    func value(for key: UnsafeRawBufferPointer) -> Int? {
        let index = find(key, hash: Self.hash(key))
        return slots[index].tag != 0 ? storedValue(at: slots[index].offset) : nil
    }

    /// Hands every key and its value to `body` in byte order and empties the table. Its slots go first and the
    /// order is one array of offsets, so while the keys move the table takes no more memory than it held.
    mutating func drainInKeyOrder(_ body: (UnsafeRawBufferPointer, Int) throws -> Void) rethrows {
        var offsets = slots.compactMap { $0.tag != 0 ? $0.offset : nil }
        slots = []
        defer { self = KeyTable() }
        try arena.withUnsafeBytes { arena in
            offsets.sort { first, second in
                let a = Self.key(at: Int(first), in: arena), b = Self.key(at: Int(second), in: arena)
                guard let left = a.baseAddress, let right = b.baseAddress else { return a.count < b.count }
                let order = memcmp(left, right, min(a.count, b.count))
                return order != 0 ? order < 0 : a.count < b.count
            }
            for offset in offsets {
                try body(Self.key(at: Int(offset), in: arena), arena.loadUnaligned(fromByteOffset: Int(offset), as: Int.self))
            }
        }
    }

    private func storedValue(at offset: UInt32) -> Int {
        arena.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: Int(offset), as: Int.self) }
    }

    private static func key(at offset: Int, in arena: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let length = Int(arena.loadUnaligned(fromByteOffset: offset + valueSize, as: UInt32.self))
        return UnsafeRawBufferPointer(rebasing: arena[offset + headerSize..<offset + headerSize + length])
    }

    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) | 1 }

    /// The key's slot, or the empty slot where it would go.
    private func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        let tag = Self.tag(hash), mask = slots.count - 1
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                var index = Int(truncatingIfNeeded: hash) & mask
                while slots[index].tag != 0 {
                    if slots[index].tag == tag, Self.key(at: Int(slots[index].offset), in: arena).elementsEqual(key) { return index }
                    index = (index + 1) & mask
                }
                return index
            }
        }
    }

    private mutating func add(_ key: UnsafeRawBufferPointer, hash: UInt64, value: Int, at index: Int) {
        slots[index] = Slot(tag: Self.tag(hash), offset: UInt32(arena.count))
        withUnsafeBytes(of: value) { arena.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(key.count)) { arena.append(contentsOf: $0) }
        arena.append(contentsOf: key)
        count += 1
        if count > slots.count * 3 / 4 { grow() }
    }

    private mutating func grow() {
        let old = slots
        var grown = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = grown.count - 1
        arena.withUnsafeBytes { arena in
            for slot in old where slot.tag != 0 {
                var index = Int(truncatingIfNeeded: Self.hash(Self.key(at: Int(slot.offset), in: arena))) & mask
                while grown[index].tag != 0 { index = (index + 1) & mask }
                grown[index] = slot
            }
        }
        slots = grown
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
