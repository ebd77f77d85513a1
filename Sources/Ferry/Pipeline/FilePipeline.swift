/// Runs one data file through the stages: decode -> transform -> encode, leaving its outputs
/// complete in staging. Delivery (`PreparedOutputs.commit`) makes them visible.
public struct FilePipeline: Sendable {
    public let workspace: Workspace
    public let limits: DecompressionLimits
    /// Rows between progress reports.
    static let progressInterval = 16_384

    public init(workspace: Workspace, limits: DecompressionLimits = DecompressionLimits()) {
        self.workspace = workspace
        self.limits = limits
    }

    /// One data file to process.
    struct Input {
        /// Where its bytes are.
        var path: String
        /// How reports name it (`accounts.csv`, or `drop.zip/Customers V3.csv` for a bundle member).
        var displayName: String
        /// Output names are built from this (`accounts` for `accounts.csv.gz`).
        var stem: String
        var size: Int64
    }

    /// Throws `InputError` when the input is at fault, any other error when the fault lies elsewhere.
    func prepare(_ input: Input, with template: Template, at time: UTCDateTime,
                 observer: RunObserver, report: inout FileReport) throws -> PreparedOutputs {
        let file = try FileByteSource(path: input.path, displayName: input.displayName)
        let stack = DecoderStack(fileName: input.displayName, options: template.source, columns: template.sourceColumns, limits: limits)
        let decoder = try stack.open(file)
        let transformer = try RowTransformer(template: template, columns: decoder.columns, fileName: input.displayName)
        let writer = try template.target.makeWriter(fields: transformer.targetFields, stagingFolder: workspace.staging,
                                                    created: time, sourceName: input.displayName)
        let outputName = "\(template.target.outputName)-\(input.stem)-\(time.compact)"
        let prepared = PreparedOutputs(workspace: workspace)
        var rejects: RejectsReport?
        var record = SourceRecord()
        var row: [String] = []
        row.reserveCapacity(transformer.targetFields.count)

        do {
            while try decoder.next(into: &record) {
                report.rowsRead += 1
                var outcome = transformer.transform(record, into: &row)
                if outcome == .row {
                    do {
                        try writer.write(row: row)
                    } catch let unencodable as UnencodableValue {
                        outcome = .rejected([transformer.problem(unencodable, in: record)])
                    }
                }
                switch outcome {
                case .row:
                    break
                case .filtered:
                    report.rowsFiltered += 1
                case .rejected(let problems):
                    report.rowsRejected += 1
                    if rejects == nil { rejects = try RejectsReport(stagingFolder: workspace.staging) }
                    try rejects?.add(problems)
                    if template.rejectLimit.isExceededForGood(rejected: report.rowsRejected) {
                        throw tooManyRejects(input, template, report, stoppedAt: record.line)
                    }
                }
                if report.rowsRead % Self.progressInterval == 0 {
                    observer.progress(input.displayName, bytesRead: decoder.bytesConsumed, size: input.size, rows: report.rowsRead)
                }
            }
            let considered = report.rowsRead - report.rowsFiltered
            if template.rejectLimit.isExceeded(rejected: report.rowsRejected, total: considered) {
                throw tooManyRejects(input, template, report, stoppedAt: nil)
            }
        } catch let error as InputError {
            // The rejected rows explain the failure: they go beside the failed input.
            throw PreparedFailure(error: error, rejectsPath: try rejects?.staged.detach())
        }

        let staged = try writer.finish()
        report.rowsWritten = writer.rowsWritten
        if writer.rowsWritten > 0 {
            prepared.add(staged, into: workspace.outbox, name: "\(outputName).\(writer.fileExtension)", isPackage: true)
        } else {
            staged.discard()
            observer.notice("\(input.displayName): no rows left to deliver after filtering and rejects; no package written")
        }
        if let rejects { prepared.add(rejects, name: "\(outputName).rejects.csv") }
        return prepared
    }

    private func tooManyRejects(_ input: Input, _ template: Template, _ report: FileReport, stoppedAt line: Int?) -> InputError {
        let considered = report.rowsRead - report.rowsFiltered
        var message = "\(report.rowsRejected) of \(considered) rows were rejected, more than the template allows (max_rejects: \(template.rejectLimit.description))"
        if let line { message += "; reading stopped at line \(line)" }
        return InputError(.tooManyRejects, InputLocation(file: input.displayName), message,
                          hint: "the rejects report beside this file lists each row and reason; fix the data or the template (or raise max_rejects)")
    }
}

/// An input failure that still carries the rejects collected before it.
struct PreparedFailure: Error {
    var error: InputError
    /// The rejects collected before the failure, complete in staging.
    var rejectsPath: String?
}
