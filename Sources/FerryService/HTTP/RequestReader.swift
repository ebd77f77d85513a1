#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads one request from a connected socket: the head up to 16 KiB, a body up to 64 KiB by its
/// Content-Length (no chunked bodies: browsers and curl send forms with a length).
struct RequestReader {
    let socket: Int32
    let peer: String

    struct Refusal: Error {
        var status: Int
        var message: String
    }

    func read() -> Result<HTTPRequest, Refusal> {
        var buffer: [UInt8] = []
        var headEnd: Int?
        while headEnd == nil {
            guard buffer.count < HTTPServer.maxHeaderBytes else { return .failure(Refusal(status: 431, message: "request head over 16 KiB")) }
            guard receive(into: &buffer) else { return .failure(Refusal(status: 408, message: "the request did not arrive in time")) }
            headEnd = Self.endOfHead(buffer)
        }
        guard let headEnd else { return .failure(Refusal(status: 400, message: "no request")) }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            return .failure(Refusal(status: 400, message: "not an HTTP/1.x request line"))
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .failure(Refusal(status: 400, message: "a header line without a colon")) }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["transfer-encoding"] != nil { return .failure(Refusal(status: 400, message: "chunked bodies are not accepted; send a Content-Length")) }
        let length = Int(headers["content-length"] ?? "0") ?? -1
        guard length >= 0 else { return .failure(Refusal(status: 400, message: "Content-Length is not a number")) }
        guard length <= HTTPServer.maxBodyBytes else { return .failure(Refusal(status: 413, message: "request body over 64 KiB")) }
        var body = Array(buffer[(headEnd + 4)...])
        while body.count < length {
            guard receive(into: &body) else { return .failure(Refusal(status: 408, message: "the request body did not arrive in time")) }
        }
        let target = requestLine[1]
        let question = target.firstIndex(of: "?")
        let path = String(target[..<(question ?? target.endIndex)])
        let query = question.map { HTTPRequest.formFields(target[target.index(after: $0)...]) } ?? [:]
        return .success(HTTPRequest(method: String(requestLine[0]), path: path, query: query, headers: headers,
                                    body: Array(body.prefix(length)), peer: peer))
    }

    /// Appends what arrives; false on timeout, error or a closed connection.
    private func receive(into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }

    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
