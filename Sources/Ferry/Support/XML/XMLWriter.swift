import CLibXML2

/// Writes a small XML document through libxml2's xmlTextWriter, which escapes every name and text.
///
/// Owns the writer and its memory buffer; `finish()` returns the UTF-8 document.
final class XMLWriter {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var description: String { "XML writer failed at \(operation)" }
    }

    private let buffer: xmlBufferPtr
    private var writer: xmlTextWriterPtr?

    init() throws {
        guard let buffer = xmlBufferCreate() else { throw Failure(operation: "xmlBufferCreate") }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw Failure(operation: "xmlNewTextWriterMemory")
        }
        self.buffer = buffer
        self.writer = writer
        xmlTextWriterSetIndent(writer, 1)
        xmlTextWriterSetIndentString(writer, "  ")
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil), "start document")
    }

    deinit {
        if let writer { xmlFreeTextWriter(writer) }
        xmlBufferFree(buffer)
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

    /// Ends the document and returns its bytes; the writer cannot be used afterwards.
    func finish() throws -> [UInt8] {
        try check(xmlTextWriterEndDocument(writer), "end document")
        xmlFreeTextWriter(writer)
        writer = nil
        let count = Int(xmlBufferLength(buffer))
        guard let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: count))
    }

    private func check(_ status: Int32, _ operation: String) throws {
        guard status >= 0 else { throw Failure(operation: operation) }
    }
}
