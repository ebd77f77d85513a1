import Foundation
import Testing
@testable import Ferry

/// The shipped samples through the whole pipeline with the shipped templates, all in one run as the
/// README's first command does it (accounts and the reference exports are delivered before the quotes
/// and contacts whose lookups need their keys), compared with the checked-in outputs in
/// Fixtures/expected/samples/, and every output checked against the entity catalogue. Run with
/// FERRY_UPDATE_GOLDEN=1 to write the expected files anew after an intended change.
@Suite("the Prospect-to-cash flows, against expected packages and the entity catalogue")
struct SampleFlowTests {
    static let expected = Fixtures.packageRoot + "/Tests/FerryTests/Fixtures/expected/samples"
    static let updating = ProcessInfo.processInfo.environment["FERRY_UPDATE_GOLDEN"] == "1"

    /// Runs every sample once; the outputs by name (zip entries as `package.zip/entry`) as text.
    static func runSamples() throws -> (produced: [String: String], outbox: [String], scratch: TemporaryWorkspace, summary: RunSummary) {
        let scratch = try TemporaryWorkspace()
        for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot + "/samples/exports") {
            try FileManager.default.copyItem(atPath: Fixtures.packageRoot + "/samples/exports/" + name, toPath: scratch.workspace.inbox + "/" + name)
        }
        let templates = try TemplateLoader().loadFolder(Fixtures.packageRoot + "/samples/templates")
        let summary = try RunPass(workspace: scratch.workspace, templates: templates, clock: { RunPassTests.fixedTime }).run()
        var produced: [String: String] = [:]
        for output in scratch.files(in: scratch.workspace.outbox) {
            let path = scratch.workspace.outbox + "/" + output
            if output.hasSuffix(".zip") {
                for (entry, text) in try entries(of: path) { produced["\(output)/\(entry)"] = text }
            } else {
                produced[output] = try text(Array(Data(contentsOf: URL(fileURLWithPath: path))))
            }
        }
        for report in scratch.files(in: scratch.workspace.reports) {
            produced["reports/" + report] = scratch.text(scratch.workspace.reports + "/" + report)
        }
        return (produced, scratch.files(in: scratch.workspace.outbox), scratch, summary)
    }

    @Test("every sample delivered, outputs equal to the expected files")
    func samples() throws {
        let run = try Self.runSamples()
        #expect(run.summary.succeeded, "\(run.summary.files.compactMap(\.error))")
        let folder = Self.expected
        if Self.updating {
            try? FileManager.default.removeItem(atPath: folder)
            for (relative, text) in run.produced {
                let path = folder + "/" + relative
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            }
            return
        }
        let expectedFiles = Self.files(under: folder)
        #expect(Set(run.produced.keys) == Set(expectedFiles), "outputs differ from \(folder)")
        for relative in expectedFiles {
            let want = (try? String(contentsOfFile: folder + "/" + relative, encoding: .utf8)) ?? ""
            #expect(run.produced[relative] == want, "\(relative) differs from the expected file")
        }
    }

    @Test("every output passes the package check against the entity catalogue")
    func packagesAgainstCatalogue() throws {
        let run = try Self.runSamples()
        #expect(run.outbox.count == 20, "\(run.outbox)")
        for output in run.outbox {
            let problems = try PackageCheck.check(run.scratch.workspace.outbox + "/" + output)
            #expect(problems.isEmpty, "\(output): \(problems.joined(separator: "; "))")
        }
    }

    @Test("contact persons link to parties Ferry delivered: the customers' party number is their account (or contact) number, as in P2C")
    func partyLinks() throws {
        let run = try Self.runSamples().produced
        var parties: Set<String> = []
        for (name, text) in run where name.hasSuffix("/Customers V3.csv") {
            for row in try OrderFlowTests.rows(text) {
                #expect(row["PARTYNUMBER"] == row["CUSTOMERACCOUNT"] && row["PARTYNUMBER"]?.isEmpty == false, "\(name): \(row)")
                parties.insert(row["PARTYNUMBER"] ?? "")
            }
        }
        var links = 0
        for (name, text) in run where name.hasSuffix("/CDS Contacts V2.csv") {
            for row in try OrderFlowTests.rows(text) {
                #expect(parties.contains(row["ASSOCIATEDPARTYNUMBER"] ?? ""), "\(name): \(row["ASSOCIATEDPARTYNUMBER"] ?? "") is no delivered customer's party")
                #expect(row["CONTACTPERSONPARTYNUMBER"] == row["CONTACTPERSONID"])
                links += 1
            }
        }
        #expect(links > 0)
    }

    @Test("the shipped samples are byte for byte what scripts/samples/generate.py writes")
    func samplesFromGenerator() throws {
        let scratch = try TemporaryWorkspace()
        let out = scratch.root + "/generated"
        let result = try runProcess("/usr/bin/env", ["python3", Fixtures.packageRoot + "/scripts/samples/generate.py", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let shipped = Fixtures.packageRoot + "/samples/exports"
        #expect(Self.files(under: out) == Self.files(under: shipped))
        for name in Self.files(under: shipped) {
            let generated = FileManager.default.contents(atPath: out + "/" + name), kept = FileManager.default.contents(atPath: shipped + "/" + name)
            #expect(generated != nil && generated == kept, "\(name) differs from what the generator writes: run scripts/samples/generate.py")
        }
    }

    /// Each zip entry's text, read with Ferry's own zip reader (data files decoded from UTF-16).
    static func entries(of path: String) throws -> [(String, String)] {
        let zip = try ZipArchiveReader(path: path, displayName: path)
        let folder = FileManager.default.temporaryDirectory.path + "/ferry-golden-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var budget = DecompressionBudget(limits: DecompressionLimits(), compressedSize: zip.fileSize, bundleName: path)
        return try zip.entries.enumerated().map { index, entry in
            let target = folder + "/\(index)"
            try zip.extract(entry, to: target, budget: &budget)
            return (entry.name, try text(Array(Data(contentsOf: URL(fileURLWithPath: target)))))
        }
    }

    /// Text with its encoding made visible: a UTF-16 LE file becomes "[UTF-16LE BOM]" + its text.
    static func text(_ bytes: [UInt8]) throws -> String {
        if bytes.starts(with: [0xFF, 0xFE]) {
            let units = stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
            return "[UTF-16LE BOM]" + String(decoding: units, as: UTF16.self)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "[UTF-8 BOM]" + String(decoding: bytes.dropFirst(3), as: UTF8.self) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func files(under folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { path in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder)
            return !isFolder.boolValue
        }.sorted()
    }
}
