import Foundation
import Testing

/// The folders of Sources/Ferry form layers: each stage uses only Layers, Support and the stage before it, and no
/// two folders use each other. `scripts/layers.py` holds the allowed list and prints the table when it fails.
struct LayeringTests {
    @Test func foldersUseOnlyTheLayersTheyMay() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.packageRoot + "/scripts/layers.py"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let table = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(table)")
        #expect(table.hasSuffix("layers: clean\n"))
    }
}
