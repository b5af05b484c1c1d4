import VigilModel

// The local API's requests, one type per `"op"` (docs/local-api.md). Field names are the wire's.

/// `status`: this node, its peers, refusal counts.
public struct StatusRequest: APIOperation {
    public typealias Answer = StatusAnswer
    public static let op = "status"
    /// A status request.
    public init() {}
}

/// An audience given by a person: a TLP 2.0 label and recipients by name (nodes also by id).
public struct AudienceSpec: Codable, Sendable, Equatable {
    /// `clear`, `green`, `amber`, `amber+strict` or `red` (also `TLP:AMBER`…).
    public var tlp: String
    /// Recipient roles (AMBER).
    public var roles: [String]
    /// Recipient organisations (AMBER, AMBER+STRICT).
    public var organisations: [String]
    /// Recipient nodes by name or id (AMBER, RED).
    public var nodes: [String]

    /// An audience.
    public init(tlp: String, roles: [String] = [], organisations: [String] = [], nodes: [String] = []) {
        self.tlp = tlp
        self.roles = roles
        self.organisations = organisations
        self.nodes = nodes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tlp = try c.decode(String.self, forKey: .tlp)
        roles = try c.decodeIfPresent([String].self, forKey: .roles) ?? []
        organisations = try c.decodeIfPresent([String].self, forKey: .organisations) ?? []
        nodes = try c.decodeIfPresent([String].self, forKey: .nodes) ?? []
    }
}

/// `compose`: sign and post a new entry built from its kind and human JSON fields. For `update` the
/// fields are `{"amend": {…}}` or `{"retract": "reason"}` and the first ref is the target; for `roster`
/// they are a `RosterChangeSpec` in JSON form.
public struct ComposeRequest: APIOperation, Equatable {
    public typealias Answer = PostedAnswer
    public static let op = "compose"
    /// The kind's name (`sitrep`, `threat`, `incident`, `alert`, `message`, `commtest`, `update`, `roster`).
    public var kind: String
    /// The body in the kind's human JSON form.
    public var fields: JSONValue
    /// The audience; nil means the kind's default (an update's default is its target's).
    public var audience: AudienceSpec?
    /// Referenced entries (an update's first ref is the entry it amends or retracts).
    public var refs: [EntryID]
    /// The duty officer of this node who wrote it (the desk sets it; shown in logs).
    public var officer: String?

    /// A compose request.
    public init(kind: String, fields: JSONValue, audience: AudienceSpec? = nil, refs: [EntryID] = [], officer: String? = nil) {
        self.kind = kind
        self.fields = fields
        self.audience = audience
        self.refs = refs
        self.officer = officer
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        fields = try c.decode(JSONValue.self, forKey: .fields)
        audience = try c.decodeIfPresent(AudienceSpec.self, forKey: .audience)
        refs = try c.decodeIfPresent([EntryID].self, forKey: .refs) ?? []
        officer = try c.decodeIfPresent(String.self, forKey: .officer)
    }
}

/// `post`: store and push an entry this node already signed (canonical bytes, base64).
public struct PostRequest: APIOperation {
    public typealias Answer = PostedAnswer
    public static let op = "post"
    /// The canonical entry bytes, base64.
    public var entry: String
    /// A post request.
    public init(entry: String) { self.entry = entry }
}

/// `ack`: the duty officer confirms an entry (an acknowledgement `{"by": "officer"}`).
public struct AckRequest: APIOperation {
    public typealias Answer = PostedAnswer
    public static let op = "ack"
    /// The entry confirmed.
    public var id: EntryID
    /// The officer who confirmed (the desk sets it).
    public var officer: String?
    /// An ack request.
    public init(id: EntryID, officer: String? = nil) {
        self.id = id
        self.officer = officer
    }
}

/// `get`: one held entry in full (signature, body bytes) and its canonical bytes.
public struct GetRequest: APIOperation {
    public typealias Answer = GetAnswer
    public static let op = "get"
    /// The entry.
    public var id: EntryID
    /// A get request.
    public init(id: EntryID) { self.id = id }
}

/// `show`: an entry with its current state, history, acknowledgements and comm-test results.
public struct ShowRequest: APIOperation {
    public typealias Answer = ShowAnswer
    public static let op = "show"
    /// The entry.
    public var id: EntryID
    /// A show request.
    public init(id: EntryID) { self.id = id }
}

/// `entries`: held entries, newest first, filtered. Every given filter must match.
public struct EntriesRequest: APIOperation, Equatable {
    public typealias Answer = EntriesAnswer
    public static let op = "entries"
    /// Only these kinds (names).
    public var kinds: [String]?
    /// Only this TLP label.
    public var tlp: String?
    /// Only entries by this member (name or node id).
    public var author: String?
    /// Only entries by members of this organisation.
    public var organisation: String?
    /// Only entries at or after this time (ms since the epoch).
    public var sinceMs: UInt64?
    /// Only entries before this time.
    public var untilMs: UInt64?
    /// Only entries whose fields or summary contain this text (case-insensitive).
    public var text: String?
    /// Paging: only entries older than this one (the last id of the previous page).
    public var before: EntryID?
    /// At most this many (default 50, at most 10,000).
    public var limit: Int?

    enum CodingKeys: String, CodingKey {
        case kinds, tlp, author, organisation, text, before, limit
        case sinceMs = "since_ms", untilMs = "until_ms"
    }

    /// No filter: the 50 newest.
    public init() {}
}

/// `resolve`: the held entries whose id starts with a prefix (for short ids).
public struct ResolveRequest: APIOperation {
    public typealias Answer = IDsAnswer
    public static let op = "resolve"
    /// At least 8 hex digits.
    public var prefix: String
    /// A resolve request.
    public init(prefix: String) { self.prefix = prefix }
}

/// `list`: ids in storage order, paged (tools that read everything).
public struct ListRequest: APIOperation {
    public typealias Answer = ListAnswer
    public static let op = "list"
    /// The first position.
    public var from: Int?
    /// At most this many (default 1,000, at most 10,000).
    public var limit: Int?
    /// A list request.
    public init(from: Int? = nil, limit: Int? = nil) {
        self.from = from
        self.limit = limit
    }
}

/// `follow`: a stream — the `last` newest entries, then `{"following": true}`, then each new entry as it
/// is held, until the client closes the connection. Each line is a `FollowLine`.
public struct FollowRequest: APIOperation {
    public typealias Answer = FollowLine
    public static let op = "follow"
    /// How many of the newest entries to send first (at most 1,000).
    public var last: Int?
    /// A follow request.
    public init(last: Int? = nil) { self.last = last }
}

/// `commtest-results`: the results of a communication test (default: the newest held).
public struct CommTestResultsRequest: APIOperation {
    public typealias Answer = CommTestAnswer
    public static let op = "commtest-results"
    /// The test; nil for the newest.
    public var id: EntryID?
    /// A request for `id`'s results.
    public init(id: EntryID? = nil) { self.id = id }
}

/// `incidents`: the early-warning incidents this node holds, newest first, each with its status from the
/// assessments held (docs/federation.md, "Incidents").
public struct IncidentsRequest: APIOperation, Equatable {
    public typealias Answer = IncidentsAnswer
    public static let op = "incidents"
    /// At most this many incidents (1–1000; default 200).
    public var limit: Int?
    /// A request for the newest `limit` incidents.
    public init(limit: Int? = nil) { self.limit = limit }
}

/// `roster`: every member with its status.
public struct RosterRequest: APIOperation {
    public typealias Answer = RosterAnswer
    public static let op = "roster"
    /// A roster request.
    public init() {}
}

/// `metrics`: the Prometheus text the metrics file would hold.
public struct MetricsRequest: APIOperation {
    public typealias Answer = MetricsAnswer
    public static let op = "metrics"
    /// A metrics request.
    public init() {}
}

/// `wait`: answers when every id is held or the time runs out (no polling), with the ids still missing.
public struct WaitRequest: APIOperation {
    public typealias Answer = WaitAnswer
    public static let op = "wait"
    /// The ids to wait for.
    public var ids: [EntryID]
    /// The longest wait in ms (default 10,000, at most 600,000).
    public var timeoutMs: Int?

    enum CodingKeys: String, CodingKey {
        case ids
        case timeoutMs = "timeout_ms"
    }

    /// A wait request.
    public init(ids: [EntryID], timeoutMs: Int? = nil) {
        self.ids = ids
        self.timeoutMs = timeoutMs
    }
}
