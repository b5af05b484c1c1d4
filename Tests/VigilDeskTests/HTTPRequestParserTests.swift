import Testing
import VigilDesk

/// The request parser: byte by byte, one request per buffer, many per buffer; malformed and oversized input.
@Suite("HTTP request parser")
struct HTTPRequestParserTests {
    static let get = "GET /feed?kind=sitrep&q=a+b%21 HTTP/1.1\r\nHost: 127.0.0.1:8443\r\nCookie: vigil-session=abc\r\n\r\n"
    static let post = "POST /api/ack HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\nContent-Length: 11\r\nX-CSRF-Token: t\r\n\r\n{\"id\":\"x\"}\n"
    static let closing = "HEAD / HTTP/1.0\r\n\r\n"

    /// Every request the bytes hold, fed in chunks of `chunk` bytes.
    static func parseAll(_ text: String, chunk: Int, limits: HTTPLimits = .desk) throws(HTTPParseError) -> [HTTPRequest] {
        var parser = HTTPRequestParser(limits: limits)
        var requests: [HTTPRequest] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            parser.append(bytes[index..<min(index + chunk, bytes.count)])
            index += chunk
            while let request = try parser.next() { requests.append(request) }
        }
        return requests
    }

    static func error(_ text: String, limits: HTTPLimits = .desk) -> HTTPParseError? {
        do {
            _ = try parseAll(text, chunk: 7, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("byte by byte, whole, and three pipelined in one buffer give the same requests")
    func chunking() throws {
        let all = Self.get + Self.post + Self.closing
        let whole = try Self.parseAll(all, chunk: all.utf8.count)
        #expect(whole.count == 3)
        for chunk in [1, 2, 3, 5, 16, 64] {
            #expect(try Self.parseAll(all, chunk: chunk) == whole, "chunk size \(chunk)")
        }
        let get = whole[0], post = whole[1], head = whole[2]
        #expect(get.method == .get && get.target == "/feed?kind=sitrep&q=a+b%21" && get.path == "/feed")
        #expect(get.query.map(\.name) == ["kind", "q"] && get.query.map(\.value) == ["sitrep", "a b!"])
        #expect(get.headers["HOST"] == "127.0.0.1:8443" && get.keepAlive && get.body.isEmpty)
        #expect(post.method == .post && post.body == Array("{\"id\":\"x\"}\n".utf8) && post.headers["x-csrf-token"] == "t")
        #expect(head.method == .head && head.minorVersion == 0 && !head.keepAlive)
    }

    @Test("leading empty lines are skipped; Connection: close and HTTP/1.0 keep-alive are honoured")
    func connectionTokens() throws {
        let requests = try Self.parseAll("\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, close\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", chunk: 1)
        #expect(requests.map(\.keepAlive) == [false, true])
    }

    @Test("an incomplete request waits; nothing is returned early")
    func incomplete() throws {
        var parser = HTTPRequestParser()
        parser.append(Array(Self.post.utf8.dropLast()))
        #expect(try parser.next() == nil)
        #expect(parser.isMidRequest)
        parser.append([10])
        #expect(try parser.next()?.body.count == 11)
        #expect(!parser.isMidRequest)
    }

    @Test("malformed requests are refused with the right status", arguments: [
        ("GET /\r\nHost: a\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: a\n\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / FTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET /\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\u{01}b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\na", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", 417),
    ])
    func malformed(_ text: String, status: Int) {
        let error = Self.error(text)
        #expect(error?.status.code == status, "\(text.debugDescription): \(String(describing: error))")
        #expect(error?.reason.isEmpty == false)
    }

    @Test("oversized request line, header section, header count and body are refused")
    func oversized() {
        let limits = HTTPLimits(maxRequestLineBytes: 64, maxHeaderCount: 4, maxHeaderBytes: 128, maxBodyBytes: 10)
        #expect(Self.error("GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\n", limits: limits)?.status == .uriTooLong)
        // Refused before the line ends: a client cannot make the parser buffer without bound.
        #expect(Self.error("GET /\(String(repeating: "a", count: 100))", limits: limits)?.status == .uriTooLong)
        #expect(Self.error("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 200))", limits: limits)?.status == .requestHeaderFieldsTooLarge)
        #expect(Self.error("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", limits: limits)?.status == .requestHeaderFieldsTooLarge)
        #expect(Self.error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits)?.status == .contentTooLarge)
        // At the limits exactly: accepted.
        let atLimit = "GET /\(String(repeating: "a", count: 50)) HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"
        #expect(Self.error(atLimit, limits: limits) == nil)
    }

    @Test("after an error the parser stays failed, even if good bytes follow")
    func staysFailed() {
        var parser = HTTPRequestParser()
        parser.append(Array("BREW / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.append(Array(Self.get.utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test("header values keep inner spaces and lose outer ones; names are lower-cased")
    func headerValues() throws {
        let request = try Self.parseAll("GET / HTTP/1.1\r\nHost:a\r\nUser-Agent: \t Mozilla  5.0 \t\r\n\r\n", chunk: 3)[0]
        #expect(request.headers["user-agent"] == "Mozilla  5.0")
        #expect(request.headers.map(\.name) == ["host", "user-agent"])
    }

    @Test("percent-decoding: malformed escapes and non-UTF-8 paths give nil, forms decode +")
    func percentDecoding() {
        #expect(HTTPRequest(method: .get, target: "/a%2Fb").path == "/a/b")
        #expect(HTTPRequest(method: .get, target: "/a%2").path == nil)
        #expect(HTTPRequest(method: .get, target: "/a%FF").path == nil)
        #expect(FormDecoding.value("password", in: Array("name=j.dupont&password=a%26b+c".utf8)) == "a&b c")
    }
}
