/// The one loop that takes an input's records through a template: decode, transform, keys (`key:` and
/// `duplicates:`), references, then the sink. A run (dry run and replay too) and a preview differ only in
/// the sink they give it; the `duplicates: last` pre-pass runs it without keys.
struct RowLoop {
    let decoder: RecordDecoder
    let transformer: RowTransformer
    /// The `key:` and `duplicates:` policies; nil where keys are not yet known (the pre-pass that learns them).
    var keys: KeyTracker?
    /// Keys the templates processed before this one in the same unit delivered (for `references:`).
    var knownKeys: [String: [KeyIndex]] = [:]

    /// Reads every record; stops early only when the sink throws.
    func run<Sink: RowSink>(into sink: inout Sink) throws {
        var record = SourceRecord()
        var rows: [SourceRecord] = []
        var applies: [Bool] = []
        while try decoder.next(into: &record) {
            var outcome = transformer.transform(record, into: &rows, applies: &applies)
            if outcome == .rows, let keys {
                outcome = try keys.admit(record, rows: rows, applies: &applies)
            }
            if outcome == .rows, try !referencesResolve(rows: rows, applies: applies) {
                // Lines follow their header: one filtered out or rejected takes its lines with it.
                outcome = .filtered
            } else if case .rejected = outcome, try !referencesResolve(rows: rows, applies: applies, skippingEmpty: true) {
                // Whatever else is wrong with a line, it goes with its header.
                outcome = .filtered
            }
            if outcome == .rows {
                outcome = try sink.deliver(record, rows: rows, applies: applies)
            }
            try sink.decided(record, outcome, bytesRead: decoder.bytesConsumed)
        }
    }

    /// False when a referencing field names a key the referenced template did not deliver in this unit
    /// (with `skippingEmpty`, an empty field names nothing: a rejected row whose reference did not resolve).
    private func referencesResolve(rows: [SourceRecord], applies: [Bool], skippingEmpty: Bool = false) throws -> Bool {
        for (index, target) in transformer.template.targets.enumerated() where applies[index] {
            guard let reference = target.references, let field = target.referenceIndex,
                  let keys = knownKeys[reference.template] else { continue }
            let found = try rows[index].withBytes(at: field) { value in
                try (skippingEmpty && value.isEmpty) || keys.contains { try $0.contains(value) }
            }
            if !found { return false }
        }
        return true
    }
}

/// Where a row loop's records go: a run writes them, a preview shows them.
protocol RowSink {
    /// Takes the rows of a record that goes on (`rows[i]` where `applies[i]`); returns `.rows`, or why the
    /// record is rejected after all (a value the output encoding cannot hold).
    mutating func deliver(_ record: SourceRecord, rows: [SourceRecord], applies: [Bool]) throws -> RowTransformer.Outcome
    /// Hears what became of every record, in order.
    mutating func decided(_ record: SourceRecord, _ outcome: RowTransformer.Outcome, bytesRead: Int64) throws
}
