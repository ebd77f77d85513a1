import Dispatch
import Foundation
import Logging
import Synchronization

/// How `ferry watch` behaves.
public struct WatchOptions: Sendable {
    public var readiness = ReadinessPolicy()
    /// Files processed at the same time, one per worker.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Poll instead of inotify (network file systems, where inotify misses remote writes).
    public var poll = false
    /// Seconds between full scans: the safety net next to inotify, and the only mechanism when polling.
    public var scanInterval: Double = 2
    /// Stop taking inputs while outbox/ holds more packages than this (0: no limit).
    public var maxOutboxPackages = 1000
    /// First wait before a file that hit a fault outside itself is tried again; doubles up to `maxBackoff`.
    public var initialBackoff: Double = 5
    public var maxBackoff: Double = 300
    /// Content whose processing was interrupted by this many crashes is quarantined in failed/.
    public var maxInterruptions = 3
    /// A long file logs how far it is every this many seconds.
    public var progressInterval: Double = 10
    /// Seconds of quiet in the templates folder before a change is loaded (an editor saves in steps).
    public var reloadDelay: Double = 0.3
    /// The lease of a node among several (`nodes:` in ferry.yaml; only with a shared ledger and a node name).
    public var nodes = NodeSettings()

    public init() {}

    public init(settings: WatchSettings) {
        readiness = ReadinessPolicy(settings: settings)
        workers = settings.workers
        poll = settings.poll
        scanInterval = settings.scanInterval
        maxOutboxPackages = settings.maxOutbox
        maxInterruptions = settings.maxInterruptions
    }
}

/// Asks a running watcher to read its templates again (`ferry watch` sends it on SIGHUP).
public final class ReloadRequests: Sendable {
    private let state = Mutex<(pending: Int, wake: (@Sendable () -> Void)?)>((0, nil))

    public init() {}

    public func request() {
        let wake = state.withLock { state in
            state.pending += 1
            return state.wake
        }
        wake?()
    }

    /// True once per batch of requests.
    func take() -> Bool {
        state.withLock { state in
            defer { state.pending = 0 }
            return state.pending > 0
        }
    }

    func onRequest(_ wake: @escaping @Sendable () -> Void) {
        state.withLock { $0.wake = wake }
    }
}

/// `ferry watch`: a long-running service over the inbox. Takes each file once it is complete, processes
/// up to `workers` files at a time with the templates of its `TemplateCatalog` (reloaded while it runs),
/// and stops cleanly when its task is cancelled (SIGTERM): files in hand are finished, nothing new is taken.
public struct Watcher: Sendable {
    public let workspace: Workspace
    public let catalog: TemplateCatalog
    public let limits: DecompressionLimits
    public let options: WatchOptions
    public let reloads: ReloadRequests
    public let intake: IntakeSettings
    public let logger: Logger
    /// Hears every file besides the log: metrics, the status page, webhooks (`ferry watch --http`, `notify:`).
    public var listener: (any RunObserver & Sendable)?

    public init(workspace: Workspace, catalog: TemplateCatalog, limits: DecompressionLimits = DecompressionLimits(),
                options: WatchOptions = WatchOptions(), reloads: ReloadRequests = ReloadRequests(),
                intake: IntakeSettings = IntakeSettings(), logger: Logger) {
        self.intake = intake
        self.workspace = workspace
        self.catalog = catalog
        self.limits = limits
        self.options = options
        self.reloads = reloads
        self.logger = logger
    }

    private enum Event: Sendable {
        /// A full listing of the inbox is due.
        case rescan
        case changed(Set<String>)
        case templatesChanged
        case woken
        /// Time passed: deadlines may be due.
        case tick
        case finished(name: String, report: FileReport?, error: String?)
    }

    public func run() async throws {
        let started = UTCDateTime.now()
        try workspace.prepare()
        let lock = try WorkspaceLock(workspace: workspace)
        defer { withExtendedLifetime(lock) {} }
        let ledger = try Ledger(workspace: workspace)
        // One of several nodes: joins (waiting while another node recovers this one), recovers its own, then helps recover others.
        let lease = try NodeLease.join(workspace, ledger: ledger, settings: options.nodes, logger: logger)
        defer { lease?.leave() }
        try recover(ledger)
        try ledger.releaseAllClaims()
        lease?.startHousekeeping()
        CrashMarker.install(at: CrashMarker.path(inState: workspace.state))

        var usePolling = options.poll
        if case .network(let kind) = FilesystemKind.of(workspace.inbox) {
            usePolling = true
            logger.warning("the inbox is on a \(kind) file system: inotify cannot see writes from other machines, so Ferry polls; claiming by rename stays atomic within the share")
        }
        let templatesFolder = catalog.folder ?? catalog.forcedPath.map { ($0 as NSString).deletingLastPathComponent }
        let events = WatchEvents(inbox: workspace.inbox, templates: templatesFolder, useInotify: !usePolling)
        reloads.onRequest { events.wake() }
        logBroken(catalog.flows.compactMap(\.broken), lastGood: [])
        logOverlaps(involving: nil)
        logger.info("watching \(workspace.inbox)\(workspace.node.map { " as node \($0)" } ?? "")", metadata: [
            "templates": "\(templateList())",
            "mode": "\(events.watchesInbox ? "inotify + scan every \(options.scanInterval) s" : "polling every \(options.scanInterval) s")",
            "settle": "\(options.readiness.settleSeconds) s", "workers": "\(options.workers)",
            "done_marker": "\(options.readiness.requireDoneMarker)",
        ])
        writeState(started: started)

        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        let stopping = StopSignal()
        let ticker: @Sendable () -> Void = { [options] in
            let tick = min(options.scanInterval, 0.25)
            var lastScan = -Double.infinity
            while !stopping.isSet {
                let now = Scheduler.now()
                if now - lastScan >= options.scanInterval {
                    lastScan = now
                    continuation.yield(.rescan)
                }
                var batch = events.wait(timeoutMilliseconds: Int32(tick * 1000))
                if !batch.inboxNames.isEmpty {
                    // A file being written sends events without pause: gather them for a moment, so the
                    // loop looks at each name a few times a second, not at every write.
                    Thread.sleep(forTimeInterval: 0.05)
                    let more = events.wait(timeoutMilliseconds: 0)
                    batch.inboxNames.formUnion(more.inboxNames)
                    batch.overflowed = batch.overflowed || more.overflowed
                    batch.templatesChanged = batch.templatesChanged || more.templatesChanged
                    batch.woken = batch.woken || more.woken
                }
                if batch.overflowed { lastScan = -Double.infinity }
                if !batch.inboxNames.isEmpty { continuation.yield(.changed(batch.inboxNames)) }
                if batch.templatesChanged { continuation.yield(.templatesChanged) }
                if batch.woken { continuation.yield(.woken) }
                continuation.yield(.tick)
            }
        }

        let settings = RunSettings(workspace: workspace, templates: catalog.templates, forcedTemplate: catalog.forced, held: catalog.held,
                                   limits: limits, intake: intake)
        var processor = InputProcessor(settings: settings, ledger: ledger, maxInterruptions: options.maxInterruptions)
        processor.inService = true
        let index = InboxIndex(folder: workspace.inbox, policy: options.readiness, completeness: Completeness.check)
        index.inUseRecheck = options.scanInterval
        index.sighted = { file in try? ledger.sighted(name: file.name, size: file.size, modified: file.modified, firstSeen: Date().timeIntervalSince1970) }
        index.wasTaken = { name in (try? ledger.history(limit: 1, name: name).isEmpty == false) ?? false }
        Self.route(index, through: processor)
        var scheduler = Scheduler(index: index, logger: logger)
        scheduler.workerDone = { name in try? ledger.forgetSighting(name: name) }
        let log = LogObserver(logger: logger, progressEvery: options.progressInterval)
        let observer: any RunObserver & Sendable = listener.map { RunObserverGroup([log, $0]) } ?? log
        var reloadAt: Double?

        // Everything the watcher starts is a child of this group: the ticker and one task per file in hand. The
        // group ends when they have: files in hand are finished, and nothing outlives `run()`.
        await withDiscardingTaskGroup { workers in
            workers.addTask { await Self.offThePool(ticker) }
            for await event in stream {
                let now = Scheduler.now()
                switch event {
                case .finished(let name, let report, let error):
                    scheduler.finished(name, report: report, error: error, options: options, now: now)
                case .rescan:
                    do {
                        try index.rescan(now: now)
                    } catch {
                        logger.error("cannot list the inbox", metadata: ["error": "\(error)"])
                    }
                    // The safety net for template changes inotify did not report (and the only way when polling).
                    if reloadAt == nil && catalog.hasChanged() { reloadAt = now }
                case .changed(let names):
                    index.refresh(names, now: now)
                case .templatesChanged:
                    reloadAt = now + options.reloadDelay
                case .woken:
                    if reloads.take() {
                        logger.notice("SIGHUP: reading the templates again")
                        reloadAt = now
                    }
                case .tick:
                    break
                }
                if Task.isCancelled { break }
                if let due = reloadAt, now >= due {
                    reloadAt = nil
                    processor = reload(processor, started: started)
                    Self.route(index, through: processor)
                    scheduler.templatesChanged(now: now)
                }
                if scheduler.plansDue(now: now) { completeWaitingPlans(ledger, scheduler: &scheduler, now: now) }
                let ready = scheduler.dispatch(now: now, outbox: workspace.outbox, options: options) { name in
                    processor.partnerNames(of: name)
                }
                for (file, partners) in ready {
                    scheduler.started(file.name, partners: partners.map(\.name))
                    workers.addTask { [processor] in
                        await Self.offThePool {
                            do {
                                let report = try processor.process(file, partners: partners, observer: observer)
                                if let report { observer.fileFinished(report) }
                                continuation.yield(.finished(name: file.name, report: report, error: nil))
                            } catch {
                                continuation.yield(.finished(name: file.name, report: nil, error: "\(error)"))
                            }
                        }
                    }
                }
            }
            stopping.set()
            logger.info("stopping: finishing the files in hand", metadata: ["in_hand": "\(scheduler.inFlightCount)"])
        }
        continuation.finish()
        logger.info("stopped")
    }

    /// Runs blocking work (a file through the pipeline, the wait for inotify events) on a thread outside the
    /// few that run Swift tasks, so that neither holds one of them; the awaiting child task keeps its lifetime.
    private static func offThePool(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                work()
                done.resume()
            }
        }
    }

    /// Recovery at start, once no `ferry replay` is at work (it waits for them).
    private func recover(_ ledger: Ledger) throws {
        let recovered = try WorkspaceLock.withoutGuests(workspace, wait: true, waiting: {
            logger.notice("waiting for a ferry replay at work in this workspace to finish before recovering")
        }) {
            try Recovery(workspace: workspace, ledger: ledger).run()
        }
        guard let recovered else { return }
        for name in recovered.returned { logger.notice("returned to the inbox after an interrupted run", metadata: ["file": "\(FileName.display(name))"]) }
        for name in recovered.completed { logger.notice("completed an interrupted delivery from the ledger", metadata: ["file": "\(FileName.display(name))"]) }
        for report in recovered.lost { logger.warning("staged outputs lost before delivery", metadata: ["file": "\(FileName.display(report.name))", "reason": "\(report.error ?? "")"]) }
    }

    /// Completes delivery plans that wait (a full disk, permissions), unless a `ferry replay` is at work:
    /// its plans are its own.
    private func completeWaitingPlans(_ ledger: Ledger, scheduler: inout Scheduler, now: Double) {
        let busy = scheduler.busyNames
        do {
            let outcome = try WorkspaceLock.withoutGuests(workspace, wait: false) {
                try Recovery(workspace: workspace, ledger: ledger).completePlans(except: busy)
            }
            guard let outcome else {
                scheduler.plansCompleted(0, stillWaiting: true, options: options, now: now)
                return
            }
            for name in outcome.completed { logger.notice("completed a waiting delivery", metadata: ["file": "\(FileName.display(name))"]) }
            for report in outcome.lost { logger.warning("staged outputs lost before delivery", metadata: ["file": "\(FileName.display(report.name))", "reason": "\(report.error ?? "")"]) }
            let waiting = try ledger.unfinished().contains { !busy.contains($0.entry.name) }
            scheduler.plansCompleted(outcome.completed.count, stillWaiting: waiting, options: options, now: now)
        } catch {
            logger.warning("a waiting delivery is still blocked", metadata: ["error": "\(error)"])
            scheduler.plansCompleted(0, stillWaiting: true, options: options, now: now)
        }
    }

    /// Reads the templates again and says what changed; returns the processor for the new set.
    private func reload(_ processor: InputProcessor, started: UTCDateTime) -> InputProcessor {
        let changes = catalog.reload()
        if let unreadable = changes.unreadable {
            logger.error("cannot read the templates folder: keeping the templates loaded before", metadata: ["error": "\(unreadable)"])
            return processor
        }
        if !changes.added.isEmpty || !changes.changed.isEmpty || !changes.removed.isEmpty || !changes.fixed.isEmpty {
            var metadata: Logger.Metadata = [:]
            for (key, names) in [("added", changes.added), ("changed", changes.changed), ("removed", changes.removed), ("fixed", changes.fixed)]
            where !names.isEmpty {
                metadata[key] = "\(names.joined(separator: ","))"
            }
            logger.notice("templates reloaded", metadata: metadata)
        }
        logBroken(changes.disabled, lastGood: changes.keptLastGood)
        logOverlaps(involving: Set(changes.added + changes.changed + changes.fixed))
        writeState(started: started)
        return processor.using(templates: catalog.templates, forcedTemplate: catalog.forced, held: catalog.held)
    }

    private func logBroken(_ disabled: [BrokenTemplate], lastGood: [BrokenTemplate]) {
        for broken in lastGood {
            logger.error("template broken: its last good version goes on running until it is fixed",
                         metadata: ["template": "\(broken.name)", "error": "\(broken.error.description)"])
        }
        for broken in disabled {
            logger.error("template broken: its flow is disabled, its files wait in the inbox until it is fixed",
                         metadata: ["template": "\(broken.name)", "error": "\(broken.error.description)"])
        }
    }

    /// Templates whose `takes:` overlap send the files both take to failed/ ("more than one template
    /// matches"): said at start, and on a reload for the templates it loaded anew.
    private func logOverlaps(involving names: Set<String>?) {
        for overlap in TemplateCheck.overlaps(catalog.templates)
        where names.map({ $0.contains(overlap.first.name) || $0.contains(overlap.second.name) }) ?? true {
            logger.warning("templates overlap: a file both take goes to failed/ until their takes: differ", metadata: [
                "templates": "\(overlap.first.name),\(overlap.second.name)", "example": "\(overlap.sharedName)",
                "takes": "\(overlap.first.patterns.joined(separator: " ")) / \(overlap.second.patterns.joined(separator: " "))",
            ])
        }
    }

    private func templateList() -> String {
        if let forced = catalog.forced { return forced.name }
        return catalog.flows.map { flow in
            let patterns = flow.template?.patterns ?? flow.broken?.patterns ?? []
            return "\(flow.name) (\(patterns.joined(separator: ", ")))" + (flow.status == .active ? "" : " [\(flow.status.rawValue)]")
        }.joined(separator: "; ")
    }

    private func writeState(started: UTCDateTime) {
        do {
            try ServiceState(catalog: catalog, startedAt: started, options: options).write(to: workspace)
        } catch {
            logger.warning("cannot write the watcher's state for ferry status", metadata: ["error": "\(error)"])
        }
    }

    /// The index asks the processor's templates which files wait for a broken one, and in which order
    /// files are taken.
    private static func route(_ index: InboxIndex, through processor: InputProcessor) {
        index.heldReason = { name in processor.heldReason(for: name) }
        index.rank = { name in processor.rank(of: name) }
    }
}

/// Tells the ticker to end.
private final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
