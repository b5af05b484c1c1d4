/// A complete response: status, headers and body. `serialized` turns it into bytes for the wire.
public struct HTTPResponse: Equatable, Sendable {
    /// The status.
    public var status: HTTPStatus
    /// Header fields; Content-Length and Connection are added by `serialized`.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// A response.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response (errors and refusals: their reason in the body).
    public static func text(_ status: HTTPStatus, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), body: Array(text.utf8))
    }

    /// The refusal for a parse error: its status, its reason as text, and the connection closed.
    public static func refusal(_ error: HTTPParseError) -> HTTPResponse {
        .text(error.status, error.reason + "\n")
    }

    /// The bytes on the wire: status line, headers, Content-Length, Connection, blank line, and the body
    /// (not for HEAD, which still gets the length). Header names or values holding CR or LF would let a
    /// value inject headers: such fields are left out.
    public func serialized(keepAlive: Bool, headRequest: Bool = false) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(status.reason)\r\n"
        for field in headers where Self.isSafe(field.name) && Self.isSafe(field.value) {
            let lower = field.name.lowercased()
            if lower == "content-length" || lower == "connection" { continue }
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\n"
        text += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(text.utf8)
        if !headRequest { bytes += body }
        return bytes
    }

    static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
