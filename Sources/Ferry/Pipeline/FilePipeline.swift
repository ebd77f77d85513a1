/// Runs one claimed input through the stages: decode -> transform -> encode -> deliver.
///
/// The input is read once, as a stream; outputs are staged and published only when complete.
public struct FilePipeline: Sendable {
    public let workspace: Workspace
    /// Rows between progress reports.
    static let progressInterval = 16_384

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// Processes `claimed` with `template`. Throws `InputError` when the input is at fault (it goes
    /// to failed/) and any other error when the fault lies elsewhere (the input is kept for a retry).
    /// Outputs are committed before the function returns; the caller archives the input.
    func process(_ claimed: ClaimedFile, with template: Template, at time: UTCDateTime,
                 observer: RunObserver, report: inout FileReport) throws {
        let source = try FileByteSource(path: claimed.path, displayName: claimed.name)
        let decoder = try template.source.makeDecoder(reading: source, fileName: claimed.name)
        let transformer = try RowTransformer(template: template, columns: decoder.columns, fileName: claimed.name)
        let writer = try template.target.makeWriter(fields: transformer.targetFields, stagingFolder: workspace.staging,
                                                    created: time, sourceName: claimed.name)
        var rejects: RejectsReport?
        var record = SourceRecord()
        var row: [String] = []
        row.reserveCapacity(transformer.targetFields.count)

        do {
            while try decoder.next(into: &record) {
                report.rowsRead += 1
                switch transformer.transform(record, into: &row) {
                case .row:
                    try writer.write(row: row)
                case .filtered:
                    report.rowsFiltered += 1
                case .rejected(let problems):
                    report.rowsRejected += 1
                    if rejects == nil { rejects = try RejectsReport(stagingFolder: workspace.staging) }
                    try rejects?.add(problems)
                    if template.rejectLimit.isExceededForGood(rejected: report.rowsRejected) {
                        throw tooManyRejects(claimed, template, report, stoppedAt: record.line)
                    }
                }
                if report.rowsRead % Self.progressInterval == 0 {
                    observer.progress(claimed.name, bytesRead: decoder.bytesConsumed, size: claimed.size, rows: report.rowsRead)
                }
            }
            let considered = report.rowsRead - report.rowsFiltered
            if template.rejectLimit.isExceeded(rejected: report.rowsRejected, total: considered) {
                throw tooManyRejects(claimed, template, report, stoppedAt: nil)
            }
        } catch let error as InputError {
            // Keep the rejected rows beside the failed input: they explain the failure.
            if let rejects { report.rejectsReport = try? rejects.commit(into: workspace.failed, name: "\(claimed.name).rejects.csv") }
            throw error
        }

        let staged = try writer.finish()
        report.rowsWritten = writer.rowsWritten
        let outputName = "\(template.target.outputName)-\(claimed.stem)-\(time.compact)"
        if writer.rowsWritten > 0 {
            report.outputs.append(try staged.commit(into: workspace.outbox, name: "\(outputName).\(writer.fileExtension)"))
        } else {
            staged.discard()
            observer.notice("\(claimed.name): no rows left to deliver after filtering and rejects; no package written")
        }
        if let rejects {
            report.rejectsReport = try rejects.commit(into: workspace.reports, name: "\(outputName).rejects.csv")
        }
    }

    private func tooManyRejects(_ claimed: ClaimedFile, _ template: Template, _ report: FileReport, stoppedAt line: Int?) -> InputError {
        let considered = report.rowsRead - report.rowsFiltered
        var message = "\(report.rowsRejected) of \(considered) rows were rejected, more than the template allows (max_rejects: \(template.rejectLimit.description))"
        if let line { message += "; reading stopped at line \(line)" }
        return InputError(.tooManyRejects, InputLocation(file: claimed.name), message,
                          hint: "see \(claimed.name).rejects.csv beside this file for each row and reason; fix the data or the template (or raise max_rejects)")
    }
}
