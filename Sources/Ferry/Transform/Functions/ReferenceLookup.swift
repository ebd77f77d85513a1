/// A `reference:` lookup bound to what is known for one input: a GUID or display value becomes the key
/// the target system knows (an accountid or account name -> the account number), or the row is
/// rejected naming the value and the reference.
public struct ReferenceLookup: Sendable, Equatable {
    public var table: LookupTable
    var resolver: any KeyResolver

    var reference: String { table.reference ?? table.name }

    func apply(to value: String) -> FieldStep.Outcome {
        let key = LearnedKeyBatch.normalized(value)
        if key.isEmpty { return .value("") }
        switch resolver.resolve(key, in: reference) {
        case .found(let found):
            return .value(found)
        case .ambiguous:
            return .reject("value \"\(value)\" names more than one record in reference \(reference): export the lookup as its id (GUID) instead of its name")
        case .missing:
            if let fallback = table.fallback { return .value(fallback) }
            return .reject("value \"\(value)\" is not in reference \(reference) (the keys Ferry learned from delivered \(reference) exports and reference files): deliver that export first, or drop it together with this file")
        }
    }

    public static func == (left: ReferenceLookup, right: ReferenceLookup) -> Bool { left.table == right.table }
}
