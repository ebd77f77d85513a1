/// The sink of a run (dry run and replay too): rows are written into the template's outputs in staging,
/// rejected records into a rejects report, and what every record teaches (`learn:`) is kept.
struct RunSink: RowSink {
    let input: FilePipeline.Input
    let transformer: RowTransformer
    let outputs: TemplateOutputs
    let learned: StagedLearnedKeys
    let stagingFolder: String
    let observer: RunObserver
    var report: FileReport
    /// Created at the first rejected record.
    var rejects: RejectsReport? = nil

    private var template: Template { transformer.template }

    func deliver(_ record: SourceRecord, rows: [SourceRecord], applies: [Bool]) throws -> RowTransformer.Outcome {
        if let (target, unencodable) = outputs.unencodable(rows, applies: applies) {
            return .rejected([transformer.problem(unencodable, target: target, in: record)])
        }
        for target in applies.indices where applies[target] {
            do {
                try outputs.write(rows[target], target: target)
            } catch let unencodable as UnencodableValue {
                return .rejected([transformer.problem(unencodable, target: target, in: record)])
            }
        }
        return .rows
    }

    mutating func decided(_ record: SourceRecord, _ outcome: RowTransformer.Outcome, bytesRead: Int64) throws {
        report.rowsRead += 1
        switch outcome {
        case .rows:
            if !template.learn.isEmpty { try transformer.learn(from: record, delivered: true, into: learned) }
        case .filtered:
            report.rowsFiltered += 1
            if !template.learn.isEmpty { try transformer.learn(from: record, delivered: false, into: learned) }
        case .rejected(let problems):
            report.rowsRejected += 1
            if !template.learn.isEmpty { try transformer.learn(from: record, delivered: false, into: learned) }
            if rejects == nil { rejects = try RejectsReport(stagingFolder: stagingFolder) }
            try rejects?.add(problems)
            if template.rejectLimit.isExceededForGood(rejected: report.rowsRejected) {
                throw tooManyRejects(stoppedAt: record.line)
            }
        }
        if report.rowsRead % FilePipeline.progressInterval == 0 {
            observer.progress(input.displayName, bytesRead: bytesRead, size: input.size, rows: report.rowsRead)
        }
    }

    /// Fails the input when more rows were rejected than the template allows.
    func checkRejectLimit() throws {
        let considered = report.rowsRead - report.rowsFiltered
        if template.rejectLimit.isExceeded(rejected: report.rowsRejected, total: considered) {
            throw tooManyRejects(stoppedAt: nil)
        }
    }

    private func tooManyRejects(stoppedAt line: Int?) -> InputError {
        let considered = report.rowsRead - report.rowsFiltered
        var message = "\(report.rowsRejected) of \(considered) rows were rejected, more than the template allows (max_rejects: \(template.rejectLimit.description))"
        if let line { message += "; reading stopped at line \(line)" }
        return InputError(.tooManyRejects, InputLocation(file: input.displayName), message,
                          hint: "the rejects report beside this file lists each row and reason; fix the data or the template (or raise max_rejects)")
    }
}
