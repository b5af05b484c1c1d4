import Foundation
import VigilBrowserTesting
import VigilCrypto

/// An HTTPS client for tests: the node's own TLS engine as a client over a blocking loopback socket,
/// checking the desk's certificate against a CA. One request at a time on one kept-alive connection.
final class HTTPSTestClient {
    let socket: LoopbackSocket
    let tls: TLSConnection
    private var plaintext: [UInt8] = []

    /// Connects to 127.0.0.1:`port` and completes the TLS handshake (errors say which side failed).
    init(port: UInt16, trusting ca: Certificate) throws {
        socket = try LoopbackSocket.connect(port: port)
        socket.setReadTimeout(milliseconds: 30_000)
        tls = try TLSConnection(context: try TLSContext(httpsClientTrusting: ca), isClient: true)
        while try !tls.advanceHandshake() {
            try flush()
            try receive()
        }
        try flush()
    }

    deinit { socket.shutdownBoth() }

    private func flush() throws {
        let bytes = tls.takeOutgoing()
        if !bytes.isEmpty, !socket.write(bytes) { throw HarnessError("the desk closed the connection") }
    }

    private func receive() throws {
        switch socket.read() {
        case .bytes(let bytes): tls.receive(bytes)
        case .timedOut: throw HarnessError("no answer from the desk within 30 s")
        case .closed: throw HarnessError("the desk closed the connection")
        }
    }

    /// A response: status, head, body.
    struct Response {
        let status: Int
        let head: String
        let body: [UInt8]

        /// The values of header `name` (any case).
        func header(_ name: String) -> [String] {
            head.split(separator: "\r\n").compactMap { line in
                guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { return nil }
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
    }

    /// Sends one request and reads its response (head and Content-Length bytes of body).
    func request(_ text: String) throws -> Response {
        try tls.send(Array(text.utf8))
        try flush()
        while true {
            if let split = plaintext.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: plaintext[..<split.lowerBound], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if plaintext.count - split.upperBound >= length {
                    let body = Array(plaintext[split.upperBound..<split.upperBound + length])
                    plaintext.removeFirst(split.upperBound + length)
                    return Response(status: Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0, head: head, body: body)
                }
            }
            try receive()
            plaintext += try tls.readAvailable()
            try flush()
        }
    }

}
