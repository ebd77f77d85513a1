import Foundation

/// One step of a field's pipeline (`| trim`, `| map customer_group`, `| required`).
public enum FieldStep: Sendable, Equatable {
    case trim
    case upper
    case lower
    /// Cut to at most this many characters.
    case truncate(Int)
    case replace(String, with: String)
    /// Use this value when the value so far is empty.
    case defaultValue(String)
    /// Translate through a value map; reject the row when the value is missing and the map has no fallback.
    case map(ValueMap)
    /// Reject the row when the value is empty.
    case required
    /// Reject the row when the value is longer than this many characters.
    case maxLength(Int)
    /// Capital first letter of each word, the rest lower case.
    case title
    /// Characters from a 1-based position, optionally at most `length` of them.
    case substring(start: Int, length: Int?)
    /// Pad to a width with a character, on the left or the right.
    case pad(left: Bool, width: Int, with: Character)
    /// Split at a separator and keep the part at a 1-based position (negative: from the end).
    case split(separator: String, part: Int)
    case regex(RegexReplacement)
    /// Read a date/time in one layout, write it in another, optionally moved into a time zone.
    case date(from: DatePattern, to: DatePattern, zone: String?)
    case number(NumberStyle)
    /// Translate through a reference CSV table beside the template, or (a `reference:` lookup not yet
    /// bound to an input) through learned keys.
    case lookup(LookupTable)
    /// A `reference:` lookup bound to the keys known for one input: learned from delivered inputs, and
    /// from reference exports that arrived with it.
    case resolve(ReferenceLookup)

    /// The step names a template may use, with the arguments they take (for help and errors).
    static let catalogue: [(name: String, usage: String)] = [
        ("trim", "trim"), ("upper", "upper"), ("lower", "lower"), ("title", "title"), ("truncate", "truncate 60"),
        ("replace", "replace \"old\" \"new\""), ("default", "default \"EUR\""), ("map", "map customer_group"),
        ("required", "required"), ("max", "max 60"), ("substring", "substring 1 3"), ("pad", "pad left 10 \"0\""),
        ("split", "split \";\" 2"), ("regex", "regex \"[^0-9]\" \"\""), ("date", "date \"dd.MM.yyyy\" \"yyyy-MM-dd\""),
        ("number", "number from comma to point round 2"), ("lookup", "lookup countries"),
    ]

    /// Whether the step can reject a row (and so can carry a message of the template's own).
    var canReject: Bool {
        switch self {
        case .required, .maxLength, .map, .lookup, .resolve, .date, .number: true
        default: false
        }
    }

    enum Outcome {
        case value(String)
        case reject(String)
    }

    func apply(to value: String) -> Outcome {
        switch self {
        case .trim: return .value(value.trimmingWhitespace())
        case .upper: return .value(value.uppercased())
        case .lower: return .value(value.lowercased())
        case .truncate(let limit): return .value(value.count > limit ? String(value.prefix(limit)) : value)
        case .replace(let old, let new): return .value(old.isEmpty ? value : value.replacing(old, with: new))
        case .defaultValue(let fallback): return .value(value.isEmpty ? fallback : value)
        case .map(let map):
            if let mapped = map.lookup(value) { return .value(mapped) }
            return .reject("value \"\(value)\" is not in map \(map.name) and the map has no \"*\" fallback")
        case .required:
            return value.isEmpty ? .reject("is required but empty") : .value(value)
        case .maxLength(let limit):
            let length = value.count
            return length > limit ? .reject("is \(length) characters long; at most \(limit) allowed") : .value(value)
        case .title:
            return .value(value.split(separator: " ", omittingEmptySubsequences: false)
                .map { word in word.prefix(1).uppercased() + word.dropFirst().lowercased() }.joined(separator: " "))
        case .substring(let start, let length):
            let tail = value.dropFirst(max(0, start - 1))
            return .value(String(length.map { tail.prefix($0) } ?? tail))
        case .pad(let left, let width, let character):
            let padding = String(repeating: character, count: max(0, width - value.count))
            return .value(left ? padding + value : value + padding)
        case .split(let separator, let part):
            let parts = value.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            let index = part > 0 ? part - 1 : parts.count + part
            return .value(parts.indices.contains(index) ? parts[index] : "")
        case .regex(let replacement):
            return .value(replacement.apply(to: value))
        case .date(let from, let to, let zone):
            if value.trimmingWhitespace().isEmpty { return .value("") }
            guard var moment = from.parse(value.trimmingWhitespace()) else {
                return .reject("value \"\(value)\" is not a date in the layout \(from.text)")
            }
            if let zone, let timeZone = TimeZone(identifier: zone) { moment = DatePattern.convert(moment, to: timeZone) }
            return .value(to.format(moment))
        case .number(let style):
            guard let number = style.convert(value) else { return .reject("value \"\(value)\" is not a number") }
            return .value(number)
        case .lookup(let table) where table.reference != nil:
            return ReferenceLookup(table: table, resolver: ResolverChain([])).apply(to: value)
        case .resolve(let lookup):
            return lookup.apply(to: value)
        case .lookup(let table):
            if let found = table.lookup(value) { return .value(found) }
            return .reject("value \"\(value)\" is not in lookup \(table.name) (\((table.file as NSString).lastPathComponent))")
        }
    }
}
