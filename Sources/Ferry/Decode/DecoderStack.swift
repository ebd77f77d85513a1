/// Builds the decode stage for one input from what its bytes are: gzip is unwrapped as a stream,
/// then XML goes to the XML reader and text through the transcoder to the CSV reader.
struct DecoderStack {
    let fileName: String
    let options: SourceOptions
    /// The source columns the template reads (XML records are cut to these).
    let columns: [String]
    let limits: DecompressionLimits
    /// Where decoders leave what the operator should hear about an input that is processed anyway.
    var notices = Notices()

    func open(_ file: ByteSource) throws -> RecordDecoder {
        var source = try PeekableByteSource(file)
        var kind = ContentKind.detect(source.peeked)
        if kind == .gzip {
            // Inflate runs one step ahead on the second core.
            source = try PeekableByteSource(ReadAheadSource(GzipByteSource(source, fileName: fileName, limits: limits, notices: notices)))
            kind = ContentKind.detect(source.peeked)
            if kind == .gzip || kind == .zip {
                throw InputError(.malformed, InputLocation(file: fileName),
                                 "the gzip file holds another compressed file (\(kind.label)); Ferry unpacks one level only",
                                 hint: "compress the data file itself once")
            }
        }
        switch kind {
        case .zip, .tar:
            throw InputError(.schema, InputLocation(file: fileName), "a \(kind.label) bundle cannot be read as one data file",
                             hint: "bundles are opened as a whole from the inbox; do not nest them")
        case .xml:
            if options.format == .csv {
                throw InputError(.schema, InputLocation(file: fileName, line: 1), "the file contains XML, but the template reads CSV",
                                 hint: "set `format: auto` (or xml) and `record:` in the template's source section")
            }
            guard let recordPath = options.recordPath else {
                throw InputError(.schema, InputLocation(file: fileName, line: 1), "the file contains XML, but the template does not say which element is a record",
                                 hint: "add `record: /root/record` (the path of the repeating element) to the template's source section")
            }
            return try XMLRecordReader(source: source, fileName: fileName, recordPath: recordPath, columns: columns,
                                       optionalColumns: options.optionalColumns)
        case .text, .gzip:
            if options.format == .xml {
                throw InputError(.malformed, InputLocation(file: fileName, line: 1), "the template reads XML, but the file does not start with an XML tag",
                                 hint: "check that the right file was sent, or set `format: auto` in the template")
            }
            if options.encoding != .utf16LittleEndian && options.encoding != .utf16BigEndian,
               source.peeked.withUnsafeBytes({ TextEncoding.byteOrderMark(in: $0) }) == nil,
               let utf16 = TextEncoding.unmarkedUTF16(in: source.peeked) {
                throw InputError(.encoding, InputLocation(file: fileName, line: 1),
                                 "the file looks like \(utf16.rawValue.uppercased()) without a byte order mark (every second byte of its first line is 0), but the template reads \(options.encoding.rawValue)",
                                 hint: "set `encoding: \(utf16.rawValue)` in the template's source section, or export the file as UTF-8 (or as Unicode with a byte order mark)")
            }
            let text: ByteSource = needsTranscoding(source.peeked)
                ? TranscodingByteSource(source, declared: options.encoding, fileName: fileName, replaceInvalid: options.replaceInvalidBytes)
                : source
            return try CSVReader(source: text, fileName: fileName, delimiter: options.delimiter,
                                 replaceInvalidUTF8: options.replaceInvalidBytes)
        }
    }

    /// UTF-8 input (the usual case) goes to the CSV reader untouched; it validates as it parses.
    private func needsTranscoding(_ head: [UInt8]) -> Bool {
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return true }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return false }
        return options.encoding != .utf8
    }
}
