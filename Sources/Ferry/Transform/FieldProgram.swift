/// A target's field rules compiled once per input into a flat list of operations on the row's bytes.
/// An operation is a plain value (a kind and integer operands), so a row costs no copies of the rules'
/// strings, maps and regexes and no switching over enum payloads; the rules themselves are read only
/// where a value needs text semantics (non-Latin case mapping, dates, lookups, computed sources) or a
/// row is rejected.
final class FieldProgram: Sendable {
    struct Operation: Sendable {
        enum Kind: UInt8, Sendable {
            /// Start a field: a column's bytes, a constant (`operand`, `length` into `constants`), or the
            /// text of the rule's source (`join`, `when`, `calc`, option-set columns).
            case column, constant, source
            /// Steps on the field's bytes; each falls back to the step's text form where bytes cannot decide.
            case trim, upper, lower, title, truncate, substring, defaultValue, required, maxLength, map, lookup, asciiClass
            /// A step with text semantics only.
            case text
            /// Close the field.
            case end
        }

        var kind: Kind
        var rule: Int32
        /// The step's index in its rule (-1 for a source).
        var step: Int32
        var operand = 0
        var length = -1
    }

    enum ByteOutcome {
        case done
        case reject(String)
        /// Bytes cannot decide (non-Latin text, a carriage return): use the step's text form.
        case useText
    }

    let rules: [FieldRule]
    private let operations: [Operation]
    private let constants: [UInt8]
    private let maps: [ValueMap]
    private let tables: [LookupTable]
    private let classes: [ASCIIClassReplacement]

    init(rules: [FieldRule]) {
        self.rules = rules
        var operations: [Operation] = [], constants: [UInt8] = [], maps: [ValueMap] = [], tables: [LookupTable] = []
        var classes: [ASCIIClassReplacement] = []
        func constant(_ text: String) -> (offset: Int, length: Int) {
            let offset = constants.count
            constants.append(contentsOf: text.utf8)
            return (offset, constants.count - offset)
        }
        for (ruleIndex, rule) in rules.enumerated() {
            let r = Int32(ruleIndex)
            switch rule.source {
            case .column(let reference) where reference.optionValues == nil:
                operations.append(Operation(kind: .column, rule: r, step: -1, operand: reference.index))
            case .text(let text):
                let (offset, length) = constant(text)
                operations.append(Operation(kind: .constant, rule: r, step: -1, operand: offset, length: length))
            default:
                operations.append(Operation(kind: .source, rule: r, step: -1))
            }
            for (stepIndex, step) in rule.steps.enumerated() {
                var operation = Operation(kind: .text, rule: r, step: Int32(stepIndex))
                switch step {
                case .trim: operation.kind = .trim
                case .upper: operation.kind = .upper
                case .lower: operation.kind = .lower
                case .title: operation.kind = .title
                case .truncate(let limit): (operation.kind, operation.operand) = (.truncate, limit)
                case .substring(let start, let length): (operation.kind, operation.operand, operation.length) = (.substring, start, length ?? -1)
                case .defaultValue(let fallback):
                    operation.kind = .defaultValue
                    (operation.operand, operation.length) = constant(fallback)
                case .required: operation.kind = .required
                case .maxLength(let limit): (operation.kind, operation.operand) = (.maxLength, limit)
                case .map(let map):
                    (operation.kind, operation.operand) = (.map, maps.count)
                    maps.append(map)
                case .lookup(let table) where table.reference == nil:
                    (operation.kind, operation.operand) = (.lookup, tables.count)
                    tables.append(table)
                case .regex(let replacement):
                    if let asciiClass = replacement.asciiClass {
                        (operation.kind, operation.operand) = (.asciiClass, classes.count)
                        classes.append(asciiClass)
                    }
                default: break
                }
                operations.append(operation)
            }
            operations.append(Operation(kind: .end, rule: r, step: -1))
        }
        self.operations = operations
        self.constants = constants
        self.maps = maps
        self.tables = tables
        self.classes = classes
    }

    /// Appends one field per rule to `row`. A rule that rejects the row leaves its field as far as it got
    /// and adds (rule, reason) to `rejections`; the remaining rules still run, so every problem is named.
    func run(_ record: SourceRecord, into row: inout SourceRecord, rejections: inout [(rule: Int, reason: String)]) {
        operations.withUnsafeBufferPointer { operations in
            var start = row.storage.count
            var index = 0
            while index < operations.count {
                let operation = operations[index]
                index += 1
                let outcome: ByteOutcome
                switch operation.kind {
                case .column:
                    start = row.storage.count
                    if operation.operand < record.fieldCount {
                        let range = record.range(of: operation.operand)
                        record.storage.withUnsafeBufferPointer { row.storage.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
                    }
                    continue
                case .constant:
                    start = row.storage.count
                    appendConstant(operation, to: &row.storage)
                    continue
                case .source:
                    start = row.storage.count
                    let source = rules[Int(operation.rule)].source
                    if source.append(record, to: &row.storage) { continue }
                    do throws(ValueSource.Failure) {
                        row.storage.append(contentsOf: try source.evaluate(record).utf8)
                        continue
                    } catch {
                        outcome = .reject("\(rules[Int(operation.rule)].target): \(error.reason)")
                    }
                case .end:
                    row.endField()
                    continue
                case .defaultValue:
                    if row.storage.count == start { appendConstant(operation, to: &row.storage) }
                    continue
                case .required:
                    outcome = row.storage.count == start ? .reject("is required but empty") : .done
                case .trim: outcome = Self.trim(&row.storage, from: start)
                case .upper: outcome = LatinText.map(.upper, &row.storage, from: start) ? .done : .useText
                case .lower: outcome = LatinText.map(.lower, &row.storage, from: start) ? .done : .useText
                case .title: outcome = LatinText.title(&row.storage, from: start) ? .done : .useText
                case .truncate: outcome = Self.truncate(&row.storage, from: start, to: operation.operand)
                case .substring:
                    outcome = Self.substring(&row.storage, from: start, first: operation.operand,
                                             length: operation.length < 0 ? nil : operation.length)
                case .maxLength: outcome = Self.checkLength(row.storage, from: start, limit: operation.operand)
                case .map: outcome = Self.map(&row.storage, from: start, through: maps[operation.operand])
                case .lookup: outcome = Self.lookup(&row.storage, from: start, in: tables[operation.operand])
                case .asciiClass: outcome = classes[operation.operand].apply(to: &row.storage, from: start) ? .done : .useText
                case .text: outcome = .useText
                }
                switch outcome {
                case .done:
                    continue
                case .useText:
                    if let reason = applyText(operation, to: &row.storage, from: start) {
                        rejections.append((Int(operation.rule), message(operation, reason)))
                    } else {
                        continue
                    }
                case .reject(let reason):
                    rejections.append((Int(operation.rule), operation.step < 0 ? reason : message(operation, reason)))
                }
                // The rule rejected the row: close its field and go on with the next rule.
                while index < operations.count, operations[index].kind != .end { index += 1 }
            }
        }
    }

    private func appendConstant(_ operation: Operation, to buffer: inout [UInt8]) {
        constants.withUnsafeBufferPointer { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: $0[operation.operand..<operation.operand + operation.length])) }
    }

    /// The rule's own message for the step, or the target and the reason.
    private func message(_ operation: Operation, _ reason: String) -> String {
        let rule = rules[Int(operation.rule)]
        return rule.messages[Int(operation.step)] ?? "\(rule.target) \(reason)"
    }

    /// Applies the step's text form to the field's bytes; the reason when it rejects.
    private func applyText(_ operation: Operation, to buffer: inout [UInt8], from start: Int) -> String? {
        let text = buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
        switch rules[Int(operation.rule)].steps[Int(operation.step)].apply(to: text) {
        case .value(let value):
            buffer.removeSubrange(start...)
            buffer.append(contentsOf: value.utf8)
            return nil
        case .reject(let reason):
            return reason
        }
    }
}

/// The steps on bytes, for ASCII and Latin values (which most business data is); `.useText` otherwise.
extension FieldProgram {
    static func trim(_ buffer: inout [UInt8], from start: Int) -> ByteOutcome {
        guard buffer.count > start else { return .done }
        let first = buffer[start], last = buffer[buffer.count - 1]
        if first >= 0x80 || last >= 0x80 { return .useText }
        if !ByteScan.isWhitespace(first), !ByteScan.isWhitespace(last) { return .done }
        var end = buffer.count
        while end > start, ByteScan.isWhitespace(buffer[end - 1]) { end -= 1 }
        if end > start, buffer[end - 1] >= 0x80 { return .useText }
        var from = start
        while from < end, ByteScan.isWhitespace(buffer[from]) { from += 1 }
        if from < end, buffer[from] >= 0x80 { return .useText }
        buffer.removeSubrange(end...)
        buffer.removeSubrange(start..<from)
        return .done
    }

    static func truncate(_ buffer: inout [UInt8], from start: Int, to limit: Int) -> ByteOutcome {
        // No more bytes than allowed characters: nothing to cut, whatever the script.
        if buffer.count - start <= limit { return .done }
        guard let cut = LatinText.offset(ofCharacter: limit, in: buffer, from: start) else { return .useText }
        buffer.removeSubrange(cut...)
        return .done
    }

    static func substring(_ buffer: inout [UInt8], from start: Int, first: Int, length: Int?) -> ByteOutcome {
        let skipped = max(0, first - 1)
        guard let from = LatinText.offset(ofCharacter: skipped, in: buffer, from: start),
              let to = length.map({ LatinText.offset(ofCharacter: skipped + max(0, $0), in: buffer, from: start) }) ?? buffer.count
        else { return .useText }
        buffer.removeSubrange(to...)
        buffer.removeSubrange(start..<from)
        return .done
    }

    static func checkLength(_ buffer: [UInt8], from start: Int, limit: Int) -> ByteOutcome {
        if buffer.count - start <= limit { return .done }
        guard let length = LatinText.characterCount(buffer, from: start) else { return .useText }
        return length > limit ? .reject("is \(length) characters long; at most \(limit) allowed") : .done
    }

    static func map(_ buffer: inout [UInt8], from start: Int, through map: ValueMap) -> ByteOutcome {
        // Short values make small strings, which need no allocation.
        let key = buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
        guard let mapped = map.lookup(key) else {
            return .reject("value \"\(key)\" is not in map \(map.name) and the map has no \"*\" fallback")
        }
        buffer.removeSubrange(start...)
        buffer.append(contentsOf: mapped.utf8)
        return .done
    }

    /// A reference table beside the template; a value it lacks takes the text path, which names it.
    static func lookup(_ buffer: inout [UInt8], from start: Int, in table: LookupTable) -> ByteOutcome {
        let key = buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
        guard let found = table.lookup(key) else { return .useText }
        buffer.removeSubrange(start...)
        buffer.append(contentsOf: found.utf8)
        return .done
    }
}
