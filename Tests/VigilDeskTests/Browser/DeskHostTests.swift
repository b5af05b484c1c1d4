import Testing
import VigilBrowserTesting
import VigilDesk

/// The desk over real loopback sockets: malformed and oversized requests get a clear HTTP error, and
/// the host goes on serving.
@Suite("Desk host over sockets")
struct DeskHostTests {
    @Test("malformed, oversized and chunked requests are refused with their status; the next client is served")
    func refusals() async throws {
        let (server, _) = try DeskServerTests.server()
        let host = try DeskTestHost(server: server)
        defer { host.stop() }
        try await DeskTestHost.onThread {
            let cases: [(String, Int)] = [
                ("GET / HTTP/1.1\r\n\r\n", 400),
                ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: a\r\n\r\n", 414),
                ("POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", 413),
                ("POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
                ("GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "b", count: 17000))\r\n\r\n", 431),
                ("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501),
            ]
            for (text, status) in cases {
                let answer = try MiniHTTPClient.raw(port: host.port, Array(text.utf8))
                #expect(answer.status == status, "\(text.prefix(40).debugDescription)")
                #expect(answer.head.contains("Connection: close"))
                #expect(!answer.body.isEmpty)
            }
            let login = try MiniHTTPClient.request(port: host.port, method: "GET", path: "/login")
            #expect(login.status == 200)
        }
    }
}
