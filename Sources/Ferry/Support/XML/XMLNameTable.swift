#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element and attribute names, each kept once as bytes under a small id, so SAX callbacks match names by id
/// instead of making a String. libxml2 hands out the names it interned, so a name is first looked up by its
/// address; every hit is checked against the bytes, since some input paths pass transient buffers.
struct XMLNameTable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = [0]
    private var byAddress = IdTable()
    private var byContent = IdTable()

    var count: Int { starts.count - 1 }

    /// The id of a NUL-terminated name from libxml2, interning it when new.
    mutating func id(of name: UnsafePointer<UInt8>) -> Int32 {
        let address = UInt64(UInt(bitPattern: name))
        if let known = byAddress.find(address, where: { matches($0, name) }) { return known }
        let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
        let id = id(of: UnsafeBufferPointer(start: name, count: length))
        byAddress.insert(address, id: id, replacingKey: true)
        return id
    }

    /// The id of a name given as text (the template's columns and record path).
    mutating func id(of name: some StringProtocol) -> Int32 {
        var text = String(name)
        return text.withUTF8 { id(of: $0) }
    }

    func text(of id: Int32) -> String {
        String(decoding: bytes[starts[Int(id)]..<starts[Int(id) + 1]], as: UTF8.self)
    }

    private mutating func id(of name: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(name)
        if let known = byContent.find(hash, where: { equals($0, name) }) { return known }
        let id = Int32(count)
        bytes.append(contentsOf: name)
        starts.append(bytes.count)
        byContent.insert(hash, id: id, replacingKey: false)
        return id
    }

    /// Whether the NUL-terminated `name` has exactly the bytes of `id`.
    private func matches(_ id: Int32, _ name: UnsafePointer<UInt8>) -> Bool {
        let start = starts[Int(id)], length = starts[Int(id) + 1] - start
        return bytes.withUnsafeBufferPointer { known in
            guard let base = known.baseAddress else { return name[0] == 0 }
            return memcmp(base + start, name, length) == 0 && name[length] == 0
        }
    }

    private func equals(_ id: Int32, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[Int(id)], length = starts[Int(id) + 1] - start
        guard length == name.count else { return false }
        guard length > 0, let other = name.baseAddress else { return true }
        return bytes.withUnsafeBufferPointer { known in
            guard let base = known.baseAddress else { return false }
            return memcmp(base + start, other, length) == 0
        }
    }

    /// FNV-1a.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}

/// Open addressing from 64-bit keys to ids; several ids may share a key, `find` tells them apart.
private struct IdTable {
    private var keys = [UInt64](repeating: 0, count: 64)
    private var ids = [Int32](repeating: -1, count: 64)
    private var used = 0

    func find(_ key: UInt64, where isIt: (Int32) -> Bool) -> Int32? {
        let mask = keys.count - 1
        var slot = Self.slot(key, mask)
        while ids[slot] >= 0 {
            if keys[slot] == key && isIt(ids[slot]) { return ids[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// With `replacingKey`, an entry of the same key is overwritten (an address now holding another name).
    mutating func insert(_ key: UInt64, id: Int32, replacingKey: Bool) {
        if (used + 1) * 2 > keys.count { grow() }
        let mask = keys.count - 1
        var slot = Self.slot(key, mask)
        while ids[slot] >= 0 {
            if replacingKey && keys[slot] == key {
                ids[slot] = id
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        ids[slot] = id
        used += 1
    }

    private mutating func grow() {
        let old = zip(keys, ids).filter { $0.1 >= 0 }
        keys = [UInt64](repeating: 0, count: keys.count * 2)
        ids = [Int32](repeating: -1, count: keys.count)
        used = 0
        for (key, id) in old { insert(key, id: id, replacingKey: false) }
    }

    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}
