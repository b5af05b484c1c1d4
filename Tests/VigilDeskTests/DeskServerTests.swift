import Foundation
import Testing
import VigilAPI
import VigilCrypto
import VigilDesk

/// The desk server without sockets: login, sessions, CSRF, origin checks, refusals, static files.
@Suite("Desk server")
struct DeskServerTests {
    static let password = "correct horse battery"

    static func server(sessions: SessionSettings = .desk) throws -> (DeskServer, FakeDeskBackend) {
        var accounts = OfficerAccounts()
        try accounts.add(name: "j.dupont", password: password, salt: [UInt8](repeating: 1, count: 16), now: 0, parameters: Scrypt.Parameters(n: 1024, r: 8, p: 1))
        let officers = accounts
        let backend = FakeDeskBackend()
        return (DeskServer(backend: backend, settings: .init(sessions: sessions), officers: { officers }, random: { SecureRandom.bytes($0) }), backend)
    }

    static func request(_ method: HTTPMethod, _ target: String, cookie: String? = nil, csrf: String? = nil, origin: String? = nil, body: String = "") -> HTTPRequest {
        var headers = HTTPHeaders([("host", "127.0.0.1:8443")])
        if let cookie { headers.add("cookie", "vigil-session=\(cookie)") }
        if let csrf { headers.add("x-csrf-token", csrf) }
        if let origin { headers.add("origin", origin) }
        return HTTPRequest(method: method, target: target, headers: headers, body: Array(body.utf8))
    }

    static func response(_ reply: DeskReply) -> HTTPResponse {
        guard case .response(let response) = reply else { return HTTPResponse(status: HTTPStatus(0, "stream")) }
        return response
    }

    /// Logs in and returns the session token and CSRF token.
    static func login(_ server: DeskServer, now: Duration = .zero) async throws -> (String, String) {
        let reply = response(await server.handle(request(.post, "/login", body: "name=j.dupont&password=correct+horse+battery"), client: "10.0.0.1", now: now))
        #expect(reply.status == .seeOther && reply.headers["location"] == "/")
        let cookie = try #require(reply.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let token = String(cookie.split(separator: ";")[0].split(separator: "=")[1])
        let me = response(await server.handle(request(.get, "/api/me", cookie: token), client: "10.0.0.1", now: now))
        let csrf = try #require(String(decoding: me.body, as: UTF8.self).split(separator: "\"").drop { $0 != "csrfToken" }.dropFirst(2).first)
        return (token, String(csrf))
    }

    @Test("login with the right password opens a session; a wrong one redirects with the reason and then makes the next attempt wait")
    func login() async throws {
        let (server, _) = try Self.server()
        let wrong = Self.response(await server.handle(Self.request(.post, "/login", body: "name=j.dupont&password=nope"), client: "10.0.0.1", now: .zero))
        #expect(wrong.status == .seeOther && wrong.headers["location"] == "/login?error=wrong" && wrong.headers["set-cookie"] == nil)
        let waiting = Self.response(await server.handle(Self.request(.post, "/login", body: "name=j.dupont&password=correct+horse+battery"), client: "10.0.0.1", now: .milliseconds(500)))
        #expect(waiting.headers["location"] == "/login?error=wait&seconds=1" && waiting.headers["retry-after"] == "1")
        _ = try await Self.login(server, now: .seconds(2))
    }

    @Test("the API needs a session; writes need its CSRF token; a write from another origin is refused")
    func csrf() async throws {
        let (server, backend) = try Self.server()
        await backend.add(FakeDeskBackend.detail("7", kind: "alert", tlp: "TLP:CLEAR", title: "t", at: 1))
        let x = String(repeating: "7", count: 64)
        #expect(Self.response(await server.handle(Self.request(.get, "/api/feed"), client: "c", now: .zero)).status == .unauthorized)
        #expect(Self.response(await server.handle(Self.request(.get, "/"), client: "c", now: .zero)).headers["location"] == "/login")
        let (token, csrf) = try await Self.login(server)
        let feed = Self.response(await server.handle(Self.request(.get, "/api/feed?tlp=clear", cookie: token), client: "c", now: .zero))
        #expect(feed.status == .ok && feed.headers["cache-control"] == "no-store" && String(decoding: feed.body, as: UTF8.self).contains("\"id\":\"\(x)\""))
        #expect(Self.response(await server.handle(Self.request(.get, "/api/feed?tlp=purple", cookie: token), client: "c", now: .zero)).status == .badRequest)
        let ack = #"{"id":""# + x + #""}"#
        // A token that differs from the real one in its first character, whatever that character is.
        let forged = (csrf.first == "0" ? "1" : "0") + csrf.dropFirst()
        #expect(forged != csrf)
        #expect(Self.response(await server.handle(Self.request(.post, "/api/ack", cookie: token, body: ack), client: "c", now: .zero)).status == .forbidden)
        #expect(Self.response(await server.handle(Self.request(.post, "/api/ack", cookie: token, csrf: forged, body: ack), client: "c", now: .zero)).status == .forbidden)
        #expect(Self.response(await server.handle(Self.request(.post, "/api/ack", cookie: token, csrf: csrf, origin: "https://evil.example", body: ack), client: "c", now: .zero)).status == .forbidden)
        #expect(await backend.acknowledgements.isEmpty)
        let done = Self.response(await server.handle(Self.request(.post, "/api/ack", cookie: token, csrf: csrf, origin: "http://127.0.0.1:8443", body: ack), client: "c", now: .zero))
        #expect(done.status == .ok)
        #expect(await backend.acknowledgements.map(\.officer) == ["j.dupont"])
        // The entry's page now says this node's officer confirmed it (no Acknowledge button), and who.
        let entry = Self.response(await server.handle(Self.request(.get, "/api/entry?id=\(x)", cookie: token), client: "c", now: .zero))
        let detail = try JSONDecoder().decode(DeskEntryDetail.self, from: Data(entry.body))
        #expect(detail.confirmedHere && detail.receipts.map(\.officer) == ["j.dupont"])
        // A malformed id is refused with the field it concerns.
        let bad = Self.response(await server.handle(Self.request(.get, "/api/entry?id=nothex", cookie: token), client: "c", now: .zero))
        #expect(bad.status == .badRequest && String(decoding: bad.body, as: UTF8.self).contains("\"field\":\"id\""))
    }

    @Test("an expired session and a logged-out one are refused with 401; logout clears the cookie")
    func expiry() async throws {
        let (server, _) = try Self.server(sessions: SessionSettings(idleTimeout: .seconds(60), lifetime: .seconds(3600), maxSessions: 10))
        let (token, csrf) = try await Self.login(server)
        let expired = Self.response(await server.handle(Self.request(.get, "/api/me", cookie: token), client: "c", now: .seconds(61)))
        #expect(expired.status == .unauthorized && String(decoding: expired.body, as: UTF8.self).contains("expired"))
        let (second, csrf2) = try await Self.login(server, now: .seconds(100))
        #expect(Self.response(await server.handle(Self.request(.post, "/logout", cookie: second, body: "csrf=\(csrf)"), client: "c", now: .seconds(100))).status == .forbidden)
        let out = Self.response(await server.handle(Self.request(.post, "/logout", cookie: second, body: "csrf=\(csrf2)"), client: "c", now: .seconds(100)))
        #expect(out.status == .seeOther && out.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(Self.response(await server.handle(Self.request(.get, "/api/me", cookie: second), client: "c", now: .seconds(100))).status == .unauthorized)
    }

    @Test("the event stream carries new entries and peer changes, typed")
    func events() async throws {
        let (server, backend) = try Self.server()
        let (token, _) = try await Self.login(server)
        guard case .stream(let head, let events) = await server.handle(Self.request(.get, "/api/events", cookie: token), client: "c", now: .zero) else {
            Issue.record("no event stream")
            return
        }
        #expect(String(decoding: head, as: UTF8.self).contains("text/event-stream"))
        var iterator = events.makeAsyncIterator()
        await backend.add(FakeDeskBackend.detail("5", kind: "message", tlp: "TLP:GREEN", title: "hello", at: 1))
        guard case .entry(let entry)? = await iterator.next() else { Issue.record("no entry event"); return }
        #expect(entry.id == String(repeating: "5", count: 64) && entry.title == "hello")
        let change = PeerSessionChange(name: "gov-antwerp", nodeId: String(repeating: "1", count: 64), state: .disconnected, reason: "the peer closed the connection")
        await backend.changePeer(change)
        let event = await iterator.next()
        #expect(event == .peer(change))
        let bytes = String(decoding: DeskReply.eventBytes(try #require(event)), as: UTF8.self)
        #expect(bytes.hasPrefix("event: peer\ndata: {") && bytes.contains("\"state\":\"disconnected\"") && bytes.hasSuffix("\n\n"), "\(bytes)")
    }

    @Test("the federation page's answer, and roster changes sent as the CLI sends them; a malformed body is refused")
    func federation() async throws {
        let (server, backend) = try Self.server()
        let (token, csrf) = try await Self.login(server)
        await backend.setPeers([NodeStatus.Peer(name: "gov-antwerp", nodeId: String(repeating: "1", count: 64), outbound: false, established: true,
                                                connectedSeconds: 30, lastSeenSeconds: 1.5, roundTripMs: 4, entriesBehind: 2)])
        let answer = Self.response(await server.handle(Self.request(.get, "/api/federation", cookie: token), client: "c", now: .zero))
        let federation = try JSONDecoder().decode(DeskFederation.self, from: Data(answer.body))
        #expect(federation.mayChangeRoster && federation.members.map(\.name) == ["ncc-duty", "gov-antwerp"])
        #expect(federation.peers == [DeskPeer(name: "gov-antwerp", organisation: "Governor of Antwerp", connected: true, direction: .inbound,
                                              entriesBehind: 2, lastSeenSeconds: 1.5, roundTripMs: 4, connectedSeconds: 30)])
        let revoke = #"{"op":"revoke","node":""# + String(repeating: "1", count: 64) + #"","reason":"contract ended"}"#
        #expect(Self.response(await server.handle(Self.request(.post, "/api/roster", cookie: token, body: revoke), client: "c", now: .zero)).status == .forbidden)
        let posted = Self.response(await server.handle(Self.request(.post, "/api/roster", cookie: token, csrf: csrf, body: revoke), client: "c", now: .zero))
        #expect(posted.status == .ok)
        #expect(await backend.rosterPosts == [.object(["op": .string("revoke"), "node": .string(String(repeating: "1", count: 64)),
                                                       "reason": .string("contract ended")])])
        let bad = Self.response(await server.handle(Self.request(.post, "/api/roster", cookie: token, csrf: csrf, body: #"{"op": 7}"#), client: "c", now: .zero))
        #expect(bad.status == .badRequest && String(decoding: bad.body, as: UTF8.self).contains("the body must be"))
    }

    @Test("static files carry the CSP and nosniff; unknown files and pages are 404")
    func files() async throws {
        let (server, _) = try Self.server()
        let login = Self.response(await server.handle(Self.request(.get, "/login"), client: "c", now: .zero))
        #expect(login.status == .ok && login.headers["content-security-policy"] == SecurityHeaders.contentSecurityPolicy)
        let html = String(decoding: login.body, as: UTF8.self)
        #expect(html.contains("<script type=\"module\" src=\"/static/login.js\"></script>"))
        for name in ["desk.css", "desk.js", "feed.js", "entry.js", "api.js", "dom.js", "i18n.js", "login.js", "post.js", "federation.js",
                     "followup.js", "i18n-federation.js"] {
            let file = Self.response(await server.handle(Self.request(.get, "/static/\(name)"), client: "c", now: .zero))
            #expect(file.status == .ok && file.headers["x-content-type-options"] == "nosniff" && !file.body.isEmpty, "\(name)")
        }
        #expect(Self.response(await server.handle(Self.request(.get, "/static/../Package.swift"), client: "c", now: .zero)).status == .notFound)
        #expect(Self.response(await server.handle(Self.request(.get, "/nothing"), client: "c", now: .zero)).status == .notFound)
    }

    @Test("no page holds an inline script or inline style, and no script inserts HTML")
    func noInlineCode() {
        for (name, file) in DeskFiles.files {
            let text = String(decoding: file.bytes, as: UTF8.self)
            if name.hasSuffix(".html") {
                #expect(!text.contains("<script>") && !text.contains("style=") && !text.contains(" on"), "\(name)")
            }
            if name.hasSuffix(".js") {
                #expect(!text.contains("innerHTML") && !text.contains("outerHTML") && !text.contains("insertAdjacentHTML") && !text.contains("eval("), "\(name)")
            }
        }
    }
}
