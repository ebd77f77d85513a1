/// What a pass over the inbox works with, resolved once from the command line and ferry.yaml: the workspace,
/// the templates, the limits, the clock. `ferry run`, its dry run, `ferry replay` and each of the watcher's
/// batches hand one of these to the `InputProcessor` instead of the same list of parameters each.
public struct RunSettings: Sendable {
    public var workspace: Workspace
    public var templates: [Template]
    /// `--template`: this one template for every file, whatever its name.
    public var forcedTemplate: Template?
    /// Broken templates: a file one of them takes waits in the inbox (the watcher's disabled flows).
    public var held: [BrokenTemplate]
    public var limits: DecompressionLimits
    /// `--force`: deliver even when the same content was delivered before.
    public var force: Bool
    /// Which inputs are accepted at all (hard links).
    public var intake: IntakeSettings
    public var clock: @Sendable () -> UTCDateTime
    /// The node's lease, when this is one of several nodes on a shared ledger (`nodes:` in ferry.yaml).
    public var nodes = NodeSettings()
    /// Units `ferry run` delivers together on a SQLite ledger (`DeliveryBatch`); 1 delivers each on its own.
    public var deliveryBatch = 64

    public init(workspace: Workspace, templates: [Template], forcedTemplate: Template? = nil, held: [BrokenTemplate] = [],
                limits: DecompressionLimits = DecompressionLimits(), force: Bool = false, intake: IntakeSettings = IntakeSettings(),
                clock: @escaping @Sendable () -> UTCDateTime = UTCDateTime.now) {
        self.workspace = workspace
        self.templates = templates
        self.forcedTemplate = forcedTemplate
        self.held = held
        self.limits = limits
        self.force = force
        self.intake = intake
        self.clock = clock
    }

    /// Routes each file to the template that takes it.
    var router: TemplateRouter { TemplateRouter(templates: templates, forced: forcedTemplate, held: held) }
}
