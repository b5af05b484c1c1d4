import Testing
import VigilDesk

/// Sessions, CSRF, login throttling and the session cookie, with a manual clock.
@Suite("Sessions and logins")
struct SessionTests {
    static let settings = SessionSettings(idleTimeout: .seconds(100), lifetime: .seconds(1000), maxSessions: 3)
    static func random(_ seed: UInt8) -> [UInt8] { [UInt8](repeating: seed, count: 32) }

    @Test("a session authenticates with its token, and writes need its CSRF token")
    func csrf() throws {
        var book = SessionBook(settings: Self.settings)
        let (token, session) = book.open(officer: "alice", tokenBytes: Self.random(1), csrfBytes: Self.random(2), now: .zero)
        #expect(token.count == 64 && session.csrfToken.count == 64 && token != session.csrfToken)
        #expect(try book.authenticate(token: token, now: .seconds(1)).get().officer == "alice")
        #expect(book.authorizeWrite(token: token, csrf: nil, now: .seconds(1)) == .failure(.csrfMismatch))
        #expect(book.authorizeWrite(token: token, csrf: "00" + session.csrfToken.dropFirst(2), now: .seconds(1)) == .failure(.csrfMismatch))
        #expect(book.authorizeWrite(token: token, csrf: session.csrfToken, now: .seconds(1)).map(\.officer) == .success("alice"))
        #expect(SessionRefusal.csrfMismatch.status == .forbidden && SessionRefusal.expired.status == .unauthorized)
    }

    @Test("missing, unknown, logged-out and expired sessions are refused with their reason")
    func refusals() {
        var book = SessionBook(settings: Self.settings)
        let (token, _) = book.open(officer: "alice", tokenBytes: Self.random(1), csrfBytes: Self.random(2), now: .zero)
        #expect(book.authenticate(token: nil, now: .zero) == .failure(.noSession))
        #expect(book.authenticate(token: String(repeating: "0", count: 64), now: .zero) == .failure(.unknownSession))
        // Use keeps it alive past the idle timeout…
        for t in stride(from: 90, through: 900, by: 90) {
            #expect((try? book.authenticate(token: token, now: .seconds(t)).get()) != nil, "at \(t) s")
        }
        // …but not past its lifetime.
        #expect(book.authenticate(token: token, now: .seconds(1000)) == .failure(.expired))
        #expect(book.authenticate(token: token, now: .seconds(1000)) == .failure(.unknownSession))

        let (idle, _) = book.open(officer: "bob", tokenBytes: Self.random(3), csrfBytes: Self.random(4), now: .seconds(2000))
        #expect(book.authenticate(token: idle, now: .seconds(2100)) == .failure(.expired))

        let (out, _) = book.open(officer: "bob", tokenBytes: Self.random(5), csrfBytes: Self.random(6), now: .seconds(3000))
        book.close(token: out)
        #expect(book.authenticate(token: out, now: .seconds(3000)) == .failure(.unknownSession))
    }

    @Test("removing an officer ends their sessions; the least recently used goes when full")
    func capacityAndRemoval() {
        var book = SessionBook(settings: Self.settings)
        let (a, _) = book.open(officer: "a", tokenBytes: Self.random(1), csrfBytes: Self.random(1), now: .seconds(1))
        let (b, _) = book.open(officer: "b", tokenBytes: Self.random(2), csrfBytes: Self.random(2), now: .seconds(2))
        let (c, _) = book.open(officer: "c", tokenBytes: Self.random(3), csrfBytes: Self.random(3), now: .seconds(3))
        _ = book.authenticate(token: a, now: .seconds(4))
        let (d, _) = book.open(officer: "d", tokenBytes: Self.random(4), csrfBytes: Self.random(4), now: .seconds(5))
        #expect(book.count == 3)
        #expect(book.authenticate(token: b, now: .seconds(6)) == .failure(.unknownSession))
        book.closeAll(officer: "c")
        #expect(book.authenticate(token: c, now: .seconds(6)) == .failure(.unknownSession))
        #expect((try? book.authenticate(token: a, now: .seconds(6)).get()) != nil && (try? book.authenticate(token: d, now: .seconds(6)).get()) != nil)
    }

    @Test("failed logins double the wait per officer and per address; success clears it")
    func throttle() {
        var throttle = LoginThrottle(settings: .init(base: .seconds(1), maxDelay: .seconds(8), forgetAfter: .seconds(3600), maxRecords: 100))
        #expect(throttle.gate(officer: "alice", address: "10.0.0.1", now: .zero) == .allowed)
        throttle.recordFailure(officer: "alice", address: "10.0.0.1", now: .zero)
        #expect(throttle.gate(officer: "alice", address: "10.0.0.2", now: .zero) == .wait(.seconds(1)))
        #expect(throttle.gate(officer: "bob", address: "10.0.0.1", now: .milliseconds(500)) == .wait(.milliseconds(500)))
        #expect(throttle.gate(officer: "bob", address: "10.0.0.2", now: .zero) == .allowed)
        for n in 1...5 { throttle.recordFailure(officer: "alice", address: "10.0.0.9", now: .seconds(10 * n)) }
        // Six failures for alice: 1, 2, 4, 8 (capped) seconds.
        #expect(throttle.gate(officer: "alice", address: "10.0.0.3", now: .seconds(50)) == .wait(.seconds(8)))
        #expect(throttle.delay(afterFailures: 3) == .seconds(4))
        throttle.recordSuccess(officer: "alice", address: "10.0.0.9")
        #expect(throttle.gate(officer: "alice", address: "10.0.0.9", now: .seconds(50)) == .allowed)
        // Forgotten after a quiet hour: the count starts again.
        throttle.recordFailure(officer: "carol", address: "x", now: .zero)
        throttle.recordFailure(officer: "carol", address: "x", now: .seconds(1))
        throttle.recordFailure(officer: "carol", address: "y", now: .seconds(5000))
        #expect(throttle.gate(officer: "carol", address: "z", now: .seconds(5000)) == .wait(.seconds(1)))
    }

    @Test("the cookie: HttpOnly and SameSite=Strict always, __Host- and Secure over HTTPS; read back from Cookie headers")
    func cookie() {
        #expect(SessionCookie.setting(token: "abc", secure: false) == "vigil-session=abc; Path=/; HttpOnly; SameSite=Strict")
        #expect(SessionCookie.setting(token: "abc", secure: true) == "__Host-vigil-session=abc; Path=/; HttpOnly; SameSite=Strict; Secure")
        #expect(SessionCookie.clearing(secure: false).contains("Max-Age=0"))
        let headers = HTTPHeaders([("cookie", "theme=dark; vigil-session=tok123"), ("cookie", "__Host-vigil-session=sec")])
        #expect(SessionCookie.token(in: headers, secure: false) == "tok123")
        #expect(SessionCookie.token(in: headers, secure: true) == "sec")
        #expect(SessionCookie.token(in: HTTPHeaders([("cookie", "vigil-session=")]), secure: false) == nil)
    }
}
