import Foundation
@testable import Ferry

/// A fresh workspace in a temporary folder, removed when the test ends.
final class TemporaryWorkspace {
    let root: String
    let workspace: Workspace

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        root = "\(base)/ferry-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        workspace = Workspace(root: root)
        try workspace.prepare()
    }

    /// A workspace whose `templates/accounts.yaml` holds `template`, with `ferry.yaml` holding `config` when given.
    convenience init(accountsTemplate template: String, config: String? = nil) throws {
        try self.init()
        try FileManager.default.createDirectory(atPath: root + "/templates", withIntermediateDirectories: true)
        try Data(template.utf8).write(to: URL(fileURLWithPath: root + "/templates/accounts.yaml"))
        if let config { try Data(config.utf8).write(to: URL(fileURLWithPath: root + "/ferry.yaml")) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func drop(_ name: String, _ contents: String) throws {
        try Data(contents.utf8).write(to: URL(fileURLWithPath: workspace.inbox + "/" + name))
    }

    func drop(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: workspace.inbox + "/" + name))
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// One `ferry run` pass over this workspace with one template (named `accounts`), at the tests' fixed time.
    func run(template yaml: String, intake: IntakeSettings = IntakeSettings()) throws -> RunSummary {
        try RunPass(workspace: workspace, templates: [try Fixtures.template(yaml, name: "accounts")], intake: intake,
                    clock: { RunPassTests.fixedTime }).run()
    }

    /// Every file below `archive/`, without the day folders.
    var archived: [String] {
        files(in: workspace.archive).flatMap { files(in: workspace.archive + "/" + $0) }.sorted()
    }
}

enum Fixtures {
    static let root = Bundle.module.resourcePath! + "/Fixtures"

    static func path(_ name: String) -> String { root + "/" + name }

    /// The repository's root folder (for the shipped samples).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func template(_ yaml: String, name: String = "test") throws -> Template {
        try TemplateLoader().parse(yaml, path: "\(name).yaml")
    }
}

/// A byte source over bytes in memory, handing them out in small chunks to exercise buffer edges.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private let chunk: Int
    private(set) var bytesConsumed: Int64 = 0

    init(_ text: String, chunk: Int = 7) { bytes = Array(text.utf8); self.chunk = chunk }
    init(bytes: [UInt8], chunk: Int = 7) { self.bytes = bytes; self.chunk = chunk }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let start = Int(bytesConsumed)
        let count = min(chunk, buffer.count, bytes.count - start)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: count)
        }
        bytesConsumed += Int64(count)
        return count
    }
}

/// Reads every record of a CSV text (header excluded) as arrays of strings.
func readCSV(_ text: String, chunk: Int = 7, delimiter: UInt8? = nil) throws -> (columns: [String], rows: [[String]]) {
    try readCSV(bytes: Array(text.utf8), chunk: chunk, delimiter: delimiter)
}

func readCSV(bytes: [UInt8], chunk: Int = 7, delimiter: UInt8? = nil) throws -> (columns: [String], rows: [[String]]) {
    let reader = try CSVReader(source: MemorySource(bytes: bytes, chunk: chunk), fileName: "test.csv",
                               delimiter: delimiter, bufferSize: 64)
    var record = SourceRecord()
    var rows: [[String]] = []
    while try reader.next(into: &record) {
        rows.append((0..<record.fieldCount).map { record.string(at: $0) ?? "" })
    }
    return (reader.columns, rows)
}

/// Runs a program and returns its exit status and standard output.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], in directory: String? = nil,
                environment: [String: String]? = nil) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// The `ferry` executable built beside the test bundle.
func ferryExecutable() -> String {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The test runner may live inside an .xctest bundle folder.
    while folder.path != "/" {
        let candidate = folder.appendingPathComponent("ferry").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        folder.deleteLastPathComponent()
    }
    return Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("ferry").path
}

extension EntityDataFile {
    func write(row: [String]) throws { try write(record: SourceRecord(fields: row)) }
}

extension DataFileWriter {
    func write(row: [String]) throws { try write(record: SourceRecord(fields: row)) }
}
