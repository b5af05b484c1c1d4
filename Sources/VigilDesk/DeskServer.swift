import VigilAPI
import VigilModel

/// The desk's request handling: login, logout, sessions, CSRF, the static files and the JSON API,
/// over a `DeskBackend`. No sockets: a host (the node's event loop, or a test host) parses requests
/// with `DeskConnectionMachine`, calls `handle`, and writes the reply. Time and randomness come in.
public actor DeskServer {
    /// How the desk is reached, for the cookie and origin checks.
    public struct Settings: Sendable {
        /// Served over HTTPS: Secure cookie with the `__Host-` name, Strict-Transport-Security on every
        /// response, and writes only from `https://` pages of this host.
        public var secure: Bool
        /// Sessions.
        public var sessions: SessionSettings
        /// Login delays.
        public var throttle: LoginThrottle.Settings

        /// Settings; plain HTTP on loopback by default.
        public init(secure: Bool = false, sessions: SessionSettings = .desk, throttle: LoginThrottle.Settings = .desk) {
            self.secure = secure
            self.sessions = sessions
            self.throttle = throttle
        }
    }

    let backend: any DeskBackend
    private let officers: @Sendable () throws(DeskError) -> OfficerAccounts
    private let random: @Sendable (Int) -> [UInt8]
    private let settings: Settings
    private var sessions: SessionBook
    private var throttle: LoginThrottle
    private var node: DeskNodeIdentity?

    /// A server. `officers` reads the officer file (called at each login, so `vigil desk add-officer`
    /// takes effect at once); `random` gives secure random bytes (`SecureRandom.bytes`).
    public init(backend: any DeskBackend, settings: Settings = Settings(),
                officers: @escaping @Sendable () throws(DeskError) -> OfficerAccounts,
                random: @escaping @Sendable (Int) -> [UInt8]) {
        self.backend = backend
        self.officers = officers
        self.random = random
        self.settings = settings
        sessions = SessionBook(settings: settings.sessions)
        throttle = LoginThrottle(settings: settings.throttle)
    }

    /// The reply to one request from `client` (its address, for login delays) at `now`.
    public func handle(_ request: HTTPRequest, client: String, now: Duration) async -> DeskReply {
        let reply = await route(request, client: client, now: now)
        guard settings.secure, case .response(var response) = reply else { return reply }
        response.headers.set("Strict-Transport-Security", SecurityHeaders.strictTransportSecurity)
        return .response(response)
    }

    private func route(_ request: HTTPRequest, client: String, now: Duration) async -> DeskReply {
        guard let path = request.path else { return .response(refusal(DeskRefusal(.badRequest, "the address has a malformed %-escape"))) }
        if request.method == .post, let origin = request.headers["origin"], origin != "null" {
            let host = request.headers["host"] ?? ""
            // Plain HTTP on loopback may sit behind a TLS proxy on the same machine, whose pages are https.
            guard origin == "https://\(host)" || (!settings.secure && origin == "http://\(host)") else {
                return .response(refusal(DeskRefusal(.forbidden, "a write from another site (Origin \(origin)) is refused")))
            }
        }
        switch (request.method, path) {
        case (.get, "/"), (.head, "/"):
            let token = SessionCookie.token(in: request.headers, secure: settings.secure)
            if case .failure = sessions.authenticate(token: token, now: now) { return .response(redirect("/login")) }
            return .response(file("desk.html", caching: .never))
        case (.get, "/login"), (.head, "/login"):
            return .response(file("login.html", caching: .never))
        case (.post, "/login"):
            return .response(await login(request, client: client, now: now))
        case (.post, "/logout"):
            let token = SessionCookie.token(in: request.headers, secure: settings.secure)
            switch sessions.authorizeWrite(token: token, csrf: FormDecoding.value("csrf", in: request.body) ?? request.headers["x-csrf-token"], now: now) {
            case .failure(let refusal): return .response(sessionRefusal(refusal))
            case .success:
                if let token { sessions.close(token: token) }
                var response = redirect("/login")
                response.headers.add("Set-Cookie", SessionCookie.clearing(secure: settings.secure))
                return .response(response)
            }
        case (.get, _) where path.hasPrefix("/static/"), (.head, _) where path.hasPrefix("/static/"):
            return .response(file(String(path.dropFirst("/static/".count)), caching: .revalidate))
        case (_, _) where path.hasPrefix("/api/"):
            return await api(request, path: path, now: now)
        default:
            return .response(refusal(DeskRefusal(.notFound, "no page \(path) on this desk")))
        }
    }

    private func api(_ request: HTTPRequest, path: String, now: Duration) async -> DeskReply {
        let token = SessionCookie.token(in: request.headers, secure: settings.secure)
        let check = request.method == .post
            ? sessions.authorizeWrite(token: token, csrf: request.headers["x-csrf-token"], now: now)
            : sessions.authenticate(token: token, now: now)
        let session: DeskSession
        switch check {
        case .failure(let refusal): return .response(sessionRefusal(refusal))
        case .success(let found): session = found
        }
        do throws(DeskRefusal) {
            switch (request.method, path) {
            case (.get, "/api/me"):
                return .response(json(DeskMe(officer: session.officer, csrfToken: session.csrfToken, node: try await identity())))
            case (.get, "/api/feed"):
                let query = try FeedQuery(queryItems: request.query)
                let entries = try await perform(DeskViews.entriesRequest(query)).entries
                return .response(json(DeskViews.feedPage(entries, limit: query.limit)))
            case (.get, "/api/entry"):
                guard let text = request.query.first(where: { $0.name == "id" })?.value else { throw DeskRefusal(.badRequest, field: "id", "give the entry id") }
                let detail = try await perform(ShowRequest(id: try Self.entryID(text))).entry
                return .response(json(DeskViews.detail(detail, node: try await identity().name)))
            case (.post, "/api/ack"):
                guard let body = DeskJSON.decode(DeskIdRequest.self, request.body) else { throw DeskRefusal(.badRequest, "the body must be {\"id\": \"…\"}") }
                let posted = try await perform(AckRequest(id: try Self.entryID(body.id), officer: session.officer))
                return .response(json(DeskPosted(id: posted.id.hex)))
            case (.get, "/api/post-setup"):
                let roster = try await perform(RosterRequest()).members.filter { $0.status == .active }
                // An assessment needs its incident as first ref: it is recorded from the incident's page.
                let forms = KindSchemas.postable.filter { $0 != .assessment }.compactMap { KindSchemas.form($0) }
                return .response(json(DeskPostSetup(forms: forms, roles: Role.allCases.map(\.rawValue),
                                                    members: roster.map { .init(name: $0.name, organisation: $0.organisation, id: $0.identity.hex) })))
            case (.post, "/api/compose"):
                guard let body = DeskJSON.decode(DeskComposeRequest.self, request.body) else {
                    throw DeskRefusal(.badRequest, "the body must be {\"kind\": …, \"fields\": {…}, \"audience\": …, \"refs\": […]}")
                }
                var refs: [EntryID] = []
                for text in body.refs ?? [] { refs.append(try Self.entryID(text)) }
                let posted = try await perform(ComposeRequest(kind: body.kind, fields: body.fields, audience: body.audience, refs: refs,
                                                              officer: session.officer))
                return .response(json(DeskPosted(id: posted.id.hex)))
            case (.get, "/api/commtest"):
                return .response(json(try await commTest(request)))
            case (.get, "/api/commtest.csv"):
                let report = try await commTest(request)
                var headers = HTTPHeaders([("Content-Type", "text/csv; charset=utf-8"),
                                           ("Content-Disposition", "attachment; filename=\"commtest-\(report.summary.id.hex.prefix(12)).csv\"")])
                SecurityHeaders.apply(to: &headers, caching: .never)
                return .response(HTTPResponse(status: .ok, headers: headers, body: Array(CommTestCSV.render(report).utf8)))
            case (.get, "/api/incidents"), (.get, "/api/incident"):
                return .response(try await incidentsAPI(request, path: path))
            case (.get, "/api/events"):
                var headers = HTTPHeaders()
                SecurityHeaders.apply(to: &headers, caching: .never)
                return .stream(head: ServerSentEvent.streamHead(headers: headers), events: await events())
            case (.get, "/api/federation"):
                return .response(json(try await federation()))
            case (.post, "/api/roster"):
                return .response(json(try await rosterChange(request.body)))
            default:
                if let reply = try await mapAndCAP(request, path: path, session: session) { return reply }
                throw DeskRefusal(.notFound, "no API \(request.method.rawValue) \(path)")
            }
        } catch {
            return .response(refusal(error))
        }
    }

    /// One local API request through the backend; the node's failure becomes the desk's refusal.
    func perform<Op: APIOperation>(_ request: Op) async throws(DeskRefusal) -> Op.Answer {
        do { return try await backend.perform(request) } catch { throw DeskRefusal(error) }
    }

    /// A communication test's report (`?id=`; without one, the newest).
    private func commTest(_ request: HTTPRequest) async throws(DeskRefusal) -> CommTestReport {
        let text = request.query.first(where: { $0.name == "id" })?.value ?? ""
        return try await perform(CommTestResultsRequest(id: text.isEmpty ? nil : try Self.entryID(text))).test
    }

    /// This desk's node (asked once: a node's name, organisation and role do not change while it runs).
    func identity() async throws(DeskRefusal) -> DeskNodeIdentity {
        if let node { return node }
        let status = try await perform(StatusRequest()).status
        let found = DeskNodeIdentity(name: status.name, organisation: status.organisation, role: status.role)
        node = found
        return found
    }

    static func entryID(_ text: String) throws(DeskRefusal) -> EntryID {
        guard let id = EntryID(hex: text) else { throw DeskRefusal(.badRequest, field: "id", "an entry id is 64 hex digits; got \"\(text.prefix(80))\"") }
        return id
    }

    private func login(_ request: HTTPRequest, client: String, now: Duration) async -> HTTPResponse {
        let name = FormDecoding.value("name", in: request.body) ?? ""
        let password = FormDecoding.value("password", in: request.body) ?? ""
        if case .wait(let wait) = throttle.gate(officer: name, address: client, now: now) {
            let seconds = max(1, Int((wait + .milliseconds(999)).components.seconds))
            var response = redirect("/login?error=wait&seconds=\(seconds)")
            response.headers.add("Retry-After", String(seconds))
            return response
        }
        let accounts: OfficerAccounts
        do {
            accounts = try officers()
        } catch {
            return refusal(DeskRefusal(.internalServerError, "the node cannot read its officer file: \(error.message)"))
        }
        guard accounts.verify(name: name, password: password) else {
            throttle.recordFailure(officer: name, address: client, now: now)
            return redirect("/login?error=wrong")
        }
        throttle.recordSuccess(officer: name, address: client)
        let (token, _) = sessions.open(officer: name, tokenBytes: random(32), csrfBytes: random(32), now: now)
        var response = redirect("/")
        response.headers.add("Set-Cookie", SessionCookie.setting(token: token, secure: settings.secure))
        return response
    }

    private func file(_ name: String, caching: SecurityHeaders.Caching) -> HTTPResponse {
        guard let file = DeskFiles.files[name] else { return refusal(DeskRefusal(.notFound, "no file \(name) on this desk")) }
        var headers = HTTPHeaders([("Content-Type", file.contentType)])
        SecurityHeaders.apply(to: &headers, caching: caching)
        return HTTPResponse(status: .ok, headers: headers, body: file.bytes)
    }

    func json(_ value: some Encodable) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        SecurityHeaders.apply(to: &headers, caching: .never)
        return HTTPResponse(status: .ok, headers: headers, body: DeskJSON.bytes(value))
    }

    private func redirect(_ location: String) -> HTTPResponse {
        var headers = HTTPHeaders([("Location", location)])
        SecurityHeaders.apply(to: &headers, caching: .never)
        return HTTPResponse(status: .seeOther, headers: headers)
    }

    private func refusal(_ refusal: DeskRefusal) -> HTTPResponse {
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        SecurityHeaders.apply(to: &headers, caching: .never)
        return HTTPResponse(status: HTTPStatus(refusal.status, Self.reason(refusal.status)), headers: headers, body: DeskJSON.bytes(refusal))
    }

    private func sessionRefusal(_ refusal: SessionRefusal) -> HTTPResponse {
        self.refusal(DeskRefusal(refusal.status, refusal.reason))
    }

    static func reason(_ code: Int) -> String {
        [HTTPStatus.badRequest, .unauthorized, .forbidden, .notFound, .conflict, .unprocessableContent, .tooManyRequests,
         .internalServerError, .serviceUnavailable].first { $0.code == code }?.reason ?? "Error"
    }
}

/// `GET /api/me`: who is logged in, the CSRF token for writes, and the node.
public struct DeskMe: Codable, Equatable, Sendable {
    /// The officer.
    public var officer: String
    /// The token to send as `X-CSRF-Token` on every write.
    public var csrfToken: String
    /// The node.
    public var node: DeskNodeIdentity
}

/// A request body naming one entry (`POST /api/ack`).
public struct DeskIdRequest: Codable, Equatable, Sendable {
    /// The entry id.
    public var id: String
}

/// The answer to a write: the id of the entry the node signed and stored for it.
public struct DeskPosted: Codable, Equatable, Sendable {
    /// The new entry's id (64 hex).
    public var id: String
}
