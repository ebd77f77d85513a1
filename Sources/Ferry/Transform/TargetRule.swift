/// One output of a template: the target system and entity, which rows go to it (`when:`), its
/// fields, and how duplicate keys are treated. A template has one or more.
public struct TargetRule: Sendable {
    /// What happens to a second row with the same key.
    public enum DuplicatePolicy: String, Sendable {
        /// The later row goes to the rejects report, naming the line of the first.
        case reject
        /// The first row is kept, later ones are counted as filtered.
        case first
        /// The last row is kept (the input is read twice), earlier ones are counted as filtered.
        case last
    }

    public var spec: TargetSpec
    /// Rows for which this holds go to this target (all rows when nil).
    public var condition: RowCondition?
    public var fields: [FieldRule]
    /// The target field whose value identifies a row (`CUSTOMERACCOUNT`).
    public var key: String?
    public var duplicates: DuplicatePolicy = .reject
    /// A field whose value must be a key another template delivered in the same unit (quotation lines
    /// refer to their header's number). Checked when both arrive together.
    public var references: Reference?
    /// Where the target is written in the template, for messages.
    public var position = TemplatePosition(line: 0, column: 0)

    public struct Reference: Sendable, Equatable {
        public var field: String
        public var template: String
    }

    /// Position of the referencing field among `fields`.
    var referenceIndex: Int? { references.flatMap { reference in fields.firstIndex { $0.target == reference.field } } }

    /// Position of the key field among `fields`.
    var keyIndex: Int? { key.flatMap { key in fields.firstIndex { $0.target == key } } }
}
