import Foundation
import Testing
import VigilCrypto
import VigilDesk

/// The desk server's HTTPS settings without sockets: the `__Host-` cookie with Secure, HSTS on every
/// response, writes only from `https://` pages of the desk's host; and none of that over plain HTTP.
@Suite("Desk server over HTTPS")
struct DeskServerHTTPSTests {
    static let host = "desk.example.org:8443"

    static func server(secure: Bool) throws -> DeskServer {
        var accounts = OfficerAccounts()
        try accounts.add(name: "j.dupont", password: DeskServerTests.password, salt: [UInt8](repeating: 1, count: 16), now: 0,
                         parameters: Scrypt.Parameters(n: 1024, r: 8, p: 1))
        let officers = accounts
        return DeskServer(backend: FakeDeskBackend(), settings: .init(secure: secure), officers: { officers }, random: { SecureRandom.bytes($0) })
    }

    static func request(_ method: HTTPMethod, _ target: String, cookie: (name: String, token: String)? = nil, csrf: String? = nil,
                        origin: String? = nil, body: String = "") -> HTTPRequest {
        var headers = HTTPHeaders([("host", host)])
        if let cookie { headers.add("cookie", "\(cookie.name)=\(cookie.token)") }
        if let csrf { headers.add("x-csrf-token", csrf) }
        if let origin { headers.add("origin", origin) }
        return HTTPRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
    }

    static let form = "name=j.dupont&password=correct+horse+battery"

    @Test("over HTTPS: the session cookie is __Host- and Secure, and every response carries Strict-Transport-Security")
    func secureCookieAndHSTS() async throws {
        let server = try Self.server(secure: true)
        let page = DeskServerTests.response(await server.handle(Self.request(.get, "/login"), client: "c", now: .zero))
        #expect(page.status == .ok && page.headers["strict-transport-security"] == "max-age=31536000")
        let login = DeskServerTests.response(await server.handle(Self.request(.post, "/login", origin: "https://\(Self.host)", body: Self.form), client: "c", now: .zero))
        #expect(login.status == .seeOther && login.headers["strict-transport-security"] == "max-age=31536000")
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.hasPrefix("__Host-vigil-session=") && cookie.hasSuffix("; Path=/; HttpOnly; SameSite=Strict; Secure"), "\(cookie)")
        let token = String(cookie.split(separator: ";")[0].split(separator: "=")[1])
        let me = DeskServerTests.response(await server.handle(Self.request(.get, "/api/me", cookie: ("__Host-vigil-session", token)), client: "c", now: .zero))
        #expect(me.status == .ok && me.headers["strict-transport-security"] != nil)
        // The plain-HTTP cookie name is not a session over HTTPS; refusals carry HSTS too.
        let plainName = DeskServerTests.response(await server.handle(Self.request(.get, "/api/me", cookie: ("vigil-session", token)), client: "c", now: .zero))
        #expect(plainName.status == .unauthorized && plainName.headers["strict-transport-security"] != nil)
        let missing = DeskServerTests.response(await server.handle(Self.request(.get, "/nothing"), client: "c", now: .zero))
        #expect(missing.status == .notFound && missing.headers["strict-transport-security"] != nil)
    }

    @Test("over HTTPS a write from an http:// page of the same host is refused; over plain HTTP both schemes are accepted (a TLS proxy on the machine)")
    func origin() async throws {
        let secure = try Self.server(secure: true)
        let refused = DeskServerTests.response(await secure.handle(Self.request(.post, "/login", origin: "http://\(Self.host)", body: Self.form), client: "c", now: .zero))
        #expect(refused.status == .forbidden && refused.headers["set-cookie"] == nil)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("another site (Origin http://\(Self.host))"))
        let other = DeskServerTests.response(await secure.handle(Self.request(.post, "/login", origin: "https://evil.example", body: Self.form), client: "c", now: .zero))
        #expect(other.status == .forbidden)

        let plain = try Self.server(secure: false)
        for scheme in ["http", "https"] {
            let login = DeskServerTests.response(await plain.handle(Self.request(.post, "/login", origin: "\(scheme)://\(Self.host)", body: Self.form), client: "c\(scheme)", now: .zero))
            #expect(login.status == .seeOther && login.headers["location"] == "/", "\(scheme)")
            let cookie = try #require(login.headers["set-cookie"])
            #expect(cookie.hasPrefix("vigil-session=") && !cookie.contains("Secure") && login.headers["strict-transport-security"] == nil)
        }
    }
}
