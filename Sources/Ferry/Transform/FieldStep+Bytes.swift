/// The steps that can work on UTF-8 bytes directly — for ASCII values, which most business data
/// is — so the hot path makes no String per field. Anything else goes through `apply(to:)`.
extension FieldStep {
    enum ByteOutcome {
        case done
        case reject(String)
        /// Needs text semantics (non-ASCII case mapping, dates, ...): use `apply(to:)`.
        case useText
    }

    func apply(to bytes: inout [UInt8]) -> ByteOutcome {
        switch self {
        case .trim:
            guard let first = bytes.first, let last = bytes.last else { return .done }
            if first >= 0x80 || last >= 0x80 { return .useText }
            if !Self.isSpace(first), !Self.isSpace(last) { return .done }
            var end = bytes.count
            while end > 0, Self.isSpace(bytes[end - 1]) { end -= 1 }
            if end > 0, bytes[end - 1] >= 0x80 { return .useText }
            var start = 0
            while start < end, Self.isSpace(bytes[start]) { start += 1 }
            if start < end, bytes[start] >= 0x80 { return .useText }
            bytes.removeSubrange(end...)
            bytes.removeSubrange(..<start)
            return .done
        case .upper, .lower:
            guard Self.isASCII(bytes) else { return .useText }
            let upper = self == .upper
            for index in bytes.indices {
                let byte = bytes[index]
                if upper, byte >= UInt8(ascii: "a"), byte <= UInt8(ascii: "z") { bytes[index] = byte - 32 }
                if !upper, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { bytes[index] = byte + 32 }
            }
            return .done
        case .truncate(let limit):
            guard Self.isASCII(bytes) else { return .useText }
            if bytes.count > limit { bytes.removeSubrange(limit...) }
            return .done
        case .substring(let start, let length):
            guard Self.isASCII(bytes) else { return .useText }
            let from = min(bytes.count, start - 1)
            let to = length.map { min(bytes.count, from + $0) } ?? bytes.count
            bytes.removeSubrange(to...)
            bytes.removeSubrange(..<from)
            return .done
        case .defaultValue(let fallback):
            if bytes.isEmpty { bytes.append(contentsOf: fallback.utf8) }
            return .done
        case .required:
            return bytes.isEmpty ? .reject("is required but empty") : .done
        case .maxLength(let limit):
            guard Self.isASCII(bytes) else { return .useText }
            return bytes.count > limit ? .reject("is \(bytes.count) characters long; at most \(limit) allowed") : .done
        case .map(let map):
            // Short values make small strings, which need no allocation.
            let key = String(decoding: bytes, as: UTF8.self)
            guard let mapped = map.lookup(key) else {
                return .reject("value \"\(key)\" is not in map \(map.name) and the map has no \"*\" fallback")
            }
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: mapped.utf8)
            return .done
        default:
            return .useText
        }
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    private static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var combined: UInt8 = 0
            for byte in buffer { combined |= byte }
            return combined < 0x80
        }
    }
}

extension FieldRule {
    /// Appends this field's value to `row` as bytes, or returns why the row is rejected.
    /// `scratch` is a reused buffer.
    func evaluate(_ record: SourceRecord, into row: inout SourceRecord, scratch: inout [UInt8]) -> String? {
        scratch.removeAll(keepingCapacity: true)
        switch source {
        case .column(let reference):
            if reference.index < record.fieldCount {
                record.storage.withUnsafeBufferPointer { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: $0[record.range(of: reference.index)])) }
            }
        case .text(let text):
            scratch.append(contentsOf: text.utf8)
        default:
            do {
                scratch.append(contentsOf: try source.evaluate(record).utf8)
            } catch {
                return "\(target): \(error.reason)"
            }
        }
        for (index, step) in steps.enumerated() {
            switch step.apply(to: &scratch) {
            case .done:
                continue
            case .reject(let reason):
                return messages[index] ?? "\(target) \(reason)"
            case .useText:
                switch step.apply(to: String(decoding: scratch, as: UTF8.self)) {
                case .value(let value):
                    scratch.removeAll(keepingCapacity: true)
                    scratch.append(contentsOf: value.utf8)
                case .reject(let reason):
                    return messages[index] ?? "\(target) \(reason)"
                }
            }
        }
        row.append(field: scratch)
        return nil
    }
}
