import CLibXML2

/// A client's element callbacks. They are plain functions handed the client's `state`, so a callback costs no
/// reference counting and no exclusivity check; the state must outlive the parser.
struct XMLEventHandler {
    let state: UnsafeMutableRawPointer
    let startElement: (UnsafeMutableRawPointer, XMLStartTag) -> XMLPushParser.Verdict
    let endElement: (UnsafeMutableRawPointer) -> Void
    let characters: (UnsafeMutableRawPointer, UnsafeBufferPointer<UInt8>) -> XMLPushParser.Verdict
}

/// One start tag as libxml2 reports it (valid only during the callback).
struct XMLStartTag {
    let localName: UnsafePointer<UInt8>
    let attributes: XMLAttributes
    fileprivate let context: xmlParserCtxtPtr

    /// The line the tag is on.
    var line: Int { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer(context))) }
}

/// The attributes of one start tag, as libxml2 hands them over (valid only during the callback).
struct XMLAttributes {
    fileprivate let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// Calls `body` with each attribute's local name and value bytes.
    func forEach(_ body: (UnsafePointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base else { return }
        for index in 0..<count {
            let entry = base + index * 5  // localname, prefix, URI, value, end
            guard let name = entry[0], let value = entry[3], let end = entry[4] else { continue }
            body(name, UnsafeBufferPointer(start: value, count: end - value))
        }
    }
}

/// libxml2's SAX2 push parser for one input, fed chunk by chunk, locked down for untrusted files:
/// no network, no DTD loading, no entity substitution, entity declarations refused, external
/// entities refused, a depth limit, and errors captured (never printed) with line and column.
final class XMLPushParser {
    enum Verdict { case proceed, stop(String, hint: String) }

    /// Why parsing stopped, with the position libxml2 reported.
    struct Failure: Error {
        var message: String
        var line: Int
        var column: Int
        /// libxml2's error code; nil when Ferry stopped the parser itself.
        var code: Int? = nil
        /// What to do, when Ferry stopped the parser for a reason of its own (the XML itself may be well-formed).
        var hint: String? = nil

        /// libxml2 reports a document that ends with elements still open as one of these.
        var isUnexpectedEnd: Bool { [5, 77, 85].contains(code ?? 0) }
    }

    static let maxDepth = 256

    /// What libxml2's callbacks reach through their user-data pointer.
    private struct Session {
        let events: XMLEventHandler
        var context: xmlParserCtxtPtr?
        var depth = 0
        var failure: Failure?

        static func at(_ userData: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<Session>? {
            userData?.assumingMemoryBound(to: Session.self)
        }

        mutating func startElement(_ tag: XMLStartTag) {
            depth += 1
            if depth > XMLPushParser.maxDepth {
                stop("elements are nested more than \(XMLPushParser.maxDepth) levels deep",
                     hint: "data exports are a few levels deep; this file is damaged or hostile, send the export itself")
                return
            }
            if case .stop(let reason, let hint) = events.startElement(events.state, tag) { stop(reason, hint: hint) }
        }

        mutating func endElement() {
            depth -= 1
            events.endElement(events.state)
        }

        mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
            if case .stop(let reason, let hint) = events.characters(events.state, bytes) { stop(reason, hint: hint) }
        }

        /// Ends parsing with Ferry's own reason.
        mutating func stop(_ reason: String, hint: String) {
            guard failure == nil, let context else { return }
            failure = Failure(message: reason, line: Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer(context))),
                              column: Int(xmlSAX2GetColumnNumber(UnsafeMutableRawPointer(context))), hint: hint)
            xmlStopParser(context)
        }

        mutating func record(_ error: xmlError) {
            guard failure == nil, error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            failure = Failure(message: XMLPushParser.describe(code: Int(error.code)), line: Int(error.line), column: Int(error.int2),
                              code: Int(error.code))
        }
    }

    private let session: UnsafeMutablePointer<Session>

    var failure: Failure? { session.pointee.failure }

    init(events: XMLEventHandler, fileName: String) throws {
        Self.installEntityLoaderOnce
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { userData, localName, _, _, _, _, attributeCount, _, attributes in
            guard let session = Session.at(userData), let localName, let context = session.pointee.context else { return }
            session.pointee.startElement(XMLStartTag(localName: localName, attributes: XMLAttributes(base: attributes, count: Int(attributeCount)),
                                                     context: context))
        }
        sax.endElementNs = { userData, _, _, _ in
            Session.at(userData)?.pointee.endElement()
        }
        sax.characters = { userData, bytes, length in
            guard let bytes else { return }
            Session.at(userData)?.pointee.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        sax.cdataBlock = sax.characters
        sax.entityDecl = { userData, _, _, _, _, _ in
            Session.at(userData)?.pointee.stop("the document declares entities (<!ENTITY ...>), which Ferry refuses in data files: they are how entity-expansion (billion laughs) and external-file attacks work",
                                               hint: "export the file without a DOCTYPE (or with one that declares no entities); data exports never need them")
        }
        sax.serror = { userData, error in
            guard let error else { return }
            Session.at(userData)?.pointee.record(error.pointee)
        }
        session = .allocate(capacity: 1)
        session.initialize(to: Session(events: events))
        guard let created = xmlCreatePushParserCtxt(&sax, UnsafeMutableRawPointer(session), nil, 0, fileName) else {
            session.deinitialize(count: 1)
            session.deallocate()
            throw Failure(message: "libxml2 could not create a parser", line: 0, column: 0)
        }
        session.pointee.context = created
        // Deliberately absent: XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_HUGE, XML_PARSE_XINCLUDE.
        xmlCtxtUseOptions(created, Int32(XML_PARSE_NONET.rawValue))
    }

    deinit {
        if let context = session.pointee.context { xmlFreeParserCtxt(context) }
        session.deinitialize(count: 1)
        session.deallocate()
    }

    /// Feeds the next chunk; `final` after the last one. Throws the first error.
    func parse(_ bytes: UnsafeRawBufferPointer, final: Bool) throws {
        guard let context = session.pointee.context, failure == nil else { throw failure ?? Failure(message: "parser closed", line: 0, column: 0) }
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        var offset = 0
        // xmlParseChunk takes an Int32 length.
        repeat {
            let count = min(bytes.count - offset, 1 << 30)
            let isLast = final && offset + count == bytes.count
            xmlParseChunk(context, base.map { $0 + offset }, Int32(count), isLast ? 1 : 0)
            offset += count
            if let failure { throw failure }
        } while offset < bytes.count
    }

    /// Ferry's words for libxml2's error codes; libxml2's own messages quote the input, so they are not passed on.
    static func describe(code: Int) -> String {
        switch xmlParserErrors(rawValue: UInt32(clamping: code)) {
        case XML_ERR_DOCUMENT_START: "the document does not start with an element (no < where the root element should begin)"
        case XML_ERR_DOCUMENT_EMPTY: "the document is empty"
        case XML_ERR_DOCUMENT_END, XML_ERR_EXTRA_CONTENT: "there is content after the end of the root element"
        case XML_ERR_INVALID_CHAR: "a character that XML does not allow"
        case XML_ERR_CHARREF_AT_EOF, XML_ERR_CHARREF_IN_PROLOG, XML_ERR_CHARREF_IN_EPILOG, XML_ERR_CHARREF_IN_DTD: "a character reference in a place where it is not allowed"
        case XML_ERR_ENTITYREF_NO_NAME, XML_ERR_ENTITYREF_SEMICOL_MISSING, XML_ERR_PEREF_NO_NAME, XML_ERR_PEREF_SEMICOL_MISSING: "an & that does not start a valid entity reference; a literal & must be written as &amp;"
        case XML_ERR_UNDECLARED_ENTITY, XML_WAR_UNDECLARED_ENTITY: "a reference to an entity that is not defined (&name;); a literal & must be written as &amp;"
        case XML_ERR_UNKNOWN_ENCODING, XML_ERR_UNSUPPORTED_ENCODING: "the declared encoding is not supported"
        case XML_ERR_INVALID_ENCODING: "bytes that are not valid in the document's declared encoding"
        case XML_ERR_LT_IN_ATTRIBUTE: "a < inside an attribute value; write it as &lt;"
        case XML_ERR_ATTRIBUTE_NOT_STARTED, XML_ERR_ATTRIBUTE_NOT_FINISHED, XML_ERR_ATTRIBUTE_WITHOUT_VALUE: "an attribute value is not in quotes"
        case XML_ERR_ATTRIBUTE_REDEFINED: "an attribute appears twice in the same tag"
        case XML_ERR_STRING_NOT_STARTED, XML_ERR_STRING_NOT_CLOSED, XML_ERR_LITERAL_NOT_STARTED, XML_ERR_LITERAL_NOT_FINISHED: "a quoted value is not opened or not closed"
        case XML_ERR_COMMENT_NOT_FINISHED: "a comment is not closed"
        case XML_ERR_XMLDECL_NOT_STARTED, XML_ERR_XMLDECL_NOT_FINISHED: "the XML declaration (<?xml ... ?>) is not complete"
        case XML_ERR_DOCTYPE_NOT_FINISHED: "the DOCTYPE declaration is not closed"
        case XML_ERR_CDATA_NOT_FINISHED: "a CDATA section is not closed"
        case XML_ERR_SPACE_REQUIRED: "a space is missing between two names or attributes"
        case XML_ERR_NAME_REQUIRED: "a name is missing where an element or attribute name must be (\"< \" or \"</>\")"
        case XML_ERR_EQUAL_REQUIRED: "an attribute has no = and value"
        case XML_ERR_GT_REQUIRED, XML_ERR_LTSLASH_REQUIRED: "a tag is not closed with >"
        case XML_ERR_TAG_NAME_MISMATCH: "an end tag does not match its start tag"
        case XML_ERR_TAG_NOT_FINISHED, XML_ERR_NOT_WELL_BALANCED: "the document ends before all its elements are closed: the file is truncated or cut short"
        case XML_ERR_ENTITY_LOOP: "an entity refers to itself"
        case XML_ERR_ENTITY_PROCESSING: "an entity reference would exceed the amplification limit (a billion-laughs attack)"
        case XML_ERR_NAME_TOO_LONG: "an element or attribute name is longer than 50,000 characters, libxml2's limit"
        default: "the XML is not well-formed (libxml2 error \(code))"
        }
    }

    /// libxml2's external-entity loader is process-wide: Ferry never loads anything the document names.
    private static let installEntityLoaderOnce: Void = {
        xmlSetExternalEntityLoader { _, _, context in
            if let context, let session = Session.at(context.pointee.userData) {
                session.pointee.stop("the document refers to an external entity or DTD, which Ferry never loads",
                                     hint: "export the file without a DOCTYPE or external references; data exports never need them")
            }
            return nil
        }
        // Anything libxml2 would print outside a parser's own error channel is dropped.
        ferry_xml_silence_generic_errors()
    }()
}
