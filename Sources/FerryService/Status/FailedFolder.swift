import Ferry
import Foundation

/// The inputs in failed/ with the reason and rejects report Ferry put beside each.
struct FailedFolder {
    let workspace: Workspace

    func inputs() -> [StatusSnapshot.FailedFile] {
        let names = workspace.names(in: workspace.failed)
        let sides = Set(names.filter { $0.hasSuffix(".error.txt") || $0.hasSuffix(".rejects.csv") })
        return names.filter { !$0.hasPrefix(".") && !sides.contains($0) }.sorted().map { name in
            var info = stat()
            let modified = stat(workspace.failed + "/" + name, &info) == 0 ? Double(info.st_mtim.tv_sec) : 0
            let rejects = sides.contains(name + ".rejects.csv") ? "failed/" + name + ".rejects.csv" : nil
            return StatusSnapshot.FailedFile(name: name, reason: reason(name, notes: sides), rejectsReport: rejects, modified: modified)
        }
    }

    /// The note's body: between its header lines and the closing "to try again" line.
    private func reason(_ name: String, notes: Set<String>) -> String {
        guard notes.contains(name + ".error.txt"),
              let text = try? String(contentsOfFile: workspace.failed + "/" + name + ".error.txt", encoding: .utf8) else {
            return "(no failure note beside it)"
        }
        let paragraphs = text.components(separatedBy: "\n\n")
        guard paragraphs.count >= 3 else { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
        return paragraphs.dropFirst().dropLast().joined(separator: "\n\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
