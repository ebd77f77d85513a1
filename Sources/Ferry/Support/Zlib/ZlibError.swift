import CZlib

/// A zlib return code that means failure, with zlib's own message when it gave one.
public struct ZlibError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String

    init(code: Int32, stream: z_stream? = nil) {
        self.code = code
        if let text = stream?.msg {
            message = String(cString: text)
        } else {
            switch code {
            case Z_STREAM_ERROR: message = "invalid compression level or stream state"
            case Z_DATA_ERROR: message = "invalid or corrupt compressed data"
            case Z_MEM_ERROR: message = "out of memory"
            case Z_BUF_ERROR: message = "no progress possible"
            case Z_VERSION_ERROR: message = "incompatible zlib version"
            default: message = "zlib error \(code)"
            }
        }
    }

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "zlib: \(message) (code \(code))" }
}
