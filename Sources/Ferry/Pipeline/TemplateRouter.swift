/// Chooses the template for an input (or a bundle member) by its name.
struct TemplateRouter: Sendable {
    let templates: [Template]
    let forced: Template?
    /// Templates that are broken and have no good version (a watcher's disabled flows): the files they
    /// take wait in the inbox instead of failing. One whose `takes:` cannot be read holds every file no
    /// working template takes.
    let held: [BrokenTemplate]
    /// The templates' `after:` order; nil when the entries form a cycle.
    let order: DependencyOrder?

    init(templates: [Template], forced: Template?, held: [BrokenTemplate] = []) {
        self.templates = templates
        self.forced = forced
        self.held = held
        order = try? DependencyOrder(templates: templates)
    }

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
        if let broken = heldBy(names) {
            return .failure(InputError(.templateUnavailable, InputLocation(file: displayName),
                                       "template \(broken.name) (\(broken.path)) is broken; the file waits in the inbox until it is fixed",
                                       hint: broken.error.description))
        }
        return .failure(InputError(.noTemplate, InputLocation(file: displayName), "no template matches this file name", hint: triedPatterns))
    }

    /// The broken template a file waits for, when no working template takes it.
    func heldBy(_ names: [String]) -> BrokenTemplate? {
        guard forced == nil, !held.isEmpty, !names.contains(where: { name in templates.contains { $0.takes(fileName: name) } }) else { return nil }
        return held.first { broken in
            guard let patterns = broken.patterns else { return true }
            return names.contains { Template.matches(patterns, fileName: $0) }
        }
    }

    /// Whether some template takes this name (a forced template takes every name; a broken one holds it).
    func takesAny(_ name: String) -> Bool {
        forced != nil || templates.contains { $0.takes(fileName: name) } || heldBy([name]) != nil
    }

    /// The file's place in the templates' `after:` order (files no template takes come last).
    func rank(of name: String) -> Int {
        guard let order, let template = try? template(for: [name], displayName: name).get() else { return Int.max }
        return order.rank(template)
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

    /// The partner names of a file, by its name.
    func partnerNames(of name: String) -> [String] {
        guard let template = try? template(for: [name], displayName: name).get() else { return [] }
        return partners(of: name, template: template)
    }

    /// The files in `inbox` that travel with `file` (see `partners(of:template:)`).
    func partnerFiles(of file: InboxFile, in inbox: [InboxFile]) -> [InboxFile] {
        let names = Set(partnerNames(of: file.name))
        return names.isEmpty ? [] : inbox.filter { names.contains($0.name) }
    }
}
