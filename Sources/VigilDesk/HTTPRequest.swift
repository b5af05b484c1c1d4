/// A request method the desk understands. Others are refused with 501 by the parser.
public enum HTTPMethod: String, Equatable, Sendable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
}

/// One complete HTTP/1.x request as parsed from the connection.
public struct HTTPRequest: Equatable, Sendable {
    /// The method.
    public var method: HTTPMethod
    /// The request target exactly as received (origin form: path and optional query).
    public var target: String
    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    public var minorVersion: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body (empty without Content-Length).
    public var body: [UInt8]
    /// Whether the connection may carry another request after this one's response.
    public var keepAlive: Bool

    /// A request (tests and hosts build them; the parser produces them from bytes).
    public init(method: HTTPMethod, target: String, minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The path part of the target, percent-decoded (nil if its escapes are malformed or not UTF-8).
    public var path: String? {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return PercentDecoding.decode(raw, plusIsSpace: false)
    }

    /// The query's name/value pairs, decoded as a form (`+` is a space); malformed pairs are dropped.
    public var query: [(name: String, value: String)] {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return [] }
        return FormDecoding.pairs(String(parts[1]))
    }
}
