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

/// `ferry watch`: a long-running service over the inbox. Takes each file once it is complete,
/// processes up to `workers` files at a time, and stops cleanly when its task is cancelled
/// (SIGTERM): files in hand are finished, nothing new is taken.
public struct Watcher: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    public let forcedTemplate: Template?
    public let limits: DecompressionLimits
    public let options: WatchOptions
    public let intake: IntakeSettings
    public let logger: Logger

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil,
                limits: DecompressionLimits = DecompressionLimits(), options: WatchOptions = WatchOptions(),
                intake: IntakeSettings = IntakeSettings(), logger: Logger) {
        self.intake = intake
        self.workspace = workspace
        self.templates = templates
        self.forcedTemplate = forcedTemplate
        self.limits = limits
        self.options = options
        self.logger = logger
    }

    private enum Event: Sendable {
        case scan
        case finished(name: String, report: FileReport?, error: String?)
    }

    public func run() async throws {
        try workspace.prepare()
        let lock = try WorkspaceLock(workspace: workspace)
        defer { withExtendedLifetime(lock) {} }
        let ledger = try Ledger(workspace: workspace)
        let recovered = try Recovery(workspace: workspace, ledger: ledger).run()
        for name in recovered.returned { logger.notice("returned to the inbox after an interrupted run", metadata: ["file": "\(name)"]) }
        for name in recovered.completed { logger.notice("completed an interrupted delivery from the ledger", metadata: ["file": "\(name)"]) }
        for report in recovered.lost { logger.warning("staged outputs lost before delivery", metadata: ["file": "\(report.name)", "reason": "\(report.error ?? "")"]) }

        var usePolling = options.poll
        if case .network(let kind) = FilesystemKind.of(workspace.inbox) {
            usePolling = true
            logger.warning("the inbox is on a \(kind) file system: inotify cannot see writes from other machines, so Ferry polls; claiming by rename stays atomic within the share")
        }
        let inotify = usePolling ? nil : InboxEvents(folder: workspace.inbox)
        let templateList = forcedTemplate.map { [$0.name] } ?? templates.map { "\($0.name) (\($0.patterns.joined(separator: ", ")))" }
        logger.info("watching \(workspace.inbox)", metadata: [
            "templates": "\(templateList.joined(separator: "; "))",
            "mode": "\(inotify == nil ? "polling every \(options.scanInterval) s" : "inotify + scan every \(options.scanInterval) s")",
            "settle": "\(options.readiness.settleSeconds) s", "workers": "\(options.workers)",
            "done_marker": "\(options.readiness.requireDoneMarker)",
        ])

        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let stopping = StopSignal()
        let interval = options.scanInterval
        let ticker = Thread {
            continuation.yield(.scan)
            while !stopping.isSet {
                if let inotify {
                    _ = inotify.wait(timeoutMilliseconds: Int32(interval * 1000))
                } else {
                    Thread.sleep(forTimeInterval: interval)
                }
                continuation.yield(.scan)
            }
        }
        ticker.start()

        let processor = InputProcessor(workspace: workspace, ledger: ledger, templates: templates, forcedTemplate: forcedTemplate,
                                       limits: limits, maxInterruptions: options.maxInterruptions, intake: intake)
        let workers = DispatchQueue(label: "ferry.workers", attributes: .concurrent)
        let working = DispatchGroup()
        let observer = LogObserver(logger: logger, progressEvery: options.progressInterval)
        var scheduler = Scheduler(policy: options.readiness, ledger: ledger, logger: logger)

        for await event in events {
            switch event {
            case .finished(let name, let report, let error):
                scheduler.finished(name, report: report, error: error, options: options)
            case .scan:
                break
            }
            if Task.isCancelled { break }
            if scheduler.plansDue() {
                do {
                    let outcome = try Recovery(workspace: workspace, ledger: ledger).completePlans(except: scheduler.inFlightNames)
                    for name in outcome.completed { logger.notice("completed a waiting delivery", metadata: ["file": "\(name)"]) }
                    for report in outcome.lost { logger.warning("staged outputs lost before delivery", metadata: ["file": "\(report.name)", "reason": "\(report.error ?? "")"]) }
                    scheduler.plansCompleted(outcome.completed.count, stillWaiting: try !ledger.unfinished().filter { !scheduler.inFlightNames.contains($0.entry.name) }.isEmpty, options: options)
                } catch {
                    logger.warning("a waiting delivery is still blocked", metadata: ["error": "\(error)"])
                    scheduler.plansCompleted(0, stillWaiting: true, options: options)
                }
            }
            let ready = try scheduler.scan(inbox: Inbox(workspace: workspace), outbox: workspace.outbox, options: options,
                                           partners: processor.partners(of:in:))
            for (file, partners) in ready {
                scheduler.started(file.name, partners: partners.map(\.name))
                working.enter()
                workers.async {
                    defer { working.leave() }
                    do {
                        let report = try processor.process(file, partners: partners, observer: observer)
                        if let report { observer.fileFinished(report) }
                        Scheduler.removeMarkers(of: file)
                        continuation.yield(.finished(name: file.name, report: report, error: nil))
                    } catch {
                        continuation.yield(.finished(name: file.name, report: nil, error: "\(error)"))
                    }
                }
            }
        }

        stopping.set()
        logger.info("stopping: finishing the files in hand", metadata: ["in_hand": "\(scheduler.inFlightCount)"])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            working.notify(queue: .global()) { done.resume() }
        }
        continuation.finish()
        logger.info("stopped")
    }
}

/// Tells the ticker thread to end.
private final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
