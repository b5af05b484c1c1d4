/// What the desk server needs from its node: the only way the desk reaches the core. Each call
/// carries the officer acting, so writes are attributed. The node's adapter maps these to the typed
/// local API; tests use an in-memory backend.
public protocol DeskBackend: Sendable {
    /// The node's own name and organisation, for the page header.
    func identity() async -> DeskNodeIdentity
    /// One page of the feed.
    func feed(_ query: FeedQuery, officer: String) async throws(DeskRefusal) -> FeedPage
    /// One entry, or a 404 refusal.
    func entry(id: String, officer: String) async throws(DeskRefusal) -> DeskEntryDetail
    /// The officer acknowledges an entry as this node's duty officer.
    func acknowledge(id: String, officer: String) async throws(DeskRefusal)
    /// Live events from now on, until the stream's consumer stops.
    func events() async -> AsyncStream<DeskEvent>
}

/// The node a desk belongs to.
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
}
