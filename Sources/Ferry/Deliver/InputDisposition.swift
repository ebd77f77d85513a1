/// Where a claimed input goes when its processing ends: archive/<day>/ or failed/ with a reason.
struct InputDisposition: Sendable {
    let workspace: Workspace

    /// Moves the input into today's archive folder; returns its new path.
    func archive(_ claimed: ClaimedFile, at time: UTCDateTime) throws -> String {
        let folder = workspace.archive + "/" + time.day8601
        try Workspace.makeFolder(folder)
        return try FileMover.moveNoReplace(claimed.path, into: folder, name: claimed.name)
    }

    /// Moves the input into failed/ and writes `<name>.error.txt` beside it; returns the input's new path.
    func fail(_ claimed: ClaimedFile, template: Template?, reason: String, at time: UTCDateTime) throws -> String {
        let destination = try FileMover.moveNoReplace(claimed.path, into: workspace.failed, name: claimed.name)
        let finalName = String(destination.split(separator: "/").last ?? Substring(claimed.name))
        let note = FailureNote.text(file: claimed.name, template: template, error: reason, at: time)
        try FailureNote.write(note, stagingFolder: workspace.staging, into: workspace.failed, name: "\(finalName).error.txt")
        return destination
    }
}
