/// Names of the files Ferry writes: `<target name>-<input stem>-<UTC time>`, each part made safe for
/// a file name (no spaces, no characters shells, URLs or importers trip over), so an F&O package member
/// named `Sellable released products.csv` gives `...-Sellable-released-products-...`.
public enum OutputName {
    /// The parts as a slug each, joined by `-`: letters and digits (any script), `.` and `_` are kept,
    /// every other run of characters becomes one `-`.
    public static func compose(_ parts: String...) -> String {
        parts.map(slug).filter { !$0.isEmpty }.joined(separator: "-")
    }

    public static func slug(_ text: String) -> String {
        var result = ""
        var pendingDash = false
        for character in text {
            if character.isLetter || character.isNumber || character == "." || character == "_" {
                if pendingDash && !result.isEmpty { result.append("-") }
                pendingDash = false
                result.append(character)
            } else {
                pendingDash = true
            }
        }
        return result
    }
}
