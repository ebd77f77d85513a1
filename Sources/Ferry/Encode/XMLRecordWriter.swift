/// Writes rows as XML: `<root><record><FIELD>value</FIELD>...</record>...</root>`, or with the
/// fields as attributes of the record element. Streamed through libxml2's xmlTextWriter.
final class XMLRecordWriter: RecordEncoder {
    private let writer: XMLWriter
    private let layout: XMLLayout
    private var fields: [String] = []
    private(set) var rowsWritten = 0

    init(sink: ByteSink, layout: XMLLayout) throws {
        self.layout = layout
        writer = try XMLWriter(sink: sink, encoding: layout.encoding.rawValue, indent: false)
    }

    func begin(fields: [String]) throws {
        self.fields = fields
        try writer.startElement(layout.root)
    }

    func write(record: SourceRecord) throws {
        try writer.startElement(layout.record)
        for (index, name) in fields.enumerated() {
            let value = record.string(at: index) ?? ""
            if layout.fieldsAsAttributes {
                try writer.attribute(name, value)
            } else {
                try writer.element(name, value)
            }
        }
        try writer.endElement()
        rowsWritten += 1
    }

    func finish() throws {
        try writer.endElement()
        try writer.finish()
    }
}
