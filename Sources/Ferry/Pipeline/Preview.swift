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
    /// The templates beside the previewed one (its folder's). In a bundle, the members they take that a run
    /// processes first (the templates the previewed one comes `after:`) are run first here too, so its
    /// `references:` and its lookups of keys learned in the same bundle resolve as in a run.
    public var unitTemplates: [Template] = []

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
        let before = try unit(before: template, members: data.filter { !previewed.contains($0) }, entityNames: entityNames,
                              bundleName: name, in: Workspace(root: scratch))
        return try data.map { member in
            guard previewed.contains(member) else {
                return Member(name: member.name, note: "not taken by \(template.name) (takes: \(template.patterns.joined(separator: ", "))); "
                                + "in a run another template takes it, or it is ignored as a member no template takes")
            }
            var result = Result()
            do {
                try read(template: template, path: member.path, name: "\(name)/\(member.name)", rows: limit,
                         knownKeys: before?.deliveredKeys ?? [:], learnedInUnit: before?.learned.reversed() ?? [], into: &result)
            } catch let error as InputError {
                result.failure = error.description
            }
            return Member(name: member.name, result: result)
        }
    }

    /// What the members a run processes before `template`'s deliver and teach (their keys, their learned keys);
    /// nil when there are none.
    private func unit(before template: Template, members: [BundleMember], entityNames: [String: String], bundleName: String,
                      in scratch: Workspace) throws -> PreparedOutputs? {
        let others = unitTemplates.filter { $0.name != template.name }
        let router = TemplateRouter(templates: others, forced: nil)
        let order = try DependencyOrder(templates: others + [template])
        let earlier = members.filter { member in
            let names = BundlePipeline.routingNames(of: member, entityNames: entityNames)
            guard let taker = try? router.template(for: names, displayName: member.name).get() else { return false }
            return order.rank(taker) < order.rank(template)
        }
        guard !earlier.isEmpty else { return nil }
        try Workspace.makeFolder(scratch.staging)
        var bundle = BundlePipeline(workspace: scratch, router: router, limits: limits)
        bundle.learnedKeys = learnedKeys
        var report = FileReport(name: bundleName, template: nil, outcome: .delivered)
        return try bundle.prepare(members: earlier, entityNames: entityNames, unitName: bundleName, inside: bundleName, stem: "preview",
                                  at: UTCDateTime.now(), observer: SilentObserver(), report: &report)
    }

    private func read(template: Template, path: String, name: String, rows limit: Int, knownKeys: [String: [KeyIndex]] = [:],
                      learnedInUnit: [any KeyResolver] = [], into result: inout Result) throws {
        let stack = DecoderStack(fileName: name, options: template.source, columns: template.sourceColumns, limits: limits)
        let decoder = try stack.open(try FileByteSource(path: path, displayName: name))
        let resolver = ResolverChain(learnedInUnit + (learnedKeys.map { [$0] } ?? []))
        let transformer = try RowTransformer(template: template, columns: decoder.columns, fileName: name, resolver: resolver)
        result.targets = zip(template.targets, transformer.targetFields).map { ($0.spec.entity, $1, []) }
        let keys = try KeyTracker(template: template, transformer: transformer, spillFolder: FileManager.default.temporaryDirectory.path,
                                  lastRowsFrom: {
            try stack.open(try FileByteSource(path: path, displayName: name))
        })
        var sink = PreviewSink(result: result, limit: limit)
        do {
            try RowLoop(decoder: decoder, transformer: transformer, keys: keys, knownKeys: knownKeys).run(into: &sink)
            result = sink.result
        } catch {
            // A failure after some rows still shows them (`run` decides by the rows read).
            result = sink.result
            throw error
        }
        let considered = result.totalRead - result.totalFiltered
        if template.rejectLimit.isExceeded(rejected: result.totalRejected, total: considered) {
            result.failure = "\(result.totalRejected) of \(considered) rows would be rejected, more than the template allows "
                + "(max_rejects: \(template.rejectLimit.description)): a run sends the whole file to failed/"
        }
    }
}

/// The sink of a preview: keeps the rows of the first records, and counts the rest as a run would.
private struct PreviewSink: RowSink {
    var result: Preview.Result
    let limit: Int

    mutating func deliver(_ record: SourceRecord, rows: [SourceRecord], applies: [Bool]) -> RowTransformer.Outcome {
        guard result.totalRead < limit else { return .rows }
        for index in applies.indices where applies[index] {
            let row = rows[index]
            result.targets[index].rows.append((record.line, (0..<row.fieldCount).map { row.string(at: $0) ?? "" }))
        }
        return .rows
    }

    mutating func decided(_ record: SourceRecord, _ outcome: RowTransformer.Outcome, bytesRead: Int64) {
        result.totalRead += 1
        let shown = result.totalRead <= limit
        if shown { result.recordsRead += 1 }
        switch outcome {
        case .rows:
            break
        case .filtered:
            result.totalFiltered += 1
            if shown { result.filtered.append(record.line) }
        case .rejected(let problems):
            result.totalRejected += 1
            if shown { result.rejected += problems }
        }
    }
}
