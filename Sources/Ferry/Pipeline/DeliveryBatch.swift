import Foundation

/// Deliveries `ferry run` has prepared into staging and not yet planned. They are planned in one durable
/// transaction, moved in rounds and closed together (`InputProcessor.deliver(_:)`): a batch of small files
/// costs about one sync of the ledger, one sync of each folder it moves into and one pass over its staged
/// files, where each file alone costs all of those. Until then each entry is `prepared` in the ledger, so
/// recovery puts its input back into the inbox as it does for a claimed one.
///
/// Nothing changes in what files become: a unit whose lookups need keys the waiting deliveries teach, and
/// anything planned on its own (a failure), waits until they are delivered.
public final class DeliveryBatch {
    struct Pending {
        var id: Int64
        var unit: [ClaimedFile]
        var outputs: [PreparedOutputs.Planned]
        var learned: [StagedLearnedKeys]
        var digest: String
        var checkDuplicates: Bool
        var template: Template?
        var report: FileReport
        var time: UTCDateTime
        var started: Date
        /// The staging slot the unit's outputs wait in, and its folder.
        var slot: Int
        var staging: String
    }

    /// Units per batch: the delivery of a full batch starts before the next unit is taken.
    public let capacity: Int
    private(set) var pending: [Pending] = []
    /// The staged files of the units since the last delivery, closed unsynced.
    let stagedFiles = StagedFileSync()
    /// The references the waiting deliveries teach (`learn:`), and whether some unit taught what its template does
    /// not say (a bundle, whose members' templates are known only inside).
    private(set) var taught: Set<String> = []
    private(set) var teachesAnything = false
    /// Reports of the units the batch delivered, for the run to collect (`takeReports`).
    private var reports: [FileReport] = []

    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    public var isFull: Bool { pending.count >= capacity }

    func add(_ delivery: Pending) {
        pending.append(delivery)
        if let template = delivery.template {
            taught.formUnion(template.learn.map(\.reference))
        } else {
            teachesAnything = true
        }
    }

    /// Whether a unit taken by `template` (nil: a bundle or files taken together) may look up keys the waiting
    /// deliveries teach, which become known only with their plan.
    func teaches(to template: Template?) -> Bool {
        guard !pending.isEmpty else { return false }
        guard let template else { return true }
        let lookedUp = template.referencesLookedUp
        return !lookedUp.isEmpty && (teachesAnything || !lookedUp.isDisjoint(with: taught))
    }

    func takePending() -> [Pending] {
        defer {
            pending = []
            taught = []
            teachesAnything = false
        }
        return pending
    }

    func finished(_ report: FileReport) { reports.append(report) }

    /// The reports of the deliveries made since the last call, in the order the units were taken.
    public func takeReports() -> [FileReport] {
        defer { reports = [] }
        return reports
    }
}

extension Template {
    /// The learned-key references its lookups ask (`lookup ... reference: currencies`).
    var referencesLookedUp: Set<String> {
        var references = Set<String>()
        for step in targets.flatMap(\.fields).flatMap(\.steps) {
            switch step {
            case .lookup(let table): if let reference = table.reference { references.insert(reference) }
            case .resolve(let lookup): if let reference = lookup.table.reference { references.insert(reference) }
            default: break
            }
        }
        return references
    }
}

extension InputProcessor {
    /// Delivers what waits in `batch`: syncs its staged files; plans every delivery in one durable transaction (a
    /// unit whose content an earlier one of the batch delivers is its duplicate, as it would be one by one); moves
    /// them together (`MoveExecutor.executeTogether`); closes the entries in one transaction. The reports go to
    /// `batch.takeReports()`.
    /// A fault outside the files before anything is planned (a staged file that cannot be synced, an archive folder
    /// that cannot be made) puts the waiting units' inputs back into the inbox, as one unit alone would be.
    public func deliver(_ batch: DeliveryBatch) throws {
        do {
            try batch.stagedFiles.syncAll()
            for day in Set(batch.pending.map(\.time.day8601)) { try Workspace.makeFolder(workspace.archive + "/" + day) }
        } catch let error where !(error is SQLiteError || error is LedgerError) {
            let pending = batch.takePending()
            defer { release(pending) }
            for delivery in pending {
                var report = delivery.report
                report.outcome = .retryLater
                report.error = "\(error)"
                for file in delivery.unit where file.returnable { report.inputNowAt = try? Inbox(workspace: workspace).release(file) }
                try close(delivery.id, state: .returned, report: &report, started: delivery.started)
                batch.finished(report)
            }
            return
        }
        let pending = batch.takePending()
        guard !pending.isEmpty else { return }
        defer { release(pending) }

        var plans: [MoveExecutor.BatchPlan] = []
        var previous: [Ledger.Entry?] = []
        try MoveExecutor.deliveryLock.withLock { _ in
            try ledger.inOneTransaction(durable: true) {
                var taken = Set<String>()
                for delivery in pending {
                    // Sees the plans made before it in this transaction.
                    let earlier = delivery.checkDuplicates ? try ledger.delivered(digest: delivery.digest, except: delivery.id) : nil
                    let moves = deliveryMoves(delivery.unit, outputs: delivery.outputs, duplicate: earlier != nil,
                                              archive: workspace.archive + "/" + delivery.time.day8601, taken: &taken)
                    try planDelivery(delivery.id, moves: moves, learned: earlier == nil ? delivery.learned : [], report: delivery.report,
                                     digest: delivery.digest, at: delivery.time)
                    plans.append(MoveExecutor.BatchPlan(entry: delivery.id, moves: moves))
                    previous.append(earlier)
                }
            }
        }
        CrashPoint.reach("planned")
        for (delivery, earlier) in zip(pending, previous) where earlier != nil {
            for output in delivery.outputs { unlinkQuietly(output.stagingPath) }
        }
        try MoveExecutor.deliveryLock.withLock { _ in
            try MoveExecutor(ledger: ledger).executeTogether(&plans) { round in
                if round == 0 { CrashPoint.reach("moved-first") }
            }
        }

        var closing: [(id: Int64, state: Ledger.State, report: FileReport, unit: [ClaimedFile])] = []
        for (index, delivery) in pending.enumerated() {
            var report = delivery.report
            if let earlier = previous[index] {
                report = FileReport(name: report.name, template: earlier.template, outcome: .duplicate)
                report.error = Self.duplicateNote(earlier, template: delivery.template, inService: inService)
            }
            var outcome = plans[index].outcome
            if plans[index].setAside {
                guard let moved = try execute(plans[index].moves, entry: delivery.id, report: &report, at: delivery.time) else {
                    report.seconds = Date().timeIntervalSince(delivery.started)
                    finished(report, of: delivery.unit, in: batch)
                    continue
                }
                outcome = moved
            }
            Self.record(outcome, in: &report)
            report.seconds = Date().timeIntervalSince(delivery.started)
            closing.append((delivery.id, previous[index] != nil ? .duplicate : .done, report, delivery.unit))
        }
        let time = clock()
        try ledger.inOneTransaction(durable: false) {
            for entry in closing { try ledger.finish(entry.id, state: entry.state, report: entry.report, at: time) }
        }
        CrashPoint.reach("finished")
        for entry in closing { finished(entry.report, of: entry.unit, in: batch) }
    }

    /// Empties the units' staging slots (but for what a waiting plan needs) and gives them back.
    private func release(_ pending: [DeliveryBatch.Pending]) {
        let keep = (try? ledger.pendingSources()) ?? []
        for delivery in pending {
            if !((try? FileManager.default.contentsOfDirectory(atPath: delivery.staging))?.isEmpty ?? true) {
                removeFiles(in: delivery.staging, keeping: keep)
            }
            stagingSlots.release(delivery.slot)
        }
    }

    private func finished(_ report: FileReport, of unit: [ClaimedFile], in batch: DeliveryBatch) {
        if report.outcome != .retryLater {
            for file in unit { Self.removeMarkers(of: file.name, in: workspace.inbox) }
        }
        batch.finished(report)
    }
}
