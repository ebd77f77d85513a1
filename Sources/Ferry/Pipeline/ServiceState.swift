import Foundation

/// What a running `ferry watch` tells the other commands (`status`, `explain`): its templates — which
/// run, which run their last good version, which are disabled and why — and its settings. Written to
/// `.ferry/watch-state.json` at start and after every reload; believed only while that watcher holds
/// the workspace (`WorkspaceLock.owner`).
public struct ServiceState: Codable, Sendable, Equatable {
    public struct Flow: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        /// `active`, `last-good` or `disabled`.
        public var status: String
        /// The first 8 hex digits of the version in use.
        public var version: String?
        public var loadedAt: String
        public var error: String?
    }

    public var pid: Int32
    public var startedAt: String
    public var reloadedAt: String
    public var flows: [Flow]
    public var settleSeconds: Double
    public var doneMarker: Bool

    static func path(_ workspace: Workspace) -> String { workspace.root + "/.ferry/watch-state.json" }

    init(catalog: TemplateCatalog, startedAt: UTCDateTime, options: WatchOptions) {
        pid = getpid()
        self.startedAt = startedAt.iso8601
        reloadedAt = UTCDateTime.now().iso8601
        flows = catalog.flows.map { flow in
            Flow(name: flow.name, path: flow.path, status: flow.status.rawValue, version: flow.template.map { String($0.contentHash.prefix(8)) },
                 loadedAt: flow.loadedAt.iso8601, error: flow.broken?.error.description)
        }
        settleSeconds = options.readiness.settleSeconds
        doneMarker = options.readiness.requireDoneMarker
    }

    /// Replaces the file in one rename, so a reader never sees half of it.
    func write(to workspace: Workspace) throws {
        let data = try JSONEncoder().encode(self)
        let path = Self.path(workspace)
        try data.write(to: URL(fileURLWithPath: path + ".tmp"))
        guard rename(path + ".tmp", path) == 0 else { throw FileSystemError(operation: "write", path: path, code: errno) }
    }

    /// The running watcher's state, or nil when no watcher runs in the workspace.
    public static func current(_ workspace: Workspace) -> ServiceState? {
        guard let owner = WorkspaceLock.holder(of: workspace),
              let data = FileManager.default.contents(atPath: path(workspace)),
              let state = try? JSONDecoder().decode(ServiceState.self, from: data),
              owner == "pid \(state.pid)" else { return nil }
        return state
    }
}
