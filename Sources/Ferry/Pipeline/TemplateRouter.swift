/// Chooses the template for an input (or a bundle member) by its name.
struct TemplateRouter: Sendable {
    let templates: [Template]
    let forced: Template?

    /// `names` are tried in order (a bundle member's file name, then its entity name from Manifest.xml).
    func template(for names: [String], displayName: String) -> Result<Template, InputError> {
        if let forced { return .success(forced) }
        for name in names {
            let matching = templates.filter { $0.takes(fileName: name) }
            if matching.count == 1 { return .success(matching[0]) }
            if matching.count > 1 {
                return .failure(InputError(.noTemplate, InputLocation(file: displayName),
                                           "more than one template matches this file name: \(matching.map(\.name).joined(separator: ", "))",
                                           hint: "make the templates' takes: patterns distinct"))
            }
        }
        return .failure(InputError(.noTemplate, InputLocation(file: displayName), "no template matches this file name", hint: triedPatterns))
    }

    /// Whether some template takes this name (a forced template takes every name).
    func takesAny(_ name: String) -> Bool {
        forced != nil || templates.contains { $0.takes(fileName: name) }
    }

    /// The patterns the templates take, for a file none of them takes.
    var triedPatterns: String {
        guard !templates.isEmpty else { return "there are no templates; add one to the templates folder" }
        let tried = templates.map { "\($0.name): \($0.patterns.joined(separator: ", "))" }.joined(separator: "; ")
        return "patterns tried: \(tried). Rename the file or add a pattern to a template's takes:"
    }

    /// For a file whose template shares a package with other templates (quotation headers and lines):
    /// the names its partner files would have — the partner template's pattern with the part the
    /// first file's `*` matched (`quotes-week48.csv` -> `quotedetails-week48.csv`).
    func partners(of name: String, template: Template) -> [String] {
        guard forced == nil, let package = template.packageName, let capture = template.wildcardCapture(in: name) else { return [] }
        return templates.filter { $0.packageName == package && $0.name != template.name }.compactMap { $0.fileName(forCapture: capture) }
    }

    /// The files in `inbox` that travel with `file` (see `partners(of:template:)`).
    func partnerFiles(of file: InboxFile, in inbox: [InboxFile]) -> [InboxFile] {
        guard let template = try? template(for: [file.name], displayName: file.name).get() else { return [] }
        let names = Set(partners(of: file.name, template: template))
        return inbox.filter { names.contains($0.name) }
    }
}
