import VigilModel

// The local API's answers, one type per request (docs/local-api.md). Field names are the wire's.

/// A node's state for `vigil status` and the desk's federation page.
public struct NodeStatus: Codable, Sendable, Equatable {
    /// One connected peer.
    public struct Peer: Codable, Sendable, Equatable {
        /// Its name in the roster (or its fingerprint).
        public let name: String
        /// Its node id.
        public let nodeId: String
        /// Whether this node dialed it.
        public let outbound: Bool
        /// Whether HELLO was exchanged.
        public let established: Bool
        /// Seconds since it connected.
        public let connectedSeconds: Double
        /// Seconds since a frame last arrived.
        public let lastSeenSeconds: Double
        /// Last round-trip time in ms.
        public let roundTripMs: UInt64?
        /// Entries asked for and not yet received.
        public let entriesBehind: Int
        /// The Vigil release it announced; nil when it announced none (a release before 0.3.0, or
        /// its RELEASE frame has not arrived yet).
        public let release: String?
        /// The route (`host:port`) this node dialed the session over; nil when the peer dialed (and
        /// from nodes that did not say).
        public let route: String?

        /// A peer's status.
        public init(name: String, nodeId: String, outbound: Bool, established: Bool, connectedSeconds: Double,
                    lastSeenSeconds: Double, roundTripMs: UInt64?, entriesBehind: Int, release: String? = nil, route: String? = nil) {
            self.route = route
            self.name = name
            self.nodeId = nodeId
            self.outbound = outbound
            self.established = established
            self.connectedSeconds = connectedSeconds
            self.lastSeenSeconds = lastSeenSeconds
            self.roundTripMs = roundTripMs
            self.entriesBehind = entriesBehind
            self.release = release
        }
    }
    /// This node's name.
    public let name: String
    /// Its node id.
    public let nodeId: String
    /// Its organisation.
    public let organisation: String
    /// Its role.
    public let role: String
    /// The Vigil release this node runs (nil from a node before 0.3.0).
    public let release: String?
    /// Entries held.
    public let entries: Int
    /// Connected peers.
    public let peers: [Peer]
    /// Configured peers that are not connected now.
    public let disconnected: [String]
    /// Refused connections and entries so far, by log event.
    public let refusals: [String: Int]
    /// Peers this node dials and is not in session with: when it tries again (absent from older nodes).
    public let redials: [Redial]?

    /// A peer this node is trying to reach.
    public struct Redial: Codable, Sendable, Equatable {
        /// Its name.
        public let name: String
        /// Attempts that failed since the last session.
        public let failedAttempts: Int
        /// Seconds until the next attempt; nil while an attempt is under way, or when the node has
        /// stopped trying (`leftToPeer`).
        public let nextTrySeconds: Double?
        /// The route (`host:port`) being tried or tried next (absent from older nodes).
        public let route: String?
        /// Whether the peer's configuration dials this node (this node dials it too, for a while).
        public let dialsThisNode: Bool?
        /// Whether this node has stopped trying: the peer dials this node, and lost it long ago.
        public let leftToPeer: Bool?
        /// A redial line.
        public init(name: String, failedAttempts: Int, nextTrySeconds: Double?, route: String? = nil,
                    dialsThisNode: Bool? = nil, leftToPeer: Bool? = nil) {
            self.route = route
            self.dialsThisNode = dialsThisNode
            self.leftToPeer = leftToPeer
            self.name = name
            self.failedAttempts = failedAttempts
            self.nextTrySeconds = nextTrySeconds
        }
    }

    /// Peers whose session with this node ended since it started and has not been replaced (absent
    /// from older nodes): the "last seen" of a peer that is gone.
    public let ended: [EndedSession]?

    /// A peer that was connected and is not now.
    public struct EndedSession: Codable, Sendable, Equatable {
        /// Its name in the roster.
        public let name: String
        /// Its node id.
        public let nodeId: String
        /// Seconds since its session ended.
        public let endedSeconds: Double
        /// Why the session ended (the close reason's sentence).
        public let reason: String

        /// An ended session.
        public init(name: String, nodeId: String, endedSeconds: Double, reason: String) {
            self.name = name
            self.nodeId = nodeId
            self.endedSeconds = endedSeconds
            self.reason = reason
        }
    }

    /// A status.
    public init(name: String, nodeId: String, organisation: String, role: String, release: String? = nil, entries: Int, peers: [Peer],
                disconnected: [String], refusals: [String: Int], redials: [Redial] = [], ended: [EndedSession] = []) {
        self.ended = ended
        self.name = name
        self.nodeId = nodeId
        self.organisation = organisation
        self.role = role
        self.release = release
        self.entries = entries
        self.peers = peers
        self.disconnected = disconnected
        self.refusals = refusals
        self.redials = redials
    }
}

/// The answer to `status`.
public struct StatusAnswer: Codable, Sendable, Equatable {
    /// The node's state.
    public let status: NodeStatus
    /// The answer.
    public init(status: NodeStatus) { self.status = status }
}

/// An audience with node ids shown as member names.
public struct AudienceView: Codable, Sendable, Equatable {
    /// The label, e.g. `TLP:AMBER`.
    public let tlp: String
    /// Recipient roles.
    public let roles: [String]
    /// Recipient organisations.
    public let organisations: [String]
    /// Recipient nodes, by name (or id when unknown).
    public let nodes: [String]
    /// An audience view.
    public init(tlp: String, roles: [String], organisations: [String], nodes: [String]) {
        self.tlp = tlp
        self.roles = roles
        self.organisations = organisations
        self.nodes = nodes
    }
}

/// One entry as people see it in lists: who, when, what, for whom, and a one-line summary of its
/// *current* state (after every update held; a retraction says so).
public struct EntrySummary: Codable, Sendable, Equatable {
    /// The entry id.
    public let id: EntryID
    /// The kind's name.
    public let kind: String
    /// ISO 8601 time of the entry (its HLC's wall-clock part).
    public let time: String
    /// The same time in ms since the epoch.
    public let timeMs: UInt64
    /// The full HLC, `ms.counter`.
    public let hlc: String
    /// The author's member name (or fingerprint).
    public let author: String
    /// The author's organisation.
    public let organisation: String
    /// Referenced entries.
    public let refs: [EntryID]
    /// Who may read it.
    public let audience: AudienceView
    /// The body as signed, in its kind's human JSON form.
    public let fields: JSONValue
    /// One line describing the current state.
    public let summary: String
    /// Whether an update held amends it.
    public let amended: Bool
    /// Whether an update held retracts it.
    public let retracted: Bool

    enum CodingKeys: String, CodingKey {
        case id, kind, time, hlc, author, organisation, refs, audience, fields, summary, amended, retracted
        case timeMs = "time_ms"
    }

    /// A summary.
    public init(id: EntryID, kind: String, time: String, timeMs: UInt64, hlc: String, author: String, organisation: String,
                refs: [EntryID], audience: AudienceView, fields: JSONValue, summary: String, amended: Bool, retracted: Bool) {
        self.id = id
        self.kind = kind
        self.time = time
        self.timeMs = timeMs
        self.hlc = hlc
        self.author = author
        self.organisation = organisation
        self.refs = refs
        self.audience = audience
        self.fields = fields
        self.summary = summary
        self.amended = amended
        self.retracted = retracted
    }
}

/// The answer to `entries`.
public struct EntriesAnswer: Codable, Sendable, Equatable {
    /// Newest first.
    public let entries: [EntrySummary]
    /// The answer.
    public init(entries: [EntrySummary]) { self.entries = entries }
}

/// One step of a document's history.
public struct HistoryStep: Codable, Sendable, Equatable {
    /// What the step did.
    public enum Change: String, Codable, Sendable {
        /// The entry itself.
        case created
        /// An update that amended fields.
        case amended
        /// An update that retracted it.
        case retracted
        /// An update that does not apply (not allowed, or after a retraction), with the reason.
        case ignored
    }
    /// The entry of this step (the document or an update).
    public let entry: EntryID
    /// Who wrote it.
    public let by: String
    /// When (ISO 8601).
    public let time: String
    /// When, ms since the epoch.
    public let timeMs: UInt64
    /// What it did.
    public let change: Change
    /// Names of the amended fields.
    public let fields: [String]?
    /// The values after this step of the amended fields, in human JSON form (for the desk's diff).
    public let values: JSONValue?
    /// A retraction's or an ignored update's reason.
    public let reason: String?
    /// The desk officer of the author node who made this update (absent when it names none: made from
    /// the command line, by a release before the desk, or the entry itself).
    public let officer: String?

    enum CodingKeys: String, CodingKey {
        case entry, by, time, change, fields, values, reason, officer
        case timeMs = "time_ms"
    }

    /// A history step.
    public init(entry: EntryID, by: String, time: String, timeMs: UInt64, change: Change, fields: [String]? = nil,
                values: JSONValue? = nil, reason: String? = nil, officer: String? = nil) {
        self.officer = officer
        self.entry = entry
        self.by = by
        self.time = time
        self.timeMs = timeMs
        self.change = change
        self.fields = fields
        self.values = values
        self.reason = reason
    }
}

/// Who retracted a document, when and why.
public struct RetractionView: Codable, Sendable, Equatable {
    /// The member.
    public let by: String
    /// When (ISO 8601).
    public let time: String
    /// Why.
    public let reason: String
    /// A retraction.
    public init(by: String, time: String, reason: String) {
        self.by = by
        self.time = time
        self.reason = reason
    }
}

/// A member's acknowledgements of an entry.
public struct MemberAcknowledgement: Codable, Sendable, Equatable {
    /// The member.
    public let member: String
    /// When its node received it (automatic receipt), ISO 8601.
    public let received: String?
    /// When its duty officer confirmed it, ISO 8601.
    public let confirmed: String?
    /// The member's organisation (absent from nodes before the desk).
    public let organisation: String?
    /// When its duty officer confirmed it, ms since the epoch (absent from nodes before the desk).
    public let confirmedMs: UInt64?
    /// The desk officer who confirmed it, when the confirmation names one.
    public let officer: String?

    enum CodingKeys: String, CodingKey {
        case member, received, confirmed, organisation, officer
        case confirmedMs = "confirmed_ms"
    }

    /// An acknowledgement view.
    public init(member: String, received: String?, confirmed: String?, organisation: String? = nil, confirmedMs: UInt64? = nil,
                officer: String? = nil) {
        self.member = member
        self.received = received
        self.confirmed = confirmed
        self.organisation = organisation
        self.confirmedMs = confirmedMs
        self.officer = officer
    }
}

/// One responder of a communication test.
public struct CommTestResultView: Codable, Sendable, Equatable {
    /// Where the responder stands.
    public enum Status: String, Codable, Sendable {
        /// No answer held.
        case silent
        /// Its node answered automatically.
        case received
        /// Its duty officer confirmed.
        case confirmed
    }
    /// The member.
    public let member: String
    /// Its status.
    public let status: Status
    /// When its node received the test (ISO 8601).
    public let received: String?
    /// Delay of the automatic receipt, ms.
    public let automaticDelayMs: UInt64?
    /// When its officer confirmed (ISO 8601).
    public let confirmed: String?
    /// Delay of the officer's confirmation, ms.
    public let officerDelayMs: UInt64?
    /// Whether the answer came after the deadline.
    public let late: Bool
    /// The desk officer who confirmed, when the confirmation names one.
    public let officer: String?

    enum CodingKeys: String, CodingKey {
        case member, status, received, confirmed, late, officer
        case automaticDelayMs = "automatic_delay_ms", officerDelayMs = "officer_delay_ms"
    }

    /// A result.
    public init(member: String, status: Status, received: String?, automaticDelayMs: UInt64?, confirmed: String?,
                officerDelayMs: UInt64?, late: Bool, officer: String? = nil) {
        self.officer = officer
        self.member = member
        self.status = status
        self.received = received
        self.automaticDelayMs = automaticDelayMs
        self.confirmed = confirmed
        self.officerDelayMs = officerDelayMs
        self.late = late
    }
}

/// An entry with everything the node knows about it: `show`.
public struct EntryDetail: Codable, Sendable, Equatable {
    /// The entry as listed.
    public let summary: EntrySummary
    /// The fields after every update (last writer wins per field).
    public let current: JSONValue
    /// Creation, then every update in order.
    public let history: [HistoryStep]
    /// The retraction, if any.
    public let retractedBy: RetractionView?
    /// Who received and confirmed it.
    public let acknowledgements: [MemberAcknowledgement]
    /// For a communication test: every responder.
    public let results: [CommTestResultView]?
    /// For an incident: its status, the assessments and the answer.
    public var incident: IncidentStatusView?

    enum CodingKeys: String, CodingKey {
        case current, history, acknowledgements, results, incident
        case retractedBy = "retraction"
    }

    /// A detail view.
    public init(summary: EntrySummary, current: JSONValue, history: [HistoryStep], retractedBy: RetractionView?,
                acknowledgements: [MemberAcknowledgement], results: [CommTestResultView]?, incident: IncidentStatusView? = nil) {
        self.summary = summary
        self.current = current
        self.history = history
        self.retractedBy = retractedBy
        self.acknowledgements = acknowledgements
        self.results = results
        self.incident = incident
    }

    /// The summary's members and the detail's, in one JSON object.
    public init(from decoder: any Decoder) throws {
        summary = try EntrySummary(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        current = try c.decode(JSONValue.self, forKey: .current)
        history = try c.decode([HistoryStep].self, forKey: .history)
        retractedBy = try c.decodeIfPresent(RetractionView.self, forKey: .retractedBy)
        acknowledgements = try c.decode([MemberAcknowledgement].self, forKey: .acknowledgements)
        results = try c.decodeIfPresent([CommTestResultView].self, forKey: .results)
        incident = try c.decodeIfPresent(IncidentStatusView.self, forKey: .incident)
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(current, forKey: .current)
        try c.encode(history, forKey: .history)
        try c.encodeIfPresent(retractedBy, forKey: .retractedBy)
        try c.encode(acknowledgements, forKey: .acknowledgements)
        try c.encodeIfPresent(results, forKey: .results)
        try c.encodeIfPresent(incident, forKey: .incident)
    }
}

/// One assessment of an incident as shown: who, when, and what it says.
public struct AssessmentView: Codable, Sendable, Equatable {
    /// The assessment entry.
    public let id: EntryID
    /// Its author's name.
    public let by: String
    /// The author's organisation.
    public let organisation: String
    /// The desk officer who wrote it, when written at a desk.
    public let officer: String?
    /// When (ISO 8601).
    public let time: String
    /// When, milliseconds since the epoch.
    public let timeMs: UInt64
    /// new, assessing or closed.
    public let status: String
    /// unfounded, confirmed, inconclusive or referred, when given.
    public let outcome: String?
    /// Protective action taken or advised.
    public let protectiveAction: String?
    /// The answer to the reporting company.
    public let answer: String?

    enum CodingKeys: String, CodingKey {
        case id, by, organisation, officer, time, status, outcome, answer
        case timeMs = "time_ms", protectiveAction = "protective_action"
    }

    /// A view.
    public init(id: EntryID, by: String, organisation: String, officer: String?, time: String, timeMs: UInt64, status: String,
                outcome: String?, protectiveAction: String?, answer: String?) {
        self.id = id
        self.by = by
        self.organisation = organisation
        self.officer = officer
        self.time = time
        self.timeMs = timeMs
        self.status = status
        self.outcome = outcome
        self.protectiveAction = protectiveAction
        self.answer = answer
    }
}

/// Where an incident stands: the status of its latest assessment (by HLC, then id; `new` without one),
/// and every assessment that counts, oldest first — the last one is the current status and answer.
public struct IncidentStatusView: Codable, Sendable, Equatable {
    /// new, assessing or closed.
    public let status: String
    /// The assessments that count, oldest first.
    public let assessments: [AssessmentView]
    /// Assessments held that do not count (their target or audience breaks the rules), with the reason.
    public let ignored: [String: String]?

    /// A view.
    public init(status: String, assessments: [AssessmentView], ignored: [String: String]? = nil) {
        self.status = status
        self.assessments = assessments
        self.ignored = ignored
    }
}

/// One incident in the queue: the incident as listed and its status.
public struct IncidentItem: Codable, Sendable, Equatable {
    /// The incident.
    public let incident: EntrySummary
    /// Its status.
    public let status: IncidentStatusView

    /// An item.
    public init(incident: EntrySummary, status: IncidentStatusView) {
        self.incident = incident
        self.status = status
    }
}

/// The answer to `incidents`.
public struct IncidentsAnswer: Codable, Sendable, Equatable {
    /// Newest first.
    public let incidents: [IncidentItem]
    /// The answer.
    public init(incidents: [IncidentItem]) { self.incidents = incidents }
}

/// The answer to `show`.
public struct ShowAnswer: Codable, Sendable, Equatable {
    /// The entry in detail.
    public let entry: EntryDetail
    /// The answer.
    public init(entry: EntryDetail) { self.entry = entry }
}

/// The answer to `get`.
public struct GetAnswer: Codable, Sendable, Equatable {
    /// The entry in full.
    public let entry: EntryJSON
    /// Its canonical bytes, base64.
    public let canonical: String
    /// The answer.
    public init(entry: EntryJSON, canonical: String) {
        self.entry = entry
        self.canonical = canonical
    }
}

/// A list of ids (`resolve`).
public struct IDsAnswer: Codable, Sendable, Equatable {
    /// The ids, newest first.
    public let ids: [EntryID]
    /// The answer.
    public init(ids: [EntryID]) { self.ids = ids }
}

/// The answer to `list`.
public struct ListAnswer: Codable, Sendable, Equatable {
    /// Ids in storage order.
    public let ids: [EntryID]
    /// The position after the last one.
    public let next: Int
    /// The answer.
    public init(ids: [EntryID], next: Int) {
        self.ids = ids
        self.next = next
    }
}

/// One line of a `follow` stream: an entry, or the marker that the backlog is over.
public struct FollowLine: Codable, Sendable, Equatable {
    /// An entry (backlog or new).
    public let entry: EntrySummary?
    /// True once, after the backlog.
    public let following: Bool?
    /// A line with an entry.
    public init(entry: EntrySummary) {
        self.entry = entry
        self.following = nil
    }
    /// The end-of-backlog marker.
    public static let marker = FollowLine(following: true)
    private init(following: Bool) {
        self.entry = nil
        self.following = following
    }
}

/// A communication test and its results.
public struct CommTestReport: Codable, Sendable, Equatable {
    /// The test entry.
    public let summary: EntrySummary
    /// Every responder.
    public let results: [CommTestResultView]

    enum CodingKeys: String, CodingKey { case results }

    /// A report.
    public init(summary: EntrySummary, results: [CommTestResultView]) {
        self.summary = summary
        self.results = results
    }

    public init(from decoder: any Decoder) throws {
        summary = try EntrySummary(from: decoder)
        results = try decoder.container(keyedBy: CodingKeys.self).decode([CommTestResultView].self, forKey: .results)
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(results, forKey: .results)
    }
}

/// The answer to `commtest-results`.
public struct CommTestAnswer: Codable, Sendable, Equatable {
    /// The test and its results.
    public let test: CommTestReport
    /// The answer.
    public init(test: CommTestReport) { self.test = test }
}

/// A member of the federation as the roster says.
public struct RosterMemberView: Codable, Sendable, Equatable {
    /// Active or revoked.
    public enum Status: String, Codable, Sendable {
        /// A member now.
        case active
        /// Revoked by the authority.
        case revoked
    }
    /// Its name.
    public let name: String
    /// Its organisation.
    public let organisation: String
    /// Its role.
    public let role: String
    /// Its identity (first key).
    public let identity: NodeID
    /// Its current key.
    public let key: NodeID
    /// Where it listens.
    public let addresses: [String]
    /// Active or revoked.
    public let status: Status
    /// When it was revoked (ISO 8601).
    public let revoked: String?
    /// Why.
    public let reason: String?
    /// Whether it is the federation authority.
    public let authority: Bool

    /// A member view.
    public init(name: String, organisation: String, role: String, identity: NodeID, key: NodeID, addresses: [String],
                status: Status, revoked: String?, reason: String?, authority: Bool) {
        self.name = name
        self.organisation = organisation
        self.role = role
        self.identity = identity
        self.key = key
        self.addresses = addresses
        self.status = status
        self.revoked = revoked
        self.reason = reason
        self.authority = authority
    }
}

/// The answer to `roster`.
public struct RosterAnswer: Codable, Sendable, Equatable {
    /// Every member, in roster order.
    public let members: [RosterMemberView]
    /// The answer.
    public init(members: [RosterMemberView]) { self.members = members }
}

/// The answer to `metrics`.
public struct MetricsAnswer: Codable, Sendable, Equatable {
    /// Prometheus text exposition.
    public let metrics: String
    /// The answer.
    public init(metrics: String) { self.metrics = metrics }
}

/// The answer to `wait`.
public struct WaitAnswer: Codable, Sendable, Equatable {
    /// Ids not held when the wait ended, sorted.
    public let missing: [EntryID]
    /// The answer.
    public init(missing: [EntryID]) { self.missing = missing }
}
