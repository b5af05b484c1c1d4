import Foundation

/// A tiny HTTP/1.1 client over a loopback socket, enough to speak WebDriver (JSON over HTTP) and to
/// send raw requests to the desk. One request per connection (`Connection: close`), body read to EOF.
public enum MiniHTTPClient {
    public struct Response {
        public let status: Int
        public let head: String
        public let body: [UInt8]
    }

    /// Sends raw bytes and reads the whole answer until the server closes.
    public static func raw(port: UInt16, _ bytes: [UInt8]) throws -> Response {
        let socket = try LoopbackSocket.connect(port: port)
        defer { socket.shutdownBoth() }
        socket.setReadTimeout(milliseconds: 60_000)
        guard socket.write(bytes) else { throw LoopbackSocket.Failure("send") }
        var received: [UInt8] = []
        // Read until the head is complete and then Content-Length bytes of body, or until the server closes.
        loop: while true {
            if let split = received.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: received[..<split.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
                if let length, received.count - split.upperBound >= length {
                    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                    return Response(status: status, head: head, body: Array(received[split.upperBound..<split.upperBound + length]))
                }
            }
            switch socket.read() {
            case .bytes(let more): received += more
            case .closed: break loop
            case .timedOut: throw HarnessFailure("no answer from 127.0.0.1:\(port) within 60 s; got \(String(decoding: received.prefix(300), as: UTF8.self))")
            }
        }
        guard let split = received.firstRange(of: [13, 10, 13, 10]) else { throw HarnessFailure("an answer without a complete head: \(String(decoding: received, as: UTF8.self))") }
        let head = String(decoding: received[..<split.lowerBound], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Response(status: status, head: head, body: Array(received[split.upperBound...]))
    }

    /// One request with an optional JSON body.
    public static func request(port: UInt16, method: String, path: String, json: [UInt8]? = nil) throws -> Response {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let json { text += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(json.count)\r\n" }
        text += "\r\n"
        return try raw(port: port, Array(text.utf8) + (json ?? []))
    }
}

public struct HarnessFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
