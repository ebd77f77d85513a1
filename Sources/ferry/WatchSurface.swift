import Ferry
import FerryService
import Foundation
import Logging

/// What `ferry watch` shows outside: the HTTP endpoint (`--http` or `http:` in ferry.yaml) with metrics
/// and the status page, and the webhooks of `notify:`. Both hear every file through the watcher's listener.
struct WatchSurface {
    var server: HTTPServer?
    var notifier: WebhookNotifier?
    var listener: (any RunObserver & Sendable)?

    /// Starts what is configured; throws when the endpoint cannot listen (the address is taken or not one).
    static func start(workspace: Workspace, templatesFolder: String?, forcedTemplate: String?, http: HTTPSettings?,
                      notify: [WebhookSettings], settings: WatchSettings, logger: Logger) throws -> WatchSurface {
        var surface = WatchSurface()
        var observers: [any RunObserver & Sendable] = []
        if !notify.isEmpty {
            let notifier = WebhookNotifier(hooks: notify, workspaceRoot: workspace.root, logger: logger)
            surface.notifier = notifier
            observers.append(notifier)
            logger.info("webhooks", metadata: ["urls": "\(notify.map(\.url).joined(separator: ","))"])
        }
        if let http {
            guard let address = BindAddress(http.listen) else {
                throw HTTPServerError(address: http.listen, reason: "not an address: give host:port, such as 127.0.0.1:9464")
            }
            let token = try Self.token(file: http.tokenFile)
            let metrics = FerryMetrics()
            let board = ProgressBoard()
            observers += [metrics, board]
            let explainer: @Sendable () -> (@Sendable (String) -> [String])? = {
                Self.explainer(workspace: workspace, folder: templatesFolder, forced: forcedTemplate, settings: settings)
            }
            let endpoint = ServiceEndpoint(workspace: workspace, templatesFolder: forcedTemplate == nil ? templatesFolder : nil, metrics: metrics,
                                           board: board, address: address, token: token, explainer: explainer, logger: logger)
            let server = try HTTPServer(address: address) { endpoint.handle($0) }
            server.start()
            surface.server = server
            if !address.isLoopback && token == nil {
                logger.warning("the HTTP endpoint is not on loopback and has no token: retry from the status page is off (http: token_file, or FERRY_HTTP_TOKEN)")
            }
            logger.info("serving HTTP", metadata: ["url": "http://\(BindAddress(host: address.host, port: server.port))/",
                                                   "endpoints": "/metrics /healthz /readyz /"])
        }
        surface.listener = observers.isEmpty ? nil : RunObserverGroup(observers)
        return surface
    }

    func stop() {
        server?.stop()
        notifier?.stop()
    }

    /// The token for POSTs: FERRY_HTTP_TOKEN, or the first line of the token file.
    private static func token(file: String?) throws -> String? {
        if let token = ProcessInfo.processInfo.environment["FERRY_HTTP_TOKEN"], !token.isEmpty { return token }
        guard let file else { return nil }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
              let line = text.split(whereSeparator: \.isNewline).first, !line.isEmpty else {
            throw HTTPServerError(address: "", reason: "cannot read the token file \(file) (its first line is the token)")
        }
        return String(line)
    }

    /// `ferry explain` as the page needs it, with the templates as they load now.
    private static func explainer(workspace: Workspace, folder: String?, forced: String?, settings: WatchSettings) -> (@Sendable (String) -> [String])? {
        let loader = TemplateLoader()
        let templates: [Template], forcedTemplate: Template?, broken: [BrokenTemplate]
        if let forced {
            guard let template = try? loader.load(path: forced) else { return nil }
            (templates, forcedTemplate, broken) = ([], template, [])
        } else {
            guard let folder, let loaded = try? loader.loadEach(in: folder) else { return nil }
            (templates, forcedTemplate, broken) = (loaded.templates, nil, loaded.broken)
        }
        let explanation = InboxExplanation(workspace: workspace, templates: templates, forcedTemplate: forcedTemplate, broken: broken,
                                           service: ServiceState.current(workspace), policy: ReadinessPolicy(settings: settings),
                                           maxOutboxPackages: settings.maxOutbox, maxInterruptions: settings.maxInterruptions)
        return { name in (try? explanation.explain(name)) ?? [] }
    }
}
