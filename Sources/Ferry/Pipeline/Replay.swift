import Foundation

/// `ferry replay`: runs an archived input again with the current (or a named) template into new
/// outputs whose names carry the template version, without touching the archived copy.
///
/// A replay is a guest in the workspace (`WorkspaceLock.Role.guest`): it works beside a running
/// `ferry watch` and never recovers anything. Its copy of the input is made in `.ferry/staging/`, where
/// an owner's recovery removes it should the replay be killed before its delivery was planned.
public struct Replay: Sendable {
    public let workspace: Workspace
    public let templates: [Template]
    /// Broken templates: a file one of them takes is not replayed.
    public let held: [BrokenTemplate]
    public let limits: DecompressionLimits

    public init(workspace: Workspace, templates: [Template], held: [BrokenTemplate] = [], limits: DecompressionLimits = DecompressionLimits()) {
        self.workspace = workspace
        self.templates = templates
        self.held = held
        self.limits = limits
    }

    /// `input` is a path to an archived file, its name in archive/ (the newest of that name), or the
    /// ledger id of the entry that archived it.
    public func run(_ input: String, template: Template?, observer: RunObserver = SilentObserver()) throws -> FileReport {
        try workspace.prepare()
        let lock = try WorkspaceLock(workspace: workspace, role: .guest)
        defer { withExtendedLifetime(lock) {} }
        let ledger = try Ledger(workspace: workspace)
        let archivedPath = try locate(input, ledger: ledger)
        CrashMarker.install(at: CrashMarker.path(inState: workspace.state))
        let name = (archivedPath as NSString).lastPathComponent
        let router = TemplateRouter(templates: templates, forced: template, held: held)
        if case .failure(let error) = router.template(for: [name], displayName: name), error.kind == .templateUnavailable {
            guard let broken = router.heldBy([name]) else { throw error }
            throw InputError(.templateUnavailable, InputLocation(file: name),
                             "template \(broken.name) (\(broken.path)) is broken, so this input is not replayed; the archived copy is untouched",
                             hint: "\(broken.error.description); fix the template (ferry check shows every problem), then run the replay again")
        }
        let chosen = try? router.template(for: [name], displayName: name).get()
        let version = String((chosen?.contentHash ?? "bundle").prefix(8))
        let copy = workspace.staging + "/replay-" + UUIDString.make() + "-" + name
        let size = try Self.copy(archivedPath, to: copy)
        var claimed = ClaimedFile(name: name, path: copy, size: size)
        claimed.returnable = false
        // A replay is asked for by a person: a crash count of the original does not quarantine it.
        let settings = RunSettings(workspace: workspace, templates: templates, forcedTemplate: template, held: held, limits: limits, force: true)
        let processor = InputProcessor(settings: settings, ledger: ledger, maxInterruptions: Int.max)
        return try processor.process([claimed], observer: observer, outputSuffix: "-replay-\(version)")
    }

    /// Copies a file byte for byte under names that need not be UTF-8; returns its size.
    private static func copy(_ source: String, to destination: String) throws -> Int64 {
        let input = try FileByteSource(path: source, displayName: source)
        let output = try OutputFile(creating: destination)
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        while case let count = try buffer.withUnsafeMutableBytes({ try input.read(into: $0) }), count > 0 {
            try buffer.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        try output.syncAndClose()
        return output.size
    }

    /// The archived file `input` names: a path (as given, or below the workspace), a ledger id, or a
    /// bare name (the newest archived file of that name, by the ledger, else by the archive's day folders).
    func locate(_ input: String, ledger: Ledger) throws -> String {
        for candidate in [input, workspace.root + "/" + input] where SystemCall.exists(candidate) {
            return candidate
        }
        if let id = Int64(input) {
            guard let entry = try ledger.entry(id) else {
                throw InputError(.io, InputLocation(file: input), "the ledger has no entry \(id)", hint: "ferry history lists the entries")
            }
            guard let path = entry.inputNowAt, path.hasPrefix(workspace.archive + "/"), SystemCall.exists(path) else {
                throw InputError(.io, InputLocation(file: entry.name), "ledger entry \(id) (\(entry.name), \(entry.state.rawValue)) has no input in archive/"
                                    + (entry.inputNowAt.map { "; it is at \($0)" } ?? ""),
                                 hint: entry.state == .failed ? "a failed input goes back with `ferry retry \(entry.name)`" : nil)
            }
            return path
        }
        let name = (input as NSString).lastPathComponent
        if let path = try ledger.history(limit: 50, name: name).lazy.compactMap(\.inputNowAt)
            .first(where: { $0.hasPrefix(self.workspace.archive + "/") && SystemCall.exists($0) }) {
            return path
        }
        let days = ((try? FileManager.default.contentsOfDirectory(atPath: workspace.archive)) ?? []).sorted(by: >)
        if let day = days.first(where: { SystemCall.exists(workspace.archive + "/" + $0 + "/" + name) }) {
            return workspace.archive + "/" + day + "/" + name
        }
        throw InputError(.io, InputLocation(file: name), "no archived input named \(name)",
                         hint: "give its path (archive/<day>/\(name)) or its ledger id; ferry history --name \(name) lists its entries")
    }
}
