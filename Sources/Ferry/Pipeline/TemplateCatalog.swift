#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The templates a running watcher works with, reloaded while it runs (on SIGHUP, and when the templates
/// folder changes). Each template file is a flow of its own: a broken one does not stop the others. A
/// template that breaks on reload keeps its last good version running; one that was never good is
/// disabled, and the files it takes wait in the inbox until it is fixed.
public final class TemplateCatalog: Sendable {
    /// One template file and what the watcher does with it.
    public struct Flow: Sendable {
        public var path: String
        public var name: String
        /// The version in use: the file's own, or its last good one; nil while the flow is disabled.
        public var template: Template?
        /// What is wrong with the file as it is now.
        public var broken: BrokenTemplate?
        /// When the version in use was loaded.
        public var loadedAt: UTCDateTime

        public enum Status: String, Sendable {
            case active
            /// Broken now; its last good version runs.
            case lastGood = "last-good"
            /// Broken and never good: its files wait.
            case disabled
        }

        public var status: Status { broken == nil ? .active : template == nil ? .disabled : .lastGood }
    }

    /// What a reload changed, for the log.
    public struct Changes: Sendable {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
        /// Broken templates whose last good version goes on running.
        public var keptLastGood: [BrokenTemplate] = []
        /// Broken templates with no good version: their flows wait.
        public var disabled: [BrokenTemplate] = []
        /// Templates that were broken and load again.
        public var fixed: [String] = []
        /// The folder could not be read: everything stays as it was.
        public var unreadable: TemplateError?

        public var isEmpty: Bool {
            added.isEmpty && changed.isEmpty && removed.isEmpty && keptLastGood.isEmpty && disabled.isEmpty && fixed.isEmpty && unreadable == nil
        }
    }

    private struct State {
        var flows: [String: Flow] = [:]
        var fingerprint: [String] = []
        /// Broken files already reported (path and hash of the problem), so a reload reports only news.
        var reported: [String: String] = [:]
    }

    /// The templates folder, or the one template every file goes to (`--template`).
    public let folder: String?
    public let forcedPath: String?
    private let state = Mutex(State())

    /// Loads every template of `folder`.
    public init(folder: String) throws(TemplateError) {
        self.folder = folder
        forcedPath = nil
        let changes = reload()
        if let unreadable = changes.unreadable { throw unreadable }
    }

    /// One template for every file; it must load at start.
    public init(forced path: String) throws(TemplateError) {
        folder = nil
        forcedPath = path
        _ = reload()
        if let broken = flows.first?.broken { throw broken.error }
    }

    public var flows: [Flow] { state.withLock { $0.flows.values.sorted { $0.name < $1.name } } }

    /// The templates in use (each file's own version, or its last good one).
    public var templates: [Template] { forcedPath == nil ? flows.compactMap(\.template) : [] }
    public var forced: Template? { forcedPath == nil ? nil : flows.first?.template }
    /// The disabled flows: their files wait.
    public var held: [BrokenTemplate] { flows.filter { $0.status == .disabled }.compactMap(\.broken) }

    /// True when a template file (or a lookup file beside it) was added, changed or removed since the
    /// last load: for polling, where no inotify says so.
    public func hasChanged() -> Bool {
        fingerprint() != state.withLock { $0.fingerprint }
    }

    /// Reads every template file again.
    @discardableResult
    public func reload() -> Changes {
        var changes = Changes()
        let print = fingerprint()
        let loaded: (templates: [Template], broken: [BrokenTemplate])
        do {
            if let forcedPath {
                let compiled = TemplateLoader().compile(path: forcedPath)
                if var first = compiled.problems.first {
                    first.additional = Array(compiled.problems.dropFirst())
                    loaded = ([], [BrokenTemplate(path: forcedPath, name: Self.name(of: forcedPath), error: first, patterns: nil)])
                } else {
                    loaded = (compiled.template.map { [$0] } ?? [], [])
                }
            } else {
                loaded = try TemplateLoader().loadEach(in: folder ?? ".")
            }
        } catch {
            changes.unreadable = error
            return changes
        }
        let now = UTCDateTime.now()
        state.withLock { state in
            var flows: [String: Flow] = [:]
            for template in loaded.templates {
                let old = state.flows[template.path]
                if old == nil {
                    changes.added.append(template.name)
                } else if old?.broken != nil {
                    changes.fixed.append(template.name)
                } else if old?.template?.contentHash != template.contentHash {
                    changes.changed.append(template.name)
                }
                let unchanged = old?.broken == nil && old?.template?.contentHash == template.contentHash
                flows[template.path] = Flow(path: template.path, name: template.name, template: template, broken: nil,
                                            loadedAt: unchanged ? old?.loadedAt ?? now : now)
                state.reported[template.path] = nil
            }
            for broken in loaded.broken {
                let old = state.flows[broken.path]
                let flow = Flow(path: broken.path, name: broken.name, template: old?.template, broken: broken, loadedAt: old?.loadedAt ?? now)
                flows[broken.path] = flow
                let problem = broken.error.description
                if state.reported[broken.path] != problem {
                    state.reported[broken.path] = problem
                    if flow.template != nil { changes.keptLastGood.append(broken) } else { changes.disabled.append(broken) }
                }
            }
            changes.removed = state.flows.keys.filter { flows[$0] == nil }.compactMap { state.flows[$0]?.name }.sorted()
            for path in state.flows.keys where flows[path] == nil { state.reported[path] = nil }
            state.flows = flows
            state.fingerprint = print
        }
        return changes
    }

    /// Names, sizes, times and inodes of the files the templates are read from.
    private func fingerprint() -> [String] {
        let folder = folder ?? ((forcedPath ?? ".") as NSString).deletingLastPathComponent
        guard let names = try? InboxIndex.list(folder) else { return [] }
        return names.sorted().compactMap { name -> String? in
            if let forcedPath, !(name.hasSuffix(".csv") || folder + "/" + name == forcedPath) { return nil }
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0 else { return nil }
            return "\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
        }
    }

    private static func name(of path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}
