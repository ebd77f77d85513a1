extension SourceOptions {
    /// The decoder that reads this kind of input.
    func makeDecoder(reading source: ByteSource, fileName: String) throws -> RecordDecoder {
        switch format {
        case .csv: try CSVReader(source: source, fileName: fileName, delimiter: delimiter)
        }
    }
}
