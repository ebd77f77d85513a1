#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import Foundation
import Ferry
import Logging
import Synchronization

/// `ferry watch`: the long-running service over the inbox.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch the inbox and process each file once it is complete, until SIGTERM or SIGINT.",
        discussion: """
        The first SIGTERM/SIGINT stops taking new files, finishes the ones in hand and exits 0; a second one \
        exits at once (still safe: the next start completes or returns what was in hand).
        """
    )

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var readiness: ReadinessOptions

    @Option(help: "Files processed at the same time (default: the number of cores).")
    var workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Flag(help: "Poll instead of using inotify (network file systems are detected and polled anyway).")
    var poll = false

    @Option(name: .customLong("scan-interval"), help: "Seconds between full scans of the inbox.")
    var scanInterval: Double = 2

    @Option(name: .customLong("max-outbox"), help: "Stop taking inputs while outbox/ holds more packages than this (0: no limit).")
    var maxOutbox: Int = 1000

    @Option(name: .customLong("max-interruptions"), help: "Quarantine content in failed/ after this many crashes while processing it.")
    var maxInterruptions: Int = 3

    @Flag(help: "Log each file as it starts, too.")
    var verbose = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard scanInterval > 0 else { throw ValidationError("--scan-interval must be above 0") }
    }

    func run() async throws {
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { _ in var handler = LogfmtHandler(); handler.logLevel = level; return handler }
        let logger = Logger(label: "ferry")
        // Signals are caught before anything is claimed, so a stop request is never lost.
        let stop = StopRequest()
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.request() == 1 {
                    logger.notice("signal received: finishing the files in hand (send it again to exit at once)")
                } else {
                    _exit(130)
                }
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }

        let config: WorkspaceConfig
        let templates: (all: [Template], forced: Template?)
        do {
            config = try options.config()
            templates = try options.loadTemplates()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(2)
        }
        var watch = WatchOptions()
        watch.readiness = readiness.policy
        watch.workers = workers
        watch.poll = poll
        watch.scanInterval = scanInterval
        watch.maxOutboxPackages = maxOutbox
        watch.maxInterruptions = maxInterruptions
        let watcher = Watcher(workspace: options.workspace, templates: templates.all, forcedTemplate: templates.forced,
                              limits: config.limits, options: watch, logger: logger)
        let task = Task { try await watcher.run() }
        stop.onRequest { task.cancel() }
        do {
            try await task.value
        } catch {
            logger.critical("stopped by an error: \(error)")
            throw ExitCode(2)
        }
    }
}

/// Counts stop requests and runs the cancellation once one has come (also if it came before).
private final class StopRequest: Sendable {
    private let state = Mutex<(count: Int, action: (@Sendable () -> Void)?)>((0, nil))

    /// Returns how many requests there have been, this one included.
    func request() -> Int {
        let (count, action) = state.withLock { state in
            state.count += 1
            return (state.count, state.count == 1 ? state.action : nil)
        }
        action?()
        return count
    }

    func onRequest(_ action: @escaping @Sendable () -> Void) {
        let alreadyRequested = state.withLock { state in
            state.action = action
            return state.count > 0
        }
        if alreadyRequested { action() }
    }
}

/// Options that decide when an inbox file counts as complete (watch and explain share them).
struct ReadinessOptions: ParsableArguments {
    @Option(help: "Seconds a file's size and time must stay unchanged, from when Ferry first saw them.")
    var settle: Double = 5

    @Flag(name: .customLong("done-marker"), help: "Take data.csv only once data.csv.done or data.csv.ok exists.")
    var doneMarker = false

    var policy: ReadinessPolicy {
        var policy = ReadinessPolicy()
        policy.settleSeconds = settle
        policy.requireDoneMarker = doneMarker
        return policy
    }
}
