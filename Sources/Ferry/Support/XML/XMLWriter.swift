import CLibXML2

/// Writes XML through libxml2's xmlTextWriter, which escapes every name and text, into a byte
/// sink as it goes (`XMLWriter(sink:)`) or into memory (`XMLWriter()` + `finish()`).
///
/// Owns the writer; output errors from the sink are kept and rethrown.
final class XMLWriter {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var description: String { "XML writer failed at \(operation)" }
    }

    /// Carries the sink into libxml2's C write callback.
    private final class Channel {
        let sink: ByteSink
        var error: Error?
        init(sink: ByteSink) { self.sink = sink }
    }

    private let channel: Channel
    private var writer: xmlTextWriterPtr?
    private let memory: MemorySink?

    /// A document in memory; `finish()` returns its bytes.
    convenience init(indent: Bool = true) throws {
        let memory = MemorySink()
        try self.init(sink: memory, encoding: "utf-8", indent: indent, memory: memory)
    }

    /// A document streamed into `sink` in `encoding`, a name libxml2 knows (`utf-8`, `windows-1252`);
    /// characters the encoding lacks become character references.
    convenience init(sink: ByteSink, encoding: String, indent: Bool) throws {
        try self.init(sink: sink, encoding: encoding, indent: indent, memory: nil)
    }

    private init(sink: ByteSink, encoding: String, indent: Bool, memory: MemorySink?) throws {
        self.channel = Channel(sink: sink)
        self.memory = memory
        let handler = encoding == "utf-8" ? nil : xmlFindCharEncodingHandler(encoding)
        let context = Unmanaged.passUnretained(channel).toOpaque()
        let output = xmlOutputBufferCreateIO({ context, bytes, length in
            guard let context, let bytes else { return -1 }
            let channel = Unmanaged<Channel>.fromOpaque(context).takeUnretainedValue()
            do {
                try channel.sink.write(UnsafeRawBufferPointer(start: bytes, count: Int(length)))
                return length
            } catch {
                channel.error = error
                return -1
            }
        }, nil, context, handler)
        guard let output, let writer = xmlNewTextWriter(output) else { throw Failure(operation: "create") }
        self.writer = writer
        if indent {
            xmlTextWriterSetIndent(writer, 1)
            xmlTextWriterSetIndentString(writer, "  ")
        }
        try check(xmlTextWriterStartDocument(writer, "1.0", encoding == "utf-8" ? "UTF-8" : encoding.uppercased(), nil), "start document")
    }

    deinit {
        if let writer { xmlFreeTextWriter(writer) }
    }

    func startElement(_ name: String) throws {
        try check(xmlTextWriterStartElement(writer, name), "<\(name)>")
    }

    func attribute(_ name: String, _ value: String) throws {
        try check(xmlTextWriterWriteAttribute(writer, name, value), "attribute \(name)")
    }

    func endElement() throws {
        try check(xmlTextWriterEndElement(writer), "end element")
    }

    /// `<name>text</name>`, the text escaped.
    func element(_ name: String, _ text: String) throws {
        try check(xmlTextWriterWriteElement(writer, name, text), "<\(name)>")
    }

    /// `<name i:nil="true"/>`, as .NET's DataContractSerializer writes a null.
    func nilElement(_ name: String) throws {
        try startElement(name)
        try attribute("i:nil", "true")
        try endElement()
    }

    /// Ends the document and flushes it to the sink; returns the bytes when writing to memory.
    @discardableResult
    func finish() throws -> [UInt8] {
        try check(xmlTextWriterEndDocument(writer), "end document")
        xmlFreeTextWriter(writer)  // flushes and closes the output buffer
        writer = nil
        if let error = channel.error { throw error }
        return memory?.bytes ?? []
    }

    private func check(_ status: Int32, _ operation: String) throws {
        if let error = channel.error { throw error }
        guard status >= 0 else { throw Failure(operation: operation) }
    }
}

/// Collects bytes in memory (small documents such as Manifest.xml).
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []
    func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}
