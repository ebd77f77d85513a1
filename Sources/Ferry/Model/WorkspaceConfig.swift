import Foundation
import Yams

/// The optional `ferry.yaml` at a workspace's root: settings that would otherwise be repeated on every command line.
///
/// ```yaml
/// version: 1
/// templates: samples/templates   # relative to the workspace root
/// ```
public struct WorkspaceConfig: Sendable, Equatable {
    public static let fileName = "ferry.yaml"

    /// The templates folder, absolute.
    public var templates: String?

    /// Reads `<root>/ferry.yaml` when it exists.
    public static func load(root: String) throws(TemplateError) -> WorkspaceConfig {
        let path = root + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return WorkspaceConfig() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TemplateError(file: path, "the workspace config is not UTF-8 text")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw TemplateError(file: path, "cannot read the YAML: \(error)")
        }
        guard let mapping = node?.mapping else { return WorkspaceConfig() }
        var config = WorkspaceConfig()
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            switch name {
            case "version":
                guard value.scalar?.string == "1" else {
                    throw TemplateError(file: path, line: value.mark?.line, column: value.mark?.column, "version must be 1")
                }
            case "templates":
                guard let folder = value.scalar?.string, !folder.isEmpty else {
                    throw TemplateError(file: path, line: value.mark?.line, column: value.mark?.column, "templates must be a folder path")
                }
                config.templates = folder.hasPrefix("/") ? folder : root + "/" + folder
            default:
                throw TemplateError(file: path, line: key.mark?.line, column: key.mark?.column,
                                    "unknown key \"\(name)\"", hint: "known keys: version, templates")
            }
        }
        return config
    }
}
