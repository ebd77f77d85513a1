import Foundation

/// `ferry replay`: runs an archived input again with the current (or a named) template into new
/// outputs whose names carry the template version, without touching the archived copy.
public struct Replay: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    public let limits: DecompressionLimits

    public init(workspace: Workspace, templates: [Template], limits: DecompressionLimits = DecompressionLimits()) {
        self.workspace = workspace
        self.templates = templates
        self.limits = limits
    }

    public func run(_ archivedPath: String, template: Template?, observer: RunObserver = SilentObserver()) throws -> FileReport {
        try workspace.prepare()
        let lock = try WorkspaceLock(workspace: workspace)
        defer { withExtendedLifetime(lock) {} }
        let name = (archivedPath as NSString).lastPathComponent
        guard FileManager.default.fileExists(atPath: archivedPath) else {
            throw InputError(.io, InputLocation(file: name), "no such file: \(archivedPath)")
        }
        let router = TemplateRouter(templates: templates, forced: template)
        let chosen = try? router.template(for: [name], displayName: name).get()
        let version = String((chosen?.contentHash ?? "bundle").prefix(8))
        let workName = MoveExecutor.freeName(in: workspace.work, for: name)
        let copy = workspace.work + "/" + workName
        try FileManager.default.copyItem(atPath: archivedPath, toPath: copy)
        let size = (try? FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int64) ?? 0
        let claimed = ClaimedFile(name: workName, path: copy, size: size ?? 0)
        let processor = InputProcessor(workspace: workspace, ledger: try Ledger(workspace: workspace), templates: templates,
                                       forcedTemplate: template, limits: limits, force: true)
        return try processor.process([claimed], observer: observer, outputSuffix: "-replay-\(version)")
    }
}
