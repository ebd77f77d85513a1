/// Runs one data file through the stages: decode -> transform -> encode, leaving its outputs
/// complete in staging. Delivery (the ledger's move plan) makes them visible.
public struct FilePipeline: Sendable {
    public let workspace: Workspace
    public let limits: DecompressionLimits
    /// Rows between progress calls (observers pace them by time).
    static let progressInterval = 1_024
    /// Bytes of keys (`key:`) held in memory before they move to a scratch table in staging.
    var keyMemoryBudget = KeyIndex.defaultMemoryBudget
    /// Bytes of learned keys (`learn:`) held in memory before they are sorted into runs in staging.
    var learnedMemoryBudget = StagedLearnedKeys.defaultMemoryBudget

    public init(workspace: Workspace, limits: DecompressionLimits = DecompressionLimits()) {
        self.workspace = workspace
        self.limits = limits
    }

    /// One data file to process.
    struct Input {
        /// Where its bytes are.
        var path: String
        /// How reports name it (`accounts.csv`, or `drop.zip/Customers V3.csv` for a bundle member).
        var displayName: String
        /// Output names are built from this (`accounts` for `accounts.csv.gz`).
        var stem: String
        var size: Int64
        /// The package its F&O entities go into (default: the first F&O target's name, the stem, the time).
        var packageStem: String? = nil
        /// Orders this input's entities in a shared package (its template's dependency rank).
        var levelBase = 0
        /// Keys delivered by templates processed before this one in the same unit (for `references:`).
        var knownKeys: [String: [KeyIndex]] = [:]
        /// Keys learned by inputs processed before this one in the same unit (a reference export that
        /// arrived with it), the latest first, asked before the ledger's.
        var learnedInUnit: [any KeyResolver] = []
    }

    /// Keys learned from earlier deliveries (the ledger's), for `reference:` lookups.
    var learnedKeys: (any KeyResolver)? = nil

    /// Throws `PreparedFailure` or `InputError` when the input is at fault, any other error when the
    /// fault lies elsewhere.
    func prepare(_ input: Input, with template: Template, at time: UTCDateTime,
                 observer: RunObserver, report: inout FileReport) throws -> PreparedOutputs {
        let stack = DecoderStack(fileName: input.displayName, options: template.source, columns: template.sourceColumns, limits: limits)
        let decoder = try stack.open(try FileByteSource(path: input.path, displayName: input.displayName))
        let resolver = ResolverChain(input.learnedInUnit + (learnedKeys.map { [$0] } ?? []))
        let transformer = try RowTransformer(template: template, columns: decoder.columns, fileName: input.displayName, resolver: resolver)
        let outputs = try TemplateOutputs(template: template, fields: transformer.targetFields, stem: input.stem, time: time,
                                          levelBase: input.levelBase, stagingFolder: workspace.staging)
        let keys = try KeyTracker(template: template, transformer: transformer, spillFolder: workspace.staging,
                                  memoryBudget: keyMemoryBudget, lastRowsFrom: {
            try stack.open(try FileByteSource(path: input.path, displayName: input.displayName))
        })
        let firstPackage = template.targets.first { $0.spec.system == .financeAndOperations }?.spec.outputName ?? template.name
        let outputName = OutputName.compose(firstPackage, input.stem, time.compact)
        let prepared = PreparedOutputs(workspace: workspace, created: time)
        let learned = StagedLearnedKeys(spillFolder: workspace.staging, memoryBudget: learnedMemoryBudget)
        var sink = RunSink(input: input, transformer: transformer, outputs: outputs, learned: learned,
                           stagingFolder: workspace.staging, observer: observer, report: report)
        defer { report = sink.report }
        do {
            try RowLoop(decoder: decoder, transformer: transformer, keys: keys, knownKeys: input.knownKeys).run(into: &sink)
            for notice in stack.notices.drain() { observer.notice(notice) }
            try sink.checkRejectLimit()
        } catch let error as InputError {
            // The rejected rows explain the failure: they go beside the failed input.
            throw PreparedFailure(error: error, rejectsPath: try sink.rejects?.staged.detach())
        }

        if let admitted = keys.admittedKeys { prepared.deliveredKeys[template.name] = [admitted] }
        if !learned.isEmpty { prepared.learned.append(learned) }
        sink.report.rowsWritten += outputs.rowsWritten
        let finished = try outputs.finish()
        prepared.add(finished.parts, toPackage: input.packageStem ?? outputName, source: input.displayName)
        for (staged, name) in finished.files { prepared.add(staged, into: workspace.outbox, name: name, isPackage: true) }
        if finished.parts.isEmpty && finished.files.isEmpty && !template.targets.allSatisfy({ $0.spec.system == .reference }) {
            observer.notice("\(input.displayName): no rows left to deliver after filtering and rejects; no package written")
        }
        if let rejects = sink.rejects { prepared.add(rejects, name: "\(outputName).rejects.csv") }
        return prepared
    }
}

/// An input failure that still carries the rejects collected before it.
struct PreparedFailure: Error {
    var error: InputError
    /// The rejects collected before the failure, complete in staging.
    var rejectsPath: String?
}
