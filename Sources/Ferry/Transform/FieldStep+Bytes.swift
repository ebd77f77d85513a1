/// The steps that can work on UTF-8 bytes directly — for ASCII values, which most business data
/// is — so the hot path makes no String per field. Anything else goes through `apply(to:)`.
extension FieldStep {
    enum ByteOutcome {
        case done
        case reject(String)
        /// Needs text semantics (non-ASCII case mapping, dates, ...): use `apply(to:)`.
        case useText
    }

    /// Applies the step to the bytes of `buffer` from `start` to its end, in place.
    func apply(to buffer: inout [UInt8], from start: Int) -> ByteOutcome {
        let count = buffer.count - start
        switch self {
        case .trim:
            guard count > 0 else { return .done }
            let first = buffer[start], last = buffer[buffer.count - 1]
            if first >= 0x80 || last >= 0x80 { return .useText }
            if !Self.isSpace(first), !Self.isSpace(last) { return .done }
            var end = buffer.count
            while end > start, Self.isSpace(buffer[end - 1]) { end -= 1 }
            if end > start, buffer[end - 1] >= 0x80 { return .useText }
            var from = start
            while from < end, Self.isSpace(buffer[from]) { from += 1 }
            if from < end, buffer[from] >= 0x80 { return .useText }
            buffer.removeSubrange(end...)
            buffer.removeSubrange(start..<from)
            return .done
        case .upper, .lower:
            return LatinText.map(self == .upper ? .upper : .lower, &buffer, from: start) ? .done : .useText
        case .title:
            return LatinText.title(&buffer, from: start) ? .done : .useText
        case .truncate(let limit):
            // No more bytes than allowed characters: nothing to cut, whatever the script.
            if count <= limit { return .done }
            guard let cut = LatinText.offset(ofCharacter: limit, in: buffer, from: start) else { return .useText }
            buffer.removeSubrange(cut...)
            return .done
        case .substring(let first, let length):
            let skipped = max(0, first - 1)
            guard let from = LatinText.offset(ofCharacter: skipped, in: buffer, from: start),
                  let to = length.map({ LatinText.offset(ofCharacter: skipped + max(0, $0), in: buffer, from: start) }) ?? buffer.count
            else { return .useText }
            buffer.removeSubrange(to...)
            buffer.removeSubrange(start..<from)
            return .done
        case .defaultValue(let fallback):
            if count == 0 { buffer.append(contentsOf: fallback.utf8) }
            return .done
        case .required:
            return count == 0 ? .reject("is required but empty") : .done
        case .maxLength(let limit):
            if count <= limit { return .done }
            guard let length = LatinText.characterCount(buffer, from: start) else { return .useText }
            return length > limit ? .reject("is \(length) characters long; at most \(limit) allowed") : .done
        case .map(let map):
            // Short values make small strings, which need no allocation.
            let key = buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
            guard let mapped = map.lookup(key) else {
                return .reject("value \"\(key)\" is not in map \(map.name) and the map has no \"*\" fallback")
            }
            buffer.removeSubrange(start...)
            buffer.append(contentsOf: mapped.utf8)
            return .done
        case .regex(let replacement):
            guard let asciiClass = replacement.asciiClass, asciiClass.apply(to: &buffer, from: start) else { return .useText }
            return .done
        default:
            return .useText
        }
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}
