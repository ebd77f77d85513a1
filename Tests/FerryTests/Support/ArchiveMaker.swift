import Foundation

/// Builds gzip, zip and tar files for tests with Python's standard library: real archives from
/// an independent implementation, including the hostile shapes a real tool would refuse to make.
enum ArchiveMaker {
    struct Member {
        var name: String
        var data: [UInt8]
        var symlinkTarget: String? = nil

        init(_ name: String, _ text: String) { self.name = name; data = Array(text.utf8) }
        init(_ name: String, bytes: [UInt8]) { self.name = name; data = bytes }
        init(symlink name: String, to target: String) { self.name = name; data = []; symlinkTarget = target }
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try python("import gzip,sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read(), mtime=0))", input: bytes)
    }

    static func zip(_ members: [Member]) throws -> [UInt8] {
        try python("""
        import io, json, sys, zipfile, base64
        spec = json.load(sys.stdin)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for m in spec:
                info = zipfile.ZipInfo(m["name"])
                info.compress_type = zipfile.ZIP_DEFLATED
                if m["link"] is not None:
                    info.create_system = 3
                    info.external_attr = (0o120777 << 16)
                    z.writestr(info, m["link"])
                else:
                    info.external_attr = (0o100644 << 16)
                    z.writestr(info, base64.b64decode(m["data"]))
        sys.stdout.buffer.write(out.getvalue())
        """, input: try spec(members))
    }

    static func tarGz(_ members: [Member]) throws -> [UInt8] {
        try python("""
        import io, json, sys, tarfile, base64
        spec = json.load(sys.stdin)
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.GNU_FORMAT) as t:
            for m in spec:
                info = tarfile.TarInfo(m["name"])
                if m["link"] is not None:
                    info.type = tarfile.SYMTYPE
                    info.linkname = m["link"]
                    t.addfile(info)
                else:
                    data = base64.b64decode(m["data"])
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
        sys.stdout.buffer.write(out.getvalue())
        """, input: try spec(members))
    }

    private static func spec(_ members: [Member]) throws -> [UInt8] {
        let objects: [[String: Any]] = members.map {
            ["name": $0.name, "data": Data($0.data).base64EncodedString(), "link": $0.symlinkTarget as Any? ?? NSNull()]
        }
        return Array(try JSONSerialization.data(withJSONObject: objects))
    }

    private static func python(_ script: String, input: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return Array(output)
    }
}
