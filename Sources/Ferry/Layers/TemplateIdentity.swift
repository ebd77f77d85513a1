/// Which template, and which version of it, took an input: what the ledger and failure notes record.
public struct TemplateIdentity: Sendable, Equatable {
    public var name: String
    /// The template file.
    public var path: String
    /// Digest of the template's text: a changed template is a new version.
    public var contentHash: String
}
