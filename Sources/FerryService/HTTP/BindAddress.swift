import Foundation

/// Where the endpoint listens: `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`, or `9464` (loopback).
public struct BindAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let hostPart: Substring
        let portPart: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            portPart = trimmed[trimmed.index(close, offsetBy: 2)...]
        } else if let colon = trimmed.lastIndex(of: ":") {
            hostPart = trimmed[..<colon]
            portPart = trimmed[trimmed.index(after: colon)...]
        } else {
            hostPart = "127.0.0.1"
            portPart = Substring(trimmed)
        }
        guard let port = UInt16(portPart), !hostPart.isEmpty, !hostPart.contains(":") || trimmed.hasPrefix("[") else { return nil }
        self.host = hostPart == "localhost" ? "127.0.0.1" : String(hostPart)
        self.port = port
    }

    /// Only this machine can connect: the status page's retry needs no token then.
    public var isLoopback: Bool {
        host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
