/// A file-level failure: the whole input goes to failed/ with this as its reason.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The bytes do not follow the format (unclosed quote, broken XML, truncated gzip).
        case malformed
        /// Bytes that are not valid in the declared text encoding.
        case encoding
        /// A size or safety limit was exceeded.
        case limit
        /// The header or structure does not fit the template (missing column).
        case schema
        /// More rows were rejected than the template allows.
        case tooManyRejects
        /// No template takes this file, or more than one does.
        case noTemplate
        /// Reading or writing failed in the operating system.
        case io
        /// The template that takes the file is broken: the file waits until it is fixed (not its fault).
        case templateUnavailable
    }

    public var kind: Kind
    public var location: InputLocation
    /// What is wrong, for the person who must fix the file.
    public var message: String
    /// What to do about it, when there is something useful to say.
    public var hint: String?

    public init(_ kind: Kind, _ location: InputLocation, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = "\(location): \(message)"
        if let hint { text += "\nHow to fix: \(hint)" }
        return text
    }
}
