import ArgumentParser
import Ferry

/// Options every subcommand shares: which workspace and which templates.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "The workspace: the folder holding inbox/, outbox/, archive/ and failed/ (default: the current folder; run and watch create missing ones).")
    var root: String?

    @Option(name: .long, help: "Folder of templates (default: <root>/templates, or `templates:` in <root>/ferry.yaml).")
    var templates: String?

    @Option(name: .long, help: "Use this one template file instead of the templates folder (run and watch apply it to every inbox file, whatever its name).")
    var template: String?

    var workspace: Workspace { Workspace(root: root ?? ".") }

    /// The workspace for a command that only reads: a missing one is reported (exit 2), never created.
    func existingWorkspace() throws -> Workspace {
        do {
            try workspace.checkExists()
        } catch {
            Console().error(error.description)
            throw ExitCode(2)
        }
        return workspace
    }

    /// The workspace's `ferry.yaml`, or the defaults.
    func config() throws -> WorkspaceConfig {
        try WorkspaceConfig.load(root: workspace.root)
    }

    /// The templates folder: `--templates`, `templates:` in ferry.yaml, or `<root>/templates`.
    func templatesFolder() throws -> String {
        try templates ?? config().templates ?? workspace.root + "/templates"
    }

    /// The templates to use: the forced one, or every template in the templates folder; any broken
    /// template stops the command (`ferry run`).
    func loadTemplates() throws -> (all: [Template], forced: Template?) {
        let loader = TemplateLoader()
        if let template {
            return ([], try loader.load(path: template))
        }
        return (try loader.loadFolder(templatesFolder()), nil)
    }

    /// The templates as a watcher sees them: each one that loads, and the broken ones beside them.
    func loadEachTemplate() throws -> (all: [Template], forced: Template?, broken: [BrokenTemplate]) {
        if let template {
            return ([], try TemplateLoader().load(path: template), [])
        }
        let loaded = try TemplateLoader().loadEach(in: templatesFolder())
        return (loaded.templates, nil, loaded.broken)
    }

    /// The watcher's templates, reloaded while it runs.
    func catalog() throws -> TemplateCatalog {
        if let template { return try TemplateCatalog(forced: template) }
        return try TemplateCatalog(folder: templatesFolder())
    }
}
