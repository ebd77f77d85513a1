/// What a template teaches Ferry about the rows it delivers (`learn:`): under a reference name, each
/// row's ids and display names stand for its key (`accounts`: accountid and name -> account number),
/// so later exports that carry GUIDs or display values can be resolved with `lookup`.
public struct LearnRule: Sendable, Equatable {
    public var reference: String
    /// The column whose value lookups return (`accountnumber`).
    public var key: ColumnReference
    /// Columns that identify a row uniquely (`accountid`, and the key itself).
    public var ids: [ColumnReference]
    /// Display values (`name`): a name two rows share becomes ambiguous.
    public var names: [ColumnReference]
    /// Learn from every row, delivered, filtered or rejected: an id's key holds whatever became of the
    /// row (quote ids -> quote numbers, so the lines of a draft or rejected quote follow it).
    public var everyRow = false

    var columns: [ColumnReference] { [key] + ids + names }

    /// The key column must be in the input; ids and names are learned where the export has them (an
    /// Export to Excel file has no GUID columns).
    func bound(to columns: ColumnIndex) throws(ColumnIndex.Missing) -> LearnRule {
        var rule = self
        rule.key = try columns.bind(key)
        rule.ids = ids.compactMap { try? columns.bind($0) }
        rule.names = names.compactMap { try? columns.bind($0) }
        return rule
    }

    func learn(from record: SourceRecord, into keys: StagedLearnedKeys) throws {
        guard key.optionValues == nil, ids.allSatisfy({ $0.optionValues == nil }), names.allSatisfy({ $0.optionValues == nil }) else {
            return try learnTexts(from: record, into: keys)
        }
        try record.withBytes(at: key.index) { value in
            for id in ids { try record.withBytes(at: id.index) { try keys.learn($0, means: value, in: reference, isName: false) } }
            for name in names { try record.withBytes(at: name.index) { try keys.learn($0, means: value, in: reference, isName: true) } }
        }
    }

    /// Where a column reads option-set labels as values.
    private func learnTexts(from record: SourceRecord, into keys: StagedLearnedKeys) throws {
        let value = key.value(in: record)
        for id in ids { try keys.learn(id.value(in: record), means: value, in: reference, isName: false) }
        for name in names { try keys.learn(name.value(in: record), means: value, in: reference, isName: true) }
    }
}
