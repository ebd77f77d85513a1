/// Applies each target's `key:` and `duplicates:` policy as rows stream past, at a constant cost per
/// row (see `KeyIndex`). For "last row wins" the input is read once beforehand to learn which record
/// is the last for each key.
struct KeyTracker {
    private struct TargetKeys {
        var target: Int
        /// The key's position among the target's fields.
        var index: Int
        var policy: TargetRule.DuplicatePolicy
        var field: String
        /// `first`, `reject`: key -> line of its first row. `last`: key -> record number of its last row.
        var seen: KeyIndex
    }

    private let targets: [TargetKeys]
    private let fileName: String

    /// `spillFolder` takes the keys of inputs too large to keep them in memory (past `memoryBudget` bytes).
    init(template: Template, transformer: RowTransformer, spillFolder: String, memoryBudget: Int = KeyIndex.defaultMemoryBudget,
         lastRowsFrom reopen: () throws -> RecordDecoder) throws {
        fileName = transformer.fileName
        targets = template.targets.enumerated().compactMap { number, target in
            guard let index = target.keyIndex, let key = target.key else { return nil }
            return TargetKeys(target: number, index: index, policy: target.duplicates, field: key,
                              seen: KeyIndex(spillFolder: spillFolder, memoryBudget: memoryBudget))
        }
        let lastWins = targets.filter { $0.policy == .last }
        guard !lastWins.isEmpty else { return }
        var lastRows = LastRows(targets: lastWins)
        try RowLoop(decoder: try reopen(), transformer: transformer).run(into: &lastRows)
    }

    /// The keys admitted for the first target that has a key (what other templates may refer to).
    var admittedKeys: KeyIndex? { targets.first?.seen }

    /// `.rows` when the record may go on; duplicates are filtered (first/last) or rejected.
    func admit(_ record: SourceRecord, rows: [SourceRecord], applies: inout [Bool]) throws -> RowTransformer.Outcome {
        guard !targets.isEmpty else { return .rows }
        for keys in targets where applies[keys.target] {
            let row = rows[keys.target]
            switch keys.policy {
            case .last:
                let last = try row.withBytes(at: keys.index) { try keys.seen.value(for: $0) }
                if last != record.number { applies[keys.target] = false }
            case .first:
                if try row.withBytes(at: keys.index, { try keys.seen.insertIfAbsent($0, value: record.line) }) != nil {
                    applies[keys.target] = false
                }
            case .reject:
                if let first = try row.withBytes(at: keys.index, { try keys.seen.insertIfAbsent($0, value: record.line) }) {
                    let key = row.string(at: keys.index) ?? ""
                    return .rejected([RowProblem(location: InputLocation(file: fileName, line: record.line, record: record.number, field: keys.field),
                                                 value: key, reason: "\(keys.field) \"\(key)\" appears again; its first row is at line \(first)")])
                }
            }
        }
        return applies.contains(true) ? .rows : .filtered
    }

    /// The pre-pass's sink: for each key, the record number of its last row.
    private struct LastRows: RowSink {
        let targets: [TargetKeys]

        func deliver(_ record: SourceRecord, rows: [SourceRecord], applies: [Bool]) throws -> RowTransformer.Outcome {
            for keys in targets where applies[keys.target] {
                try rows[keys.target].withBytes(at: keys.index) { try keys.seen.set($0, value: record.number) }
            }
            return .rows
        }

        func decided(_ record: SourceRecord, _ outcome: RowTransformer.Outcome, bytesRead: Int64) {}
    }
}
