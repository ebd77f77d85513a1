import Foundation

/// Takes one inbox file from claim to its final place, recording every step in the ledger first:
///
///     claim (rename into work/) -> ledger "claimed" -> digest: seen before? -> duplicate (archive)
///       -> decode/transform/encode into staging -> plan moves, ledger "delivering" -> moves -> "done"
///       -> or, when the file is at fault: plan moves into failed/, "failing" -> moves -> "failed"
///       -> or, when the fault is elsewhere: back into the inbox, "returned"
///
/// A crash leaves either a "claimed" entry (nothing visible yet: the input goes back to the inbox)
/// or a plan in the ledger that `Recovery` completes: no package is lost or delivered twice.
public struct InputProcessor: Sendable {
    /// What this processor works with; while a unit is processed, a copy whose workspace stages into that unit's slot.
    public private(set) var settings: RunSettings
    public let ledger: Ledger
    private(set) var router: TemplateRouter
    /// Inputs interrupted by this many crashes go to failed/ instead of being tried again.
    public let maxInterruptions: Int
    /// The staging folders of the units in hand, one per worker at work.
    let stagingSlots: StagingSlots
    /// Keys learned from delivered inputs (a table of the ledger's database), for `reference:` lookups.
    let learnedKeys: LearnedKeys?
    /// Processing for `ferry watch`: advice in notes names only what works beside the running watcher.
    public var inService = false

    public init(settings: RunSettings, ledger: Ledger, maxInterruptions: Int = 3) {
        self.settings = settings
        stagingSlots = StagingSlots(in: settings.workspace.staging)
        self.ledger = ledger
        self.router = settings.router
        self.maxInterruptions = maxInterruptions
        self.learnedKeys = try? LearnedKeys(ledger: ledger)
    }

    public var workspace: Workspace { settings.workspace }
    private var limits: DecompressionLimits { settings.limits }
    private var force: Bool { settings.force }
    private var intake: IntakeSettings { settings.intake }
    var clock: @Sendable () -> UTCDateTime { settings.clock }

    /// The same processor with other templates (the watcher reloaded them).
    public func using(templates: [Template], forcedTemplate: Template?, held: [BrokenTemplate]) -> InputProcessor {
        var copy = self
        copy.settings.templates = templates
        copy.settings.forcedTemplate = forcedTemplate
        copy.settings.held = held
        copy.router = copy.settings.router
        return copy
    }

    /// The names of the files that travel with the file of this name (see `partners(of:in:)`).
    func partnerNames(of name: String) -> [String] {
        router.partnerNames(of: name)
    }

    /// Why a file waits in the inbox (the template that takes it is broken), or nil.
    func heldReason(for name: String) -> String? {
        router.heldBy([name]).map { "template \($0.name) is broken: \($0.error.message)" }
    }

    /// The template that takes `file` as a unit of its own; nil for a bundle, files taken together, or a file no template takes.
    func template(of file: InboxFile, partners: [InboxFile]) -> Template? {
        guard partners.isEmpty else { return nil }
        return try? router.template(for: [file.name], displayName: file.name).get()
    }

    /// The file's place in the templates' `after:` order.
    func rank(of name: String) -> Int {
        router.rank(of: name)
    }

    /// The inbox files that travel with `file`: its partners, when its template shares a package with
    /// others and their files are in the inbox (`quotes-week48.csv` with `quotedetails-week48.csv`).
    public func partners(of file: InboxFile, in inbox: [InboxFile]) -> [InboxFile] {
        router.partnerFiles(of: file, in: inbox)
    }

    /// The files ordered by their templates' `after:` entries, then by name: reference exports and
    /// parents (accounts) before the exports whose lookups need the keys they teach (quotes).
    public func inDependencyOrder(_ files: [InboxFile]) -> [InboxFile] {
        Self.order(files, router: router)
    }

    static func order(_ files: [InboxFile], router: TemplateRouter) -> [InboxFile] {
        guard router.order != nil else { return files }
        // A file no template takes by name is a bundle (or fails): after the files, whose keys it may need.
        return files.map { ($0, router.rank(of: $0.name)) }.sorted { ($0.1, $0.0.name) < ($1.1, $1.0.name) }.map(\.0)
    }

    /// Claims and processes one inbox file, with `partners` (see `partners(of:in:)`) as one unit;
    /// nil when another process took the file first, or when its delivery waits in `batch` (whose reports
    /// come with its delivery).
    public func process(_ file: InboxFile, partners: [InboxFile] = [], observer: RunObserver, batch: DeliveryBatch? = nil) throws -> FileReport? {
        let inbox = Inbox(workspace: workspace)
        guard let claimed = try claim(file, from: inbox) else { return nil }
        var unit = [claimed]
        // Other nodes may take a partner from here on; this node's claims end with the unit, however it ends.
        defer { try? ledger.releaseClaims(unit.map(\.name)) }
        for partner in partners {
            if let taken = try claim(partner, from: inbox) { unit.append(taken) }
        }
        guard let report = try process(unit, observer: observer, batch: batch) else { return nil }
        if report.outcome != .retryLater {
            // A done marker (`data.csv.done`) has served its purpose once its file is taken for good.
            for file in unit { Self.removeMarkers(of: file.name, in: inbox.workspace.inbox) }
        }
        return report
    }

    /// Takes the file into the work area: first the ledger's claim on its name (which, with several nodes, only
    /// one node gets), then the rename. Nil when another node or process has it.
    private func claim(_ file: InboxFile, from inbox: Inbox) throws -> ClaimedFile? {
        guard try ledger.takeClaim(name: file.name) else { return nil }
        do {
            guard let claimed = try inbox.claim(file) else {
                try ledger.releaseClaims([file.name])
                return nil
            }
            return claimed
        } catch {
            try? ledger.releaseClaims([file.name])
            throw error
        }
    }

    static func removeMarkers(of name: String, in folder: String) {
        for suffix in ReadinessPolicy.markerSuffixes { unlinkQuietly(folder + "/" + name + suffix) }
    }

    /// Processes files already in the work area (also `ferry replay`): one, or related ones as a unit.
    func process(_ unit: [ClaimedFile], observer: RunObserver, outputSuffix: String = "") throws -> FileReport {
        let started = Date()
        // Without a batch a unit always ends here.
        var report = try processClaimed(unit, observer: observer, outputSuffix: outputSuffix, started: started, batch: nil) ?? FileReport(name: "", template: nil, outcome: .retryLater)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// `process(_:observer:outputSuffix:)`, leaving a delivery to `batch`: nil when it waits there.
    private func process(_ unit: [ClaimedFile], observer: RunObserver, batch: DeliveryBatch?) throws -> FileReport? {
        let started = Date()
        guard var report = try processClaimed(unit, observer: observer, outputSuffix: "", started: started, batch: batch) else { return nil }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func processClaimed(_ unit: [ClaimedFile], observer: RunObserver, outputSuffix: String, started: Date,
                                batch: DeliveryBatch?) throws -> FileReport? {
        let time = clock()
        let inbox = Inbox(workspace: workspace)
        let claimed = unit[0]
        let unitName = unit.map(\.name).joined(separator: " + ")
        let unitSize = unit.reduce(0) { $0 + $1.size }
        var report = FileReport(name: unitName, template: nil, outcome: .delivered)
        // Refused before a byte is read (the digest reads at once).
        let refusal = intake.acceptHardLinks ? nil : unit.lazy.compactMap(Self.hardLinkRefusal).first
        let digests = refusal != nil ? [] : unit.map { BackgroundDigest(path: $0.path, displayName: $0.name, size: $0.size) }
        let template = try? router.template(for: [claimed.name], displayName: claimed.name).get()
        let id: Int64
        do {
            id = try ledger.claim(name: unitName, size: unitSize, digest: "", template: template?.identity, at: time)
        } catch {
            // Without a ledger entry nothing may go on: the files go back to the inbox at once.
            for file in unit { _ = try? release(file) }
            throw error
        }
        CrashPoint.reach("claimed")

        // Whatever the unit stages goes into a folder of its own (a slot this process reuses), emptied however
        // the unit ends, except for what a recorded plan still needs.
        let slot = stagingSlots.acquire()
        var inSlot = self
        inSlot.settings.workspace = workspace.staging(subfolder: stagingSlots.subfolder(slot))
        let staging = inSlot.workspace.staging
        var waiting = false
        // A delivery that waits in the batch keeps its slot (and what is staged there) until the batch is delivered.
        defer { if !waiting { stagingSlots.release(slot) } }
        do {
            try Workspace.makeFolder(staging)
            waiting = try inSlot.processEntry(id, unit, template: template, digests: digests, refusal: refusal, observer: observer,
                                              outputSuffix: outputSuffix, report: &report, at: time, started: started,
                                              batch: batch.map { ($0, slot) })
        } catch {
            removeFiles(in: staging, keeping: (try? ledger.pendingSources()) ?? [])
            guard !(error is SQLiteError || error is LedgerError), try ledger.entry(id)?.state == .claimed else { throw error }
            // A fault outside the input before anything was planned (the failure note could not be written):
            // the input goes back to the inbox instead of waiting in the work area for the next start.
            report.outcome = .retryLater
            report.error = "\(error)"
            for file in unit { report.inputNowAt = try? inbox.release(file) }
            try close(id, state: .returned, report: &report, started: started)
        }
        if waiting { return nil }
        if !((try? FileManager.default.contentsOfDirectory(atPath: staging))?.isEmpty ?? true) {
            removeFiles(in: staging, keeping: try ledger.pendingSources())
        }
        return report
    }

    /// Returns true when the unit's delivery waits in `batch` (with the staging slot it keeps).
    private func processEntry(_ id: Int64, _ unit: [ClaimedFile], template: Template?, digests: [BackgroundDigest], refusal: InputError?,
                              observer: RunObserver, outputSuffix: String, report: inout FileReport, at time: UTCDateTime,
                              started: Date, batch: (batch: DeliveryBatch, slot: Int)?) throws -> Bool {
        let claimed = unit[0]
        let unitName = report.name, unitSize = unit.reduce(0) { $0 + $1.size }
        // Whatever this unit plans on its own (a failure) comes after the deliveries waiting in the batch, as without one.
        let deliverBatch: () throws -> Void = { if let batch { try self.deliver(batch.batch) } }
        if let refusal {
            try deliverBatch()
            try fail(id, unit, template: template, error: refusal, rejectsPath: nil, digest: nil, report: &report, at: time, started: started)
            return false
        }

        let interruptions = try ledger.interruptions(name: unitName, size: unitSize)
        if interruptions.quarantine(maxCrashes: maxInterruptions) {
            let crashed = interruptions.crashes >= maxInterruptions
            let error = InputError(.limit, InputLocation(file: claimed.name),
                                   "quarantined: processing this file was cut short \(interruptions.total) times: \(interruptions.description); "
                                       + (crashed ? "crashes on the same content point at the content" : "it never got to the end")
                                       + ", so it is not tried again on its own",
                                   hint: (crashed ? "check Ferry's log for the crash and the file for what is unusual in it"
                                              : "check the system log for what stopped Ferry (dmesg shows the OOM killer, which stops a process that needs more memory than the machine has)")
                                       + "; to try the file once more: ferry retry \(claimed.name)")
            try deliverBatch()
            try fail(id, unit, template: template, error: error, rejectsPath: nil, digest: try? Self.digest(of: digests), report: &report, at: time, started: started)
            return false
        }

        do {
            // In a batch, staged files are closed unsynced and synced together before the batch's plan.
            let prepared = try StagedFileSync.$deferred.withValue(batch?.batch.stagedFiles) {
                try UnitPreparation(workspace: workspace, router: router, limits: limits, learnedKeys: learnedKeys)
                    .prepare(unit, template: template, at: time, observer: observer, outputSuffix: outputSuffix, report: &report)
            }
            let contentDigest = try Self.digest(of: digests)
            let planned = try StagedFileSync.$deferred.withValue(batch?.batch.stagedFiles) { try prepared.detach() }
            if let batch {
                report.seconds = Date().timeIntervalSince(started)
                try ledger.markPrepared(id)
                batch.batch.add(DeliveryBatch.Pending(id: id, unit: unit, outputs: planned, learned: prepared.learned, digest: contentDigest,
                                                      checkDuplicates: !force, template: template, report: report, time: time,
                                                      started: started, slot: batch.slot, staging: workspace.staging))
                return true
            }
            try finish(id, unit, outputs: planned, learned: prepared.learned, digest: contentDigest, checkDuplicates: !force,
                       template: template, report: &report, at: time, started: started)
        } catch let failure as PreparedFailure {
            try deliverBatch()
            try failUnlessDelivered(id, unit, template: template, error: failure.error, rejectsPath: failure.rejectsPath,
                                    digests: digests, report: &report, at: time, started: started)
        } catch let error as InputError where error.kind == .templateUnavailable {
            // Not the file's fault either: it waits until its template is fixed.
            report.outcome = .retryLater
            report.error = error.description
            for file in unit { report.inputNowAt = try? release(file) }
            try close(id, state: .returned, report: &report, started: started)
        } catch let error as InputError {
            try deliverBatch()
            try failUnlessDelivered(id, unit, template: template, error: error, rejectsPath: nil, digests: digests,
                                    report: &report, at: time, started: started)
        } catch let error as SQLiteError {
            // Staging's scratch databases (KeyIndex, StagedLearnedKeys) are not the file's fault either.
            throw error
        } catch let error as LedgerError where error.isDatabaseFault {
            throw error
        } catch {
            // Not the file's fault (disk full, permissions): keep it for a later attempt.
            report.outcome = .retryLater
            report.error = "\(error)"
            for file in unit { report.inputNowAt = try? release(file) }
            try close(id, state: .returned, report: &report, started: started)
        }
        return false
    }

    /// A file with more than one name may be a way to reach a file outside the inbox: it is not read.
    private static func hardLinkRefusal(_ claimed: ClaimedFile) -> InputError? {
        var info = stat()
        guard SystemCall.lstat(claimed.path, &info) == 0, info.st_nlink > 1 else { return nil }
        return InputError(.limit, InputLocation(file: claimed.name),
                          "refused: the file has \(info.st_nlink) hard links (other names share its content, possibly a file outside the inbox); Ferry does not read hard-linked inputs",
                          hint: "copy the file into the inbox instead of linking it (cp, not ln); if your uploads arrive as hard links on purpose, set intake: {hard_links: accept} in ferry.yaml")
    }

    /// Puts a claimed file back into the inbox for a later attempt; a copy made for a replay is dropped
    /// instead (its original stays in the archive).
    private func release(_ file: ClaimedFile) throws -> String? {
        guard file.returnable else {
            unlinkQuietly(file.path)
            return nil
        }
        return try Inbox(workspace: workspace).release(file)
    }

    /// One content digest for the unit: the file's, or the digest of the files' digests.
    private static func digest(of digests: [BackgroundDigest]) throws -> String {
        if digests.count == 1 { return try digests[0].value() }
        var hasher = SHA256()
        for digest in digests { hasher.update(Array(try digest.value().utf8)) }
        return hasher.finalizeHex()
    }

    /// Plans the moves (outputs into their folders, then the inputs into today's archive), records them,
    /// carries them out. With `checkDuplicates`, content already delivered (or being delivered) by another
    /// entry is archived as a duplicate instead: checked under the lock that plans deliveries, so of two identical
    /// files in hand at once only one is delivered.
    /// What the unit's rows taught (`learned`) goes into the ledger in the plan's transaction: known from
    /// the moment the delivery is planned (recovery completes it), never for a duplicate or a failure.
    /// With `onlyIfDuplicate` (an input that failed) nothing is planned unless the content is a duplicate;
    /// returns whether anything was.
    @discardableResult
    private func finish(_ id: Int64, _ unit: [ClaimedFile], outputs planned: [PreparedOutputs.Planned], learned: [StagedLearnedKeys],
                        digest: String, checkDuplicates: Bool, onlyIfDuplicate: Bool = false, template: Template?, report: inout FileReport,
                        at time: UTCDateTime, started: Date) throws -> Bool {
        let folder = workspace.archive + "/" + time.day8601
        try Workspace.makeFolder(folder)
        var previous: Ledger.Entry?
        report.seconds = Date().timeIntervalSince(started)
        let snapshot = report
        let plannedMoves = try MoveExecutor.deliveryLock.withLock { _ -> [Ledger.Move]? in try ledger.exclusively(digest: digest) {
            if checkDuplicates { previous = try ledger.delivered(digest: digest, except: id) }
            if onlyIfDuplicate && previous == nil { return nil }
            var taken = Set<String>()
            let moves = deliveryMoves(unit, outputs: planned, duplicate: previous != nil, archive: folder, taken: &taken)
            try planDelivery(id, moves: moves, learned: previous == nil ? learned : [], report: snapshot, digest: digest, at: time)
            return moves
        } }
        guard let moves = plannedMoves else { return false }
        if let previous {
            // The digest was computed alongside the pipeline; a duplicate's outputs are dropped unseen.
            for output in planned { unlinkQuietly(output.stagingPath) }
            report = FileReport(name: report.name, template: previous.template, outcome: .duplicate)
            report.error = Self.duplicateNote(previous, template: template, inService: inService)
        }
        CrashPoint.reach("planned")
        let moved = try execute(moves, entry: id, report: &report, at: time) { index in
            if index == 0 { CrashPoint.reach("moved-first") }
        }
        guard let outcome = moved else { return true }
        Self.record(outcome, in: &report)
        try close(id, state: previous == nil ? .done : .duplicate, report: &report, started: started)
        CrashPoint.reach("finished")
        return true
    }

    /// The moves that deliver a unit: its outputs into their folders (none for a duplicate), then its inputs into
    /// the archive folder, under free names that avoid `taken` (and add theirs to it).
    func deliveryMoves(_ unit: [ClaimedFile], outputs: [PreparedOutputs.Planned], duplicate: Bool, archive folder: String,
                       taken: inout Set<String>) -> [Ledger.Move] {
        func move(_ source: String, into folder: String, name: String, kind: Ledger.Move.Kind) -> Ledger.Move {
            let free = MoveExecutor.freeName(in: folder, for: name, avoiding: taken)
            taken.insert(folder + "/" + free)
            return Ledger.Move(source: source, destination: folder + "/" + free, kind: kind)
        }
        let outputMoves = duplicate ? [] : outputs.map { move($0.stagingPath, into: $0.folder, name: $0.name, kind: $0.kind) }
        return outputMoves + unit.map { move($0.path, into: folder, name: $0.name, kind: .input) }
    }

    /// Records a delivery's plan, with what its rows taught (`learned`, empty for a duplicate) in the same transaction.
    func planDelivery(_ id: Int64, moves: [Ledger.Move], learned: [StagedLearnedKeys], report: FileReport, digest: String,
                      at time: UTCDateTime) throws {
        let teaches = learnedKeys != nil && learned.contains { !$0.isEmpty }
        try ledger.plan(id, state: .delivering, moves: moves, report: report, digest: digest, alongside: !teaches ? nil : { database in
            for keys in learned { try LearnedKeys.write(keys, into: database, input: id, at: time) }
        })
    }

    /// Where a delivery's moves put its packages, its rejects report and its input.
    static func record(_ outcome: MoveExecutor.Outcome, in report: inout FileReport) {
        report.outputs = outcome.done.filter { $0.kind == .package }.map(\.destination)
        report.rejectsReport = outcome.done.first { $0.kind == .report }?.destination
        report.inputNowAt = outcome.done.last { $0.kind == .input }?.destination
    }

    /// Makes a delivery plan's moves; nil when they could not all be made, with `report` saying why: the plan
    /// waits (a full disk, permissions: the next attempt completes it), or a staged output was lost (`Recovery.settle`).
    func execute(_ moves: [Ledger.Move], entry id: Int64, report: inout FileReport, at time: UTCDateTime,
                 afterEach: (Int) -> Void = { _ in }) throws -> MoveExecutor.Outcome? {
        do {
            return try MoveExecutor.deliveryLock.withLock { _ in try MoveExecutor(ledger: ledger).execute(moves, entry: id, afterEach: afterEach) }
        } catch let error as FileSystemError {
            report.outcome = .deliveryWaiting
            report.error = "\(error); the outputs are complete and will be moved when this is fixed"
            return nil
        } catch let lost as MoveExecutor.LostStagedOutput {
            guard let entry = try ledger.entry(id) else { throw lost }
            report = try Recovery(workspace: workspace, ledger: ledger).settle(lost, entry: entry, moves: moves, at: time)
            return nil
        }
    }

    /// Why a duplicate brought nothing new, and, when the template changed since the content was
    /// delivered, how to deliver it with the new rules (`ferry run --force` only where no watcher owns
    /// the workspace: beside one it would be refused).
    static func duplicateNote(_ previous: Ledger.Entry, template: Template?, inService: Bool = false) -> String {
        var note = "same content as \(FileName.display(previous.name)), delivered as ledger entry \(previous.id) on \(previous.finishedAt ?? previous.claimedAt); archived without new outputs"
        if let template, let delivered = previous.templateHash, !delivered.isEmpty, delivered != template.contentHash {
            note += ". Template \(template.name) has changed since (version \(delivered.prefix(8)) then, \(template.contentHash.prefix(8)) now): "
                + "to deliver this content with the new rules, run `ferry replay \(previous.id)` (new outputs, the archive untouched"
                + (inService ? "; it works beside the running watcher)" : ") or put the file back and run `ferry run --force`")
        }
        return note
    }

    /// Sends the inputs to failed/, unless their content was delivered before: then they are a duplicate, as they
    /// would be had they gone through. A stricter template, or keys a rebuilt ledger lacks, must not turn the same
    /// export dropped again into a failure note. With `--force` (and in a replay) the failure stands.
    private func failUnlessDelivered(_ id: Int64, _ unit: [ClaimedFile], template: Template?, error: InputError, rejectsPath: String?,
                                     digests: [BackgroundDigest], report: inout FileReport, at time: UTCDateTime, started: Date) throws {
        let digest = try? Self.digest(of: digests)
        if !force, let digest, try finish(id, unit, outputs: [], learned: [], digest: digest, checkDuplicates: true, onlyIfDuplicate: true,
                                          template: template, report: &report, at: time, started: started) {
            return
        }
        try fail(id, unit, template: template, error: error, rejectsPath: rejectsPath, digest: digest, report: &report, at: time, started: started)
    }

    /// Sends the inputs to failed/, each with the reason (the first with the rejects) beside it, through the same plan.
    private func fail(_ id: Int64, _ unit: [ClaimedFile], template: Template?, error: InputError, rejectsPath: String?,
                      digest: String? = nil, report: inout FileReport, at time: UTCDateTime, started: Date) throws {
        report.outcome = .failed
        report.error = error.description
        let notes = try unit.map { claimed in
            try FailureNote.stage(FailureNote.text(file: claimed.name, template: template?.identity, error: error.description, at: time),
                                  stagingFolder: workspace.staging)
        }
        let moves = try MoveExecutor.deliveryLock.withLock { _ in
            FailurePlan.removeOrphanNotes(of: unit.map(\.name), in: workspace.failed)
            let moves = FailurePlan.moves(inputs: unit.map { ($0.name, $0.path) }, notes: notes, rejectsPath: rejectsPath, failedFolder: workspace.failed)
            try ledger.plan(id, state: .failing, moves: moves, report: report, digest: digest)
            return moves
        }
        let outcome: MoveExecutor.Outcome
        do {
            outcome = try MoveExecutor.deliveryLock.withLock { _ in try MoveExecutor(ledger: ledger).execute(moves, entry: id) }
        } catch let blocked as FileSystemError {
            // The failure plan stays in the ledger (failed/ not writable, disk full); the next attempt completes it.
            report.outcome = .deliveryWaiting
            report.error = "\(error.description)\n(not yet moved into failed/: \(blocked))"
            return
        }
        report.rejectsReport = outcome.done.first { $0.kind == .report }?.destination
        report.inputNowAt = outcome.done.last?.destination
        try close(id, state: .failed, report: &report, started: started)
    }

    /// Records how the entry ended: when it ended and how long it took.
    func close(_ id: Int64, state: Ledger.State, report: inout FileReport, started: Date) throws {
        report.seconds = Date().timeIntervalSince(started)
        try ledger.finish(id, state: state, report: report, at: clock())
    }
}
