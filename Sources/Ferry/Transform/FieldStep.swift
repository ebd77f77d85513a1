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

    /// The step names a template may use, with the arguments they take (for help and errors).
    static let catalogue: [(name: String, usage: String)] = [
        ("trim", "trim"), ("upper", "upper"), ("lower", "lower"), ("truncate", "truncate 60"),
        ("replace", "replace \"old\" \"new\""), ("default", "default \"EUR\""), ("map", "map customer_group"),
        ("required", "required"), ("max", "max 60"),
    ]

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
        }
    }
}
