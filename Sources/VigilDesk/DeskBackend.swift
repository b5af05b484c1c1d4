import VigilAPI

/// What the desk server needs from its node: the only way the desk reaches the core. The desk speaks
/// the local API's own typed requests and answers (`VigilAPI`), so the node's adapter hands them to
/// the same `LocalAPIHandler` as `node.sock` — the same federation and audience checks, no second
/// path. Tests use an in-memory backend.
public protocol DeskBackend: Sendable {
    /// Carries out one local API request and returns its answer, or the node's typed failure.
    func perform<Op: APIOperation>(_ request: Op) async throws(APIFailure) -> Op.Answer
    /// Entries as the node holds them from now on (`follow` without its backlog), until the stream's
    /// consumer stops.
    func follow() async -> AsyncStream<EntrySummary>
    /// Peer sessions as they open and close from now on, until the stream's consumer stops.
    func followPeers() async -> AsyncStream<PeerSessionChange>
}

/// The node a desk belongs to, for the page header (from the node's `status`).
public struct DeskNodeIdentity: Codable, Equatable, Sendable {
    /// The node's name.
    public var name: String
    /// Its organisation.
    public var organisation: String
    /// Its federation role.
    public var role: String

    /// An identity.
    public init(name: String, organisation: String, role: String) {
        self.name = name
        self.organisation = organisation
        self.role = role
    }
}

/// A request the desk or its backend refused: the HTTP status, the field it concerns (a post form
/// shows the reason next to that field) and the reason, as the CLI would give it.
public struct DeskRefusal: Error, Codable, Equatable, Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The field path the refusal concerns, if one.
    public var field: String?
    /// What was wrong and what to do.
    public var reason: String

    /// A refusal.
    public init(_ status: HTTPStatus, field: String? = nil, _ reason: String) {
        self.status = status.code
        self.field = field
        self.reason = reason
    }

    /// The node's failure as the desk answers it: the same sentence and field path the CLI prints.
    public init(_ failure: APIFailure) {
        let status: HTTPStatus = switch failure.code {
        case .badRequest: .badRequest
        case .invalid, .refused: .unprocessableContent
        case .notFound: .notFound
        case .unavailable, .noNode: .serviceUnavailable
        }
        self.init(status, field: failure.refusal?.field, failure.error)
    }
}
