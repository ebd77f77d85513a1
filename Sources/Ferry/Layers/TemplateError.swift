/// A problem in a template file, found when it is loaded; the template is refused.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String
    public var hint: String?
    /// Further problems in the same template (all are reported at once).
    public var additional: [TemplateError] = []

    /// This problem and the others found with it.
    public var all: [TemplateError] {
        var first = self
        first.additional = []
        return [first] + additional
    }

    public init(file: String, line: Int? = nil, column: Int? = nil, _ message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        var text = "\(place): \(message)"
        if let hint { text += " (hint: \(hint))" }
        for more in additional { text += "\n" + more.description }
        return text
    }
}
