import Testing
import VigilDesk

/// Response serialisation, Server-Sent Events and the security headers.
@Suite("HTTP responses")
struct HTTPResponseTests {
    @Test("a response serialises with its length, and Connection: close when not kept alive")
    func serialise() {
        var response = HTTPResponse.text(.notFound, "no such page\n")
        response.headers.add("Content-Length", "999")
        let kept = String(decoding: response.serialized(keepAlive: true), as: UTF8.self)
        #expect(kept == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nno such page\n")
        let closed = String(decoding: response.serialized(keepAlive: false, headRequest: true), as: UTF8.self)
        #expect(closed == "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\nConnection: close\r\n\r\n")
    }

    @Test("a header value holding CR or LF is left out rather than splitting the head")
    func injection() {
        let response = HTTPResponse(status: .ok, headers: HTTPHeaders([("Location", "/x\r\nSet-Cookie: evil=1"), ("X-Ok", "1")]))
        let text = String(decoding: response.serialized(keepAlive: true), as: UTF8.self)
        #expect(!text.contains("evil"))
        #expect(text.contains("X-Ok: 1\r\n"))
    }

    @Test("a parse error becomes its status with the reason as text")
    func refusal() {
        let response = HTTPResponse.refusal(HTTPParseError(.contentTooLarge, "too big"))
        #expect(response.status.code == 413 && response.body == Array("too big\n".utf8))
    }

    @Test("server-sent events: one data line per line, CR/LF in event and id dropped")
    func events() {
        let event = ServerSentEvent(event: "entry\nx", id: "4\r2", data: "{\"a\":1}\r\nsecond\rthird")
        #expect(String(decoding: event.serialized, as: UTF8.self) == "event: entryx\nid: 42\ndata: {\"a\":1}\ndata: second\ndata: third\n\n")
        let head = String(decoding: ServerSentEvent.streamHead(headers: HTTPHeaders([("Cache-Control", "no-store")])), as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream") && head.hasSuffix("Cache-Control: no-store\r\nConnection: close\r\n\r\n"))
    }

    @Test("security headers: the CSP has no inline scripts, nosniff, no referrer, and pages are not stored")
    func securityHeaders() {
        var headers = HTTPHeaders()
        SecurityHeaders.apply(to: &headers, caching: .never)
        let csp = headers["content-security-policy"] ?? ""
        #expect(csp.contains("script-src 'self';") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
        #expect(headers["x-content-type-options"] == "nosniff")
        #expect(headers["referrer-policy"] == "no-referrer")
        #expect(headers["cache-control"] == "no-store")
        SecurityHeaders.apply(to: &headers, caching: .revalidate)
        #expect(headers.values("cache-control") == ["no-cache"])
    }
}
