import Foundation

/// `ferry preview`: runs a template's rules over a file and shows the target rows of its first
/// records, the filtered and rejected ones with reasons, and whether a run would fail the file (its
/// rejects past `max_rejects`, a column it lacks). Writes nothing, moves nothing.
public struct Preview: Sendable {
    public struct Result: Sendable {
        /// Per target: its entity and fields, and the rows with the line each came from.
        public var targets: [(entity: String, fields: [String], rows: [(line: Int, values: [String])])] = []
        /// Lines of the shown records that were filtered out.
        public var filtered: [Int] = []
        /// Problems of the shown records.
        public var rejected: [RowProblem] = []
        /// Records shown (at most the rows asked for).
        public var recordsRead = 0
        /// The whole file, counted like a run counts it.
        public var totalRead = 0, totalFiltered = 0, totalRejected = 0
        /// Why a run would send the file to failed/, if it would.
        public var failure: String?
    }

    /// One member of a bundle: its preview, or why it has none.
    public struct Member: Sendable {
        public var name: String
        public var result: Result?
        public var note: String?
    }

    public let limits: DecompressionLimits
    /// Keys a workspace learned (its ledger's), so `reference:` lookups resolve as a run in it would.
    public var learnedKeys: (any KeyResolver)?

    public init(limits: DecompressionLimits = DecompressionLimits()) {
        self.limits = limits
    }

    /// Previews a data file. The whole file is read, so the totals and the verdict are a run's.
    public func run(template: Template, file: String, rows limit: Int) throws -> Result {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        var result = Result()
        do {
            try read(template: template, path: file, name: name, rows: limit, into: &result)
        } catch let error as InputError {
            // Header problems fail before any row; problems found later (an XML column no record has) after some.
            guard result.totalRead > 0 else { throw error }
            result.failure = error.description
        }
        return result
    }

    /// Previews a bundle member by member: those the template takes (or, when it takes none and the
    /// bundle holds one data file, that one); the others are named with what would become of them.
    public func runBundle(template: Template, file: String, rows limit: Int) throws -> [Member] {
        let name = (file as NSString).lastPathComponent
        guard let kind = try BundleKind.detect(path: file, displayName: name, limits: limits) else { return [] }
        let scratch = FileManager.default.temporaryDirectory.path + "/ferry-preview-" + UUIDString.make()
        try Workspace.makeFolder(scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
        let bundle = BundlePipeline(workspace: Workspace(root: scratch), router: TemplateRouter(templates: [template], forced: nil), limits: limits)
        let (members, entityNames) = try bundle.extract(ClaimedFile(name: name, path: file, size: size ?? 0), kind: kind, into: scratch)
        let data = members.filter { !BundlePipeline.packageDescriptors.contains($0.name) }
        let taken = data.filter { BundlePipeline.routingNames(of: $0, entityNames: entityNames).contains(where: template.takes) }
        let previewed = taken.isEmpty && data.count == 1 ? data : taken
        return try data.map { member in
            guard previewed.contains(member) else {
                return Member(name: member.name, note: "not taken by \(template.name) (takes: \(template.patterns.joined(separator: ", "))); "
                                + "in a run another template takes it, or it is ignored as a member no template takes")
            }
            var result = Result()
            do {
                try read(template: template, path: member.path, name: "\(name)/\(member.name)", rows: limit, into: &result)
            } catch let error as InputError {
                result.failure = error.description
            }
            return Member(name: member.name, result: result)
        }
    }

    private func read(template: Template, path: String, name: String, rows limit: Int, into result: inout Result) throws {
        let stack = DecoderStack(fileName: name, options: template.source, columns: template.sourceColumns, limits: limits)
        let decoder = try stack.open(try FileByteSource(path: path, displayName: name))
        let transformer = try RowTransformer(template: template, columns: decoder.columns, fileName: name, resolver: learnedKeys)
        result.targets = zip(template.targets, transformer.targetFields).map { ($0.spec.entity, $1, []) }
        let keys = try KeyTracker(template: template, transformer: transformer, spillFolder: FileManager.default.temporaryDirectory.path,
                                  lastRowsFrom: {
            try stack.open(try FileByteSource(path: path, displayName: name))
        })
        var record = SourceRecord()
        var rows: [SourceRecord] = []
        var applies: [Bool] = []
        while try decoder.next(into: &record) {
            result.totalRead += 1
            let shown = result.totalRead <= limit
            if shown { result.recordsRead += 1 }
            var outcome = transformer.transform(record, into: &rows, applies: &applies)
            if outcome == .rows { outcome = try keys.admit(record, rows: rows, applies: &applies) }
            switch outcome {
            case .rows:
                guard shown else { continue }
                for index in applies.indices where applies[index] {
                    let row = rows[index]
                    result.targets[index].rows.append((record.line, (0..<row.fieldCount).map { row.string(at: $0) ?? "" }))
                }
            case .filtered:
                result.totalFiltered += 1
                if shown { result.filtered.append(record.line) }
            case .rejected(let problems):
                result.totalRejected += 1
                if shown { result.rejected += problems }
            }
        }
        let considered = result.totalRead - result.totalFiltered
        if template.rejectLimit.isExceeded(rejected: result.totalRejected, total: considered) {
            result.failure = "\(result.totalRejected) of \(considered) rows would be rejected, more than the template allows "
                + "(max_rejects: \(template.rejectLimit.description)): a run sends the whole file to failed/"
        }
    }
}
