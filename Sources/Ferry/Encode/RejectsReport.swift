/// Collects rejected rows into a CSV report (line, record, field, value, reason), staged until delivered.
final class RejectsReport {
    static let header = ["file", "line", "record", "field", "value", "reason"]

    let staged: StagedFile
    private let csv: CSVWriter
    private(set) var rows = 0

    init(stagingFolder: String) throws {
        staged = try StagedFile(in: stagingFolder, suffix: "rejects.csv")
        csv = CSVWriter(sink: staged.file, layout: CSVLayout())
        try csv.begin(fields: Self.header)
    }

    func add(_ problems: [RowProblem]) throws {
        for problem in problems {
            let place = problem.location
            try csv.write(row: [FileName.display(place.file), place.line.map(String.init) ?? "", place.record.map(String.init) ?? "",
                              place.field ?? "", problem.value ?? "", problem.reason])
        }
        rows += 1
    }
}
