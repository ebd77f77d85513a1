/// Closing a field and a record: the field and size limits, UTF-8 validation.
extension CSVReader {
    func endField(_ record: inout SourceRecord) throws {
        record.endField()
        if record.fieldCount > limits.maxFields {
            throw InputError(.limit, InputLocation(file: fileName, line: record.line, record: recordCount + 1),
                             "the record has more than \(limits.maxFields) fields",
                             hint: "check the delimiter set in the template")
        }
        if record.storage.count > limits.maxRecordBytes { throw tooLarge(record.line) }
    }

    func tooLarge(_ startLine: Int) -> InputError {
        InputError(.limit, InputLocation(file: fileName, line: startLine, record: recordCount + 1),
                   "the record starting here is larger than \(limits.maxRecordBytes >> 20) MiB",
                   hint: "a quote that never closes makes the rest of the file one field, and a file with no line breaks (or the wrong delimiter) is one record; check the quotes and line ends near this line")
    }

    func finish(_ record: inout SourceRecord, sawNonASCII: Bool) throws {
        guard sawNonASCII else { return }
        if let bad = UTF8Validation.firstInvalidByte(in: record.storage) {
            if replaceInvalidUTF8 {
                record.repairUTF8()
                return
            }
            var field = 0
            while field < record.fieldCount, record.fieldEnds[field] <= bad { field += 1 }
            let name = field < columns.count ? columns[field] : "column \(field + 1)"
            throw InputError(.encoding, InputLocation(file: fileName, line: record.line, record: recordCount + 1, field: name),
                             "byte 0x\(hexByte(record.storage[bad])) is not valid UTF-8",
                             hint: "the file is probably in a legacy code page (windows-1250, windows-1252, ISO-8859-2): set `encoding:` in the template's source section, or export it again as UTF-8")
        }
    }
}
