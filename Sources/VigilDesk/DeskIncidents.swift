import VigilAPI
import VigilModel

/// The incidents page's values (`GET /api/incidents`, `GET /api/incident`): the queue with each
/// incident's status, and one incident with its assessments. Every text is from an entry and is shown as
/// text.

/// One incident in the queue.
public struct DeskIncidentItem: Codable, Equatable, Sendable {
    /// The incident as a feed line.
    public var summary: DeskEntrySummary
    /// The incident's current fields in its human JSON form (category, location, observed_at…).
    public var fields: JSONValue
    /// Its status: new, assessing or closed.
    public var status: String
    /// The latest assessment that counts, when there is one.
    public var current: AssessmentView?
    /// How many assessments count.
    public var assessments: Int
}

/// The queue: newest first; the page groups it by status.
public struct DeskIncidentQueue: Codable, Equatable, Sendable {
    /// The incidents this node holds.
    public var incidents: [DeskIncidentItem]
    /// Whether this node's officers may record assessments (its role may author them).
    public var mayAssess: Bool
}

/// One incident's page: the entry and where it stands.
public struct DeskIncidentDetail: Codable, Equatable, Sendable {
    /// The incident as the entry page shows it.
    public var entry: DeskEntryDetail
    /// Its status and every assessment that counts, oldest first.
    public var status: IncidentStatusView
    /// Whether this node's officers may record assessments.
    public var mayAssess: Bool
    /// Whether this node's officers may send alerts (the "send an alert from this incident" link).
    public var maySendAlert: Bool
}

extension DeskServer {
    /// The incidents API: `GET /api/incidents` (the queue) and `GET /api/incident?id=` (one incident).
    /// Assessments are posted through `POST /api/compose` (kind `assessment`, the incident as first ref),
    /// where the node checks them like any other post.
    func incidentsAPI(_ request: HTTPRequest, path: String) async throws(DeskRefusal) -> HTTPResponse {
        let me = try await identity()
        let mayAssess = FederationRules.may(me.role, author: .assessment)
        switch path {
        case "/api/incidents":
            let items = try await perform(IncidentsRequest(limit: 500)).incidents
            return json(DeskIncidentQueue(incidents: items.map { item in
                DeskIncidentItem(summary: DeskViews.summary(item.incident), fields: item.incident.fields, status: item.status.status,
                                 current: item.status.assessments.last, assessments: item.status.assessments.count)
            }, mayAssess: mayAssess))
        default:
            guard let text = request.query.first(where: { $0.name == "id" })?.value else { throw DeskRefusal(.badRequest, field: "id", "give the incident's id") }
            let detail = try await perform(ShowRequest(id: try Self.entryID(text))).entry
            guard let status = detail.incident else {
                throw DeskRefusal(.notFound, field: "id", "\(text.prefix(16))… is a \(detail.summary.kind), not an incident")
            }
            return json(DeskIncidentDetail(entry: DeskViews.detail(detail, node: me.name), status: status, mayAssess: mayAssess,
                                           maySendAlert: FederationRules.may(me.role, author: .alert)))
        }
    }
}
