/// Applies each target's `key:` and `duplicates:` policy as rows stream past. For "last row wins"
/// the input is read once beforehand to learn which record is the last for each key.
struct KeyTracker {
    private struct TargetKeys {
        var index: Int
        var policy: TargetRule.DuplicatePolicy
        var firstLine: [String: Int] = [:]
        /// For `last`: the record number of the last row of each key.
        var lastRecord: [String: Int] = [:]
        var field: String
    }

    private var targets: [Int: TargetKeys] = [:]
    private let fileName: String

    init(template: Template, transformer: RowTransformer, lastRowsFrom reopen: () throws -> RecordDecoder) throws {
        fileName = transformer.fileName
        for (number, target) in template.targets.enumerated() {
            guard let index = target.keyIndex, let key = target.key else { continue }
            targets[number] = TargetKeys(index: index, policy: target.duplicates, field: key)
        }
        guard targets.values.contains(where: { $0.policy == .last }) else { return }
        let decoder = try reopen()
        var record = SourceRecord()
        var rows: [SourceRecord] = []
        var applies: [Bool] = []
        while try decoder.next(into: &record) {
            guard transformer.transform(record, into: &rows, applies: &applies) == .rows else { continue }
            for (number, keys) in targets where keys.policy == .last && applies[number] {
                targets[number]?.lastRecord[rows[number].string(at: keys.index) ?? ""] = record.number
            }
        }
    }

    /// The keys admitted for the first target that has a key (what other templates may refer to).
    var admittedKeys: Set<String>? {
        guard let number = targets.keys.min(), let keys = targets[number] else { return nil }
        return Set(keys.policy == .last ? Array(keys.lastRecord.keys) : Array(keys.firstLine.keys))
    }

    /// `.rows` when the record may go on; duplicates are filtered (first/last) or rejected.
    mutating func admit(_ record: SourceRecord, rows: [SourceRecord], applies: inout [Bool]) -> RowTransformer.Outcome {
        guard !targets.isEmpty else { return .rows }
        for (number, keys) in targets where applies[number] {
            let key = rows[number].string(at: keys.index) ?? ""
            switch keys.policy {
            case .last:
                if keys.lastRecord[key] != record.number { applies[number] = false }
            case .first, .reject:
                if let first = keys.firstLine[key] {
                    if keys.policy == .reject {
                        return .rejected([RowProblem(location: InputLocation(file: fileName, line: record.line, record: record.number, field: keys.field),
                                                     value: key, reason: "\(keys.field) \"\(key)\" appears again; its first row is at line \(first)")])
                    }
                    applies[number] = false
                } else {
                    targets[number]?.firstLine[key] = record.line
                }
            }
        }
        return applies.contains(true) ? .rows : .filtered
    }
}
