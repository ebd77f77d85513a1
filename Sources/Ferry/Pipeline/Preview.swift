import Foundation

/// `ferry preview`: runs a template's rules over the first records of a file and shows the target
/// rows, and the filtered and rejected records with reasons. Writes nothing, moves nothing.
public struct Preview: Sendable {
    public struct Result: Sendable {
        /// Per target: its entity and fields, and the rows with the line each came from.
        public var targets: [(entity: String, fields: [String], rows: [(line: Int, values: [String])])] = []
        public var filtered: [Int] = []
        public var rejected: [RowProblem] = []
        public var recordsRead = 0
    }

    public let limits: DecompressionLimits

    public init(limits: DecompressionLimits = DecompressionLimits()) {
        self.limits = limits
    }

    public func run(template: Template, file: String, rows limit: Int) throws -> Result {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let stack = DecoderStack(fileName: name, options: template.source, columns: template.sourceColumns, limits: limits)
        let decoder = try stack.open(try FileByteSource(path: file, displayName: name))
        let transformer = try RowTransformer(template: template, columns: decoder.columns, fileName: name)
        var result = Result()
        result.targets = zip(template.targets, transformer.targetFields).map { ($0.spec.entity, $1, []) }
        let keys = try KeyTracker(template: template, transformer: transformer, spillFolder: FileManager.default.temporaryDirectory.path,
                                  lastRowsFrom: {
            try stack.open(try FileByteSource(path: file, displayName: name))
        })
        var record = SourceRecord()
        var rows: [SourceRecord] = []
        var applies: [Bool] = []
        while result.recordsRead < limit, try decoder.next(into: &record) {
            result.recordsRead += 1
            var outcome = transformer.transform(record, into: &rows, applies: &applies)
            if outcome == .rows { outcome = try keys.admit(record, rows: rows, applies: &applies) }
            switch outcome {
            case .rows:
                for index in applies.indices where applies[index] {
                    let row = rows[index]
                    result.targets[index].rows.append((record.line, (0..<row.fieldCount).map { row.string(at: $0) ?? "" }))
                }
            case .filtered:
                result.filtered.append(record.line)
            case .rejected(let problems):
                result.rejected += problems
            }
        }
        return result
    }
}
