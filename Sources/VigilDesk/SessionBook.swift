import VigilCrypto

/// How long desk sessions last and how many there may be.
public struct SessionSettings: Equatable, Sendable {
    /// A session unused this long ends (the officer logs in again).
    public var idleTimeout: Duration
    /// A session ends this long after login however busy it is (one long shift).
    public var lifetime: Duration
    /// The most sessions held; beyond it the least recently used ends.
    public var maxSessions: Int

    /// Settings; `.desk` is the default.
    public init(idleTimeout: Duration, lifetime: Duration, maxSessions: Int) {
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.maxSessions = maxSessions
    }

    /// 2 hours idle, 13 hours at most (a 12-hour shift and its hand-over), 500 sessions.
    public static let desk = SessionSettings(idleTimeout: .seconds(2 * 3600), lifetime: .seconds(13 * 3600), maxSessions: 500)
}

/// One logged-in officer's session as the desk sees it.
public struct DeskSession: Equatable, Sendable {
    /// The officer's login name.
    public let officer: String
    /// The token every write must carry in the `X-CSRF-Token` header (or `csrf` form field).
    public let csrfToken: String
    /// When the officer logged in (monotonic time of the host).
    public let created: Duration
    /// When the session was last used.
    public internal(set) var lastUsed: Duration
}

/// Why a request's session was not accepted; each maps to one HTTP status.
public enum SessionRefusal: Error, Equatable, Sendable {
    /// No session cookie: log in (401).
    case noSession
    /// The cookie names no session (logged out, node restarted, or forged): log in (401).
    case unknownSession
    /// The session ran out (idle or lifetime): log in again (401).
    case expired
    /// A write without the session's CSRF token, or with a wrong one (403).
    case csrfMismatch

    /// The HTTP status to answer with.
    public var status: HTTPStatus { self == .csrfMismatch ? .forbidden : .unauthorized }

    /// What the officer reads.
    public var reason: String {
        switch self {
        case .noSession: "not logged in; log in to the desk"
        case .unknownSession: "this session is not known to the node (logged out, or the node restarted); log in again"
        case .expired: "the session has expired; log in again"
        case .csrfMismatch: "the request lacks this session's CSRF token; reload the page and try again"
        }
    }
}

/// The desk's sessions: a pure core with time and random bytes as inputs.
///
/// The session token (in the cookie) is 32 random bytes shown as hex; only its SHA-256 is kept, so a
/// copy of the node's memory does not yield usable cookies. Every write must also present the session's
/// CSRF token, compared in constant time.
public struct SessionBook: Sendable {
    /// The settings in force.
    public let settings: SessionSettings
    private var sessions: [String: DeskSession] = [:]

    /// No sessions.
    public init(settings: SessionSettings = .desk) {
        self.settings = settings
    }

    /// The number of sessions held (expired ones until the next `sweep`).
    public var count: Int { sessions.count }

    /// Opens a session for an officer who just proved the password. `tokenBytes` and `csrfBytes` are
    /// 32 fresh random bytes each (`SecureRandom.bytes(32)`). Returns the cookie token and the session.
    public mutating func open(officer: String, tokenBytes: [UInt8], csrfBytes: [UInt8], now: Duration) -> (token: String, session: DeskSession) {
        precondition(tokenBytes.count >= 16 && csrfBytes.count >= 16, "session tokens need at least 16 random bytes")
        sweep(now: now)
        if sessions.count >= settings.maxSessions, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            sessions[oldest.key] = nil
        }
        let token = hex(tokenBytes)
        let session = DeskSession(officer: officer, csrfToken: hex(csrfBytes), created: now, lastUsed: now)
        sessions[Self.key(token)] = session
        return (token, session)
    }

    /// The session a request's cookie token names, refreshed; or why there is none.
    public mutating func authenticate(token: String?, now: Duration) -> Result<DeskSession, SessionRefusal> {
        guard let token, !token.isEmpty else { return .failure(.noSession) }
        let key = Self.key(token)
        guard var session = sessions[key] else { return .failure(.unknownSession) }
        guard !isExpired(session, now: now) else {
            sessions[key] = nil
            return .failure(.expired)
        }
        session.lastUsed = now
        sessions[key] = session
        return .success(session)
    }

    /// `authenticate`, plus the CSRF check every write needs.
    public mutating func authorizeWrite(token: String?, csrf: String?, now: Duration) -> Result<DeskSession, SessionRefusal> {
        switch authenticate(token: token, now: now) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let session):
            guard let csrf, constantTimeEquals(Array(csrf.utf8), Array(session.csrfToken.utf8)) else { return .failure(.csrfMismatch) }
            return .success(session)
        }
    }

    /// Logs out: the session ends. Unknown tokens are ignored.
    public mutating func close(token: String) {
        sessions[Self.key(token)] = nil
    }

    /// Ends every session of an officer (after `remove-officer` or a password change).
    public mutating func closeAll(officer: String) {
        sessions = sessions.filter { $0.value.officer != officer }
    }

    /// Drops expired sessions.
    public mutating func sweep(now: Duration) {
        sessions = sessions.filter { !isExpired($0.value, now: now) }
    }

    private func isExpired(_ session: DeskSession, now: Duration) -> Bool {
        now - session.lastUsed >= settings.idleTimeout || now - session.created >= settings.lifetime
    }

    static func key(_ token: String) -> String { hex(SHA256.hash(Array(token.utf8))) }
}
