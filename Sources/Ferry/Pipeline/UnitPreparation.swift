/// The decode-transform-encode part for one input unit: a single data file, a bundle, or related
/// files dropped together. Shared by real runs and dry runs; delivery is the caller's.
struct UnitPreparation {
    let workspace: Workspace
    let router: TemplateRouter
    let limits: DecompressionLimits
    /// Keys learned from earlier deliveries, for `reference:` lookups.
    var learnedKeys: (any KeyResolver)? = nil

    func prepare(_ unit: [ClaimedFile], template: Template?, at time: UTCDateTime, observer: RunObserver,
                         outputSuffix: String, report: inout FileReport) throws -> PreparedOutputs {
        let claimed = unit[0]
        if unit.count > 1 {
            // Related files dropped together: one unit, their entities in one package.
            observer.fileStarted(report.name, size: unit.reduce(0) { $0 + $1.size }, template: nil)
            let members = unit.map { BundleMember(name: $0.name, path: $0.path, size: $0.size) }
            let stem = template?.wildcardCapture(in: claimed.name).map { String($0.drop { $0 == "-" || $0 == "_" }) }
            return try BundlePipeline(workspace: workspace, router: router, limits: limits, learnedKeys: learnedKeys)
                .prepare(members: members, unitName: report.name, inside: nil, stem: stem ?? claimed.stem,
                         at: time, observer: observer, report: &report)
        }
        if let bundle = try BundleKind.detect(path: claimed.path, displayName: claimed.name, limits: limits) {
            observer.fileStarted(claimed.name, size: claimed.size, template: nil)
            return try BundlePipeline(workspace: workspace, router: router, limits: limits, learnedKeys: learnedKeys)
                .prepare(claimed, kind: bundle, at: time, observer: observer, report: &report)
        }
        let chosen = try template ?? router.template(for: [claimed.name], displayName: claimed.name).get()
        report.template = chosen.name
        observer.fileStarted(claimed.name, size: claimed.size, template: chosen.name)
        let input = FilePipeline.Input(path: claimed.path, displayName: claimed.name, stem: claimed.stem + outputSuffix, size: claimed.size)
        var pipeline = FilePipeline(workspace: workspace, limits: limits)
        pipeline.learnedKeys = learnedKeys
        return try pipeline.prepare(input, with: chosen, at: time, observer: observer, report: &report)
    }
}
