/// The `<input>.error.txt` written beside a failed input: what went wrong, where, and what to do.
enum FailureNote {
    /// What to do next; `<name>` stands for the input's name.
    static let tryAgain = "To try again, fix the file (or the template) and run `ferry retry <name>` (or put it back into inbox/)."

    static func text(file: String, template: TemplateIdentity?, error: String, at time: UTCDateTime, hint: String = tryAgain) -> String {
        var lines = ["File:     \(FileName.display(file))", "Failed:   \(time.iso8601)"]
        if let template { lines.append("Template: \(template.name) (\(template.path))") }
        lines.append("")
        lines.append(error)
        lines.append("")
        lines.append(hint.replacingAll("<name>", with: file))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the note into staging, synced; returns its path for the move plan.
    static func stage(_ text: String, stagingFolder: String) throws -> String {
        let staged = try StagedFile(in: stagingFolder, suffix: "txt")
        try staged.file.write(Array(text.utf8))
        return try staged.detach()
    }
}
