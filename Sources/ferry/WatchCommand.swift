#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import Foundation
import Ferry
import FerryService
import Logging
import Synchronization

/// `ferry watch`: the long-running service over the inbox.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch the inbox and process each file once it is complete, until SIGTERM or SIGINT.",
        discussion: """
        The first SIGTERM/SIGINT stops taking new files, finishes the ones in hand and exits 0; a second one \
        exits at once (still safe: the next start completes or returns what was in hand). SIGHUP reads the \
        templates again (so does a change in the templates folder); a broken template keeps its last good \
        version running, or, with none, holds its files in the inbox while the other flows go on.
        """
    )

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var settings: WatchSettingOptions
    @OptionGroup var nodeOption: NodeOption

    @Flag(help: "Log each file as it starts, too.")
    var verbose = false

    @Option(name: .customLong("progress-every"), help: "Seconds between progress lines of a long file in the log.")
    var progressEvery: Double = 10

    @Option(help: "Serve /metrics, /healthz, /readyz and the status page at / on this address, such as 127.0.0.1:9464 (overrides http: in ferry.yaml).")
    var http: String?

    func validate() throws {
        guard progressEvery > 0 else { throw ValidationError("--progress-every must be above 0") }
        if let http, BindAddress(http) == nil { throw ValidationError("--http takes host:port, such as 127.0.0.1:9464") }
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
        let reloads = ReloadRequests()
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangup.setEventHandler { reloads.request() }
        hangup.resume()
        defer { hangup.cancel() }

        let config: WorkspaceConfig
        let catalog: TemplateCatalog
        do {
            config = try options.config()
            catalog = try options.catalog()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(2)
        }
        let applied = settings.applied(to: config.watch)
        var watch = WatchOptions(settings: applied)
        watch.progressInterval = progressEvery
        watch.nodes = config.nodes
        let workspace = nodeOption.workspace(options, config: config)
        let surface: WatchSurface
        do {
            surface = try WatchSurface.start(workspace: options.workspace, templatesFolder: try? options.templatesFolder(), forcedTemplate: options.template,
                                             http: http.map { HTTPSettings(listen: $0, tokenFile: config.http?.tokenFile) } ?? config.http,
                                             notify: config.notify, settings: applied, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(2)
        }
        defer { surface.stop() }
        var configured = Watcher(workspace: workspace, catalog: catalog, limits: config.limits, options: watch,
                                 reloads: reloads, intake: config.intake, logger: logger)
        configured.listener = surface.listener
        let watcher = configured
        do {
            // The watcher and the wait for a stop request as one task group: whichever ends first ends the
            // other (a stop request cancels the watcher, which finishes the files in hand; a watcher that
            // stops by an error cancels the wait).
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await watcher.run() }
                group.addTask { await stop.wait() }
                if !config.sftp.isEmpty {
                    let exchanges = ExchangeLoop(exchange: SFTPExchange(workspace: options.workspace, settings: config.sftp), logger: logger)
                    group.addTask { await exchanges.run() }
                }
                try await group.next()
                group.cancelAll()
                try await group.waitForAll()
            }
        } catch {
            logger.critical("stopped by an error: \(error)")
            throw ExitCode(2)
        }
    }
}

/// Counts stop requests; `wait()` returns once one has come (also if it came before) or when its task is cancelled.
private final class StopRequest: Sendable {
    private struct State {
        var count = 0
        var cancelled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Returns how many requests there have been, this one included.
    func request() -> Int {
        let (count, waiter) = state.withLock { state in
            state.count += 1
            defer { state.waiter = nil }
            return (state.count, state.waiter)
        }
        waiter?.resume()
        return count
    }

    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.count > 0 || state.cancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}

/// The watcher's settings on the command line; each one given overrides `watch:` in ferry.yaml.
struct WatchSettingOptions: ParsableArguments {
    @OptionGroup var readiness: ReadinessOptions

    @Option(help: "Files processed at the same time (default: the number of cores).")
    var workers: Int?

    @Flag(inversion: .prefixedNo, help: "Poll instead of using inotify (network file systems are detected and polled anyway).")
    var poll: Bool?

    @Option(name: .customLong("scan-interval"), help: "Seconds between full scans of the inbox (default: 2).")
    var scanInterval: Double?

    @Option(name: .customLong("max-interruptions"), help: "Quarantine content in failed/ after this many crashes while processing it (default: 3).")
    var maxInterruptions: Int?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let scanInterval, scanInterval <= 0 { throw ValidationError("--scan-interval must be above 0") }
        if let maxInterruptions, maxInterruptions < 1 { throw ValidationError("--max-interruptions must be at least 1") }
    }

    func applied(to base: WatchSettings) -> WatchSettings {
        var settings = readiness.applied(to: base)
        if let workers { settings.workers = workers }
        if let poll { settings.poll = poll }
        if let scanInterval { settings.scanInterval = scanInterval }
        if let maxInterruptions { settings.maxInterruptions = maxInterruptions }
        return settings
    }
}

/// Options that decide when an inbox file is taken (watch and explain share them); each one given
/// overrides `watch:` in ferry.yaml.
struct ReadinessOptions: ParsableArguments {
    @Option(help: "Seconds a file's size and time must stay unchanged, from when Ferry first saw them (default: 5).")
    var settle: Double?

    @Flag(name: .customLong("done-marker"), inversion: .prefixedNo, help: "Take data.csv only once data.csv.done or data.csv.ok exists.")
    var doneMarker: Bool?

    @Option(name: .customLong("max-outbox"), help: "Stop taking inputs while outbox/ holds more packages than this (0: no limit; default: 1000).")
    var maxOutbox: Int?

    func validate() throws {
        if let settle, settle < 0 { throw ValidationError("--settle must be 0 or more") }
        if let maxOutbox, maxOutbox < 0 { throw ValidationError("--max-outbox must be 0 or more") }
    }

    func applied(to base: WatchSettings) -> WatchSettings {
        var settings = base
        if let settle { settings.settleSeconds = settle }
        if let doneMarker { settings.doneMarker = doneMarker }
        if let maxOutbox { settings.maxOutbox = maxOutbox }
        return settings
    }
}
