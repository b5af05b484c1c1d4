/// An incremental, strict HTTP/1.1 request parser: bytes in, complete requests (or one typed error) out.
///
/// Feed whatever arrives with `append(_:)`, then call `next()` until it returns nil (more bytes
/// needed). Pipelined requests in one buffer come out one by one. Strict where leniency lets requests
/// be smuggled: CRLF line ends only, no whitespace before a colon, no obsolete line folding, exactly one
/// Host on HTTP/1.1, Content-Length digits only (equal duplicates tolerated), Transfer-Encoding refused
/// (501: send Content-Length), `Expect` refused (417). After an error the parser stays failed.
public struct HTTPRequestParser: Sendable {
    /// The limits enforced.
    public let limits: HTTPLimits

    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: HTTPParseError?
    /// A parsed head waiting for `bodyLength` bytes of body.
    private var pendingHead: (request: HTTPRequest, bodyLength: Int)?
    /// Empty lines skipped before the current request line (at most 4), counted across `append`s.
    private var emptyLinesSkipped = 0

    /// A parser with the given limits.
    public init(limits: HTTPLimits = .desk) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a returned request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether the parser holds part of a request (bytes of an unfinished request are buffered).
    public var isMidRequest: Bool { bufferedByteCount > 0 || pendingHead != nil }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, nil if more bytes are needed, or the error that ends the connection.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            return try parseNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func parseNext() throws(HTTPParseError) -> HTTPRequest? {
        if pendingHead == nil {
            // RFC 9112 §2.2: ignore at least one empty line before the request line.
            while start + 1 < buffer.count, buffer[start] == 13, buffer[start + 1] == 10, emptyLinesSkipped < 4 {
                start += 2
                emptyLinesSkipped += 1
            }
            guard let head = try parseHead() else { return nil }
            pendingHead = head
            emptyLinesSkipped = 0
        }
        guard let (request, length) = pendingHead else { return nil }
        guard buffer.count - start >= length else { return nil }
        var complete = request
        complete.body = Array(buffer[start..<start + length])
        start += length
        pendingHead = nil
        return complete
    }

    /// Parses the request line and header section once both are complete.
    private mutating func parseHead() throws(HTTPParseError) -> (HTTPRequest, Int)? {
        // The request line.
        let lineEnd: Int
        switch try findLineEnd(from: start, limit: limits.maxRequestLineBytes) {
        case .at(let end): lineEnd = end
        case .incomplete: return nil
        case .tooLong: throw HTTPParseError(.uriTooLong, "the request line is longer than \(limits.maxRequestLineBytes) bytes; use a shorter address")
        }
        // Find the end of the header section before parsing the fields, so that the limits apply to bytes buffered.
        var fieldLines: [Range<Int>] = []
        var cursor = lineEnd + 2
        var headerBytes = 0
        while true {
            let end: Int
            switch try findLineEnd(from: cursor, limit: limits.maxHeaderBytes - headerBytes) {
            case .at(let found): end = found
            case .incomplete: return nil
            case .tooLong:
                throw HTTPParseError(.requestHeaderFieldsTooLarge, "the header section is larger than \(limits.maxHeaderBytes) bytes; send fewer or shorter headers (clear the site's cookies if it persists)")
            }
            if end == cursor { break }
            fieldLines.append(cursor..<end)
            if fieldLines.count > limits.maxHeaderCount {
                throw HTTPParseError(.requestHeaderFieldsTooLarge, "more than \(limits.maxHeaderCount) header fields; send fewer headers")
            }
            headerBytes += end - cursor + 2
            cursor = end + 2
        }
        let bodyStart = cursor + 2

        var request = try parseRequestLine(start..<lineEnd)
        for range in fieldLines {
            let (name, value) = try parseField(range)
            request.headers.add(name, value)
        }
        let length = try framing(&request)
        start = bodyStart
        return (request, length)
    }

    /// Where the line starting at `from` ends, looking at most `limit` bytes ahead.
    private enum LineEnd {
        /// The index of the line's CR (an LF follows it).
        case at(Int)
        /// No line end yet and still within the limit: wait for more bytes.
        case incomplete
        /// More than `limit` bytes without a line end.
        case tooLong
    }

    /// Finds the CR LF that ends the line starting at `from`. A bare LF or a CR not followed by LF is an error.
    private func findLineEnd(from: Int, limit: Int) throws(HTTPParseError) -> LineEnd {
        var index = from
        let end = min(buffer.count, from + max(limit, 0) + 1)
        while index < end {
            let byte = buffer[index]
            if byte == 10 { throw HTTPParseError(.badRequest, "a line ends in a bare LF; HTTP lines end in CR LF") }
            if byte == 13 {
                guard index + 1 < buffer.count else { return .incomplete }
                guard buffer[index + 1] == 10 else { throw HTTPParseError(.badRequest, "a bare CR inside a line; HTTP lines end in CR LF") }
                return .at(index)
            }
            index += 1
        }
        return buffer.count - from > limit ? .tooLong : .incomplete
    }

    private func parseRequestLine(_ range: Range<Int>) throws(HTTPParseError) -> HTTPRequest {
        let line = buffer[range]
        let parts = line.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HTTPParseError(.badRequest, "the request line is not METHOD SP TARGET SP HTTP/1.1")
        }
        guard parts[0].allSatisfy(Self.isTokenByte) else {
            throw HTTPParseError(.badRequest, "the method is not a token")
        }
        let methodText = String(decoding: parts[0], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default:
            if version.hasPrefix("HTTP/"), version.count == 8 {
                throw HTTPParseError(.httpVersionNotSupported, "\(version) is not supported; use HTTP/1.1")
            }
            throw HTTPParseError(.badRequest, "the request line does not end in an HTTP version")
        }
        guard let method = HTTPMethod(rawValue: methodText) else {
            throw HTTPParseError(.notImplemented, "the method \(methodText) is not supported; the desk answers GET, HEAD and POST")
        }
        let target = parts[1]
        guard target.first == UInt8(ascii: "/") else {
            throw HTTPParseError(.badRequest, "the request target must be a path starting with /")
        }
        guard target.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }) else {
            throw HTTPParseError(.badRequest, "the request target holds a byte that is not allowed (control, space, non-ASCII or #); percent-encode it")
        }
        return HTTPRequest(method: method, target: String(decoding: target, as: UTF8.self), minorVersion: minor, keepAlive: minor == 1)
    }

    private func parseField(_ range: Range<Int>) throws(HTTPParseError) -> (String, String) {
        let line = buffer[range]
        if let first = line.first, first == 32 || first == 9 {
            throw HTTPParseError(.badRequest, "obsolete line folding (a header line starting with whitespace) is not accepted")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw HTTPParseError(.badRequest, "a header line has no colon")
        }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
            throw HTTPParseError(.badRequest, "a header name is empty or holds a byte that is not allowed (no whitespace before the colon)")
        }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 32 || f == 9 { value = value.dropFirst() }
        while let l = value.last, l == 32 || l == 9 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 9 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPParseError(.badRequest, "the value of header \(String(decoding: name, as: UTF8.self).lowercased()) holds a control character")
        }
        // Header values are Latin-1 by history; decode so that every byte maps to one character.
        let text = String(value.map { Character(Unicode.Scalar($0)) })
        return (String(decoding: name, as: UTF8.self).lowercased(), text)
    }

    /// Checks Host and the body framing; sets keep-alive. Returns the body length.
    private func framing(_ request: inout HTTPRequest) throws(HTTPParseError) -> Int {
        let hosts = request.headers.values("host")
        if request.minorVersion == 1 && hosts.count != 1 {
            throw HTTPParseError(.badRequest, hosts.isEmpty ? "an HTTP/1.1 request needs a Host header" : "more than one Host header")
        }
        if !request.headers.values("transfer-encoding").isEmpty {
            throw HTTPParseError(.notImplemented, "Transfer-Encoding (chunked bodies) is not accepted; send the body with Content-Length")
        }
        if !request.headers.values("expect").isEmpty {
            throw HTTPParseError(.expectationFailed, "Expect is not supported; send the body without waiting for 100 Continue")
        }
        var length = 0
        let lengths = request.headers.values("content-length")
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }) else {
                throw HTTPParseError(.badRequest, "Content-Length headers disagree")
            }
            guard !first.isEmpty, first.count <= 18, first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(first) else {
                throw HTTPParseError(.badRequest, "Content-Length is not a decimal number")
            }
            guard value <= limits.maxBodyBytes else {
                throw HTTPParseError(.contentTooLarge, "the body is \(value) bytes, more than the \(limits.maxBodyBytes) accepted; send less (a CAP file to import is at most 1 MiB, the most a node reads)")
            }
            length = value
        }
        let tokens = request.headers.values("connection").flatMap { $0.lowercased().split(separator: ",").map { $0.trimmingSpaces } }
        if tokens.contains("close") {
            request.keepAlive = false
        } else if request.minorVersion == 0 {
            request.keepAlive = tokens.contains("keep-alive")
        }
        return length
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
