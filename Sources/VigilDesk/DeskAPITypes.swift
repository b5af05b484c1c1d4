import VigilAPI
import VigilModel

/// The typed values the desk's pages exchange with the desk server as JSON (`/api/…`): the pages' views
/// of the local API's answers (`DeskViews` makes them). Every value from an entry is plain text here;
/// the pages insert it with `textContent`, never as HTML.

/// A TLP 2.0 label as the desk shows it.
public enum DeskTLP: String, Codable, Sendable, CaseIterable {
    case clear, green, amber
    case amberStrict = "amber+strict"
    case red
}

/// Who may read an entry: the audience picker's value and the default audience shown on post forms.
public struct DeskAudience: Codable, Equatable, Sendable {
    /// The TLP label.
    public var tlp: DeskTLP
    /// Recipient roles (AMBER).
    public var roles: [String]
    /// Recipient organisations (AMBER, AMBER+STRICT).
    public var organisations: [String]
    /// Recipient nodes by name (AMBER, RED).
    public var nodes: [String]

    /// An audience.
    public init(tlp: DeskTLP, roles: [String] = [], organisations: [String] = [], nodes: [String] = []) {
        self.tlp = tlp
        self.roles = roles
        self.organisations = organisations
        self.nodes = nodes
    }
}

/// One line of the feed.
public struct DeskEntrySummary: Codable, Equatable, Sendable {
    /// The entry id (64 hex).
    public var id: String
    /// The kind's name (`sitrep`, `alert`, …).
    public var kind: String
    /// The entry's TLP label.
    public var tlp: DeskTLP
    /// The author node's name.
    public var author: String
    /// The author's organisation.
    public var organisation: String
    /// The desk officer who made it, when made at a desk.
    public var officer: String?
    /// When it was created, Unix milliseconds.
    public var createdMilliseconds: UInt64
    /// A one-line summary of the current fields.
    public var title: String
    /// Whether it was retracted.
    public var retracted: Bool

    /// A summary.
    public init(id: String, kind: String, tlp: DeskTLP, author: String, organisation: String, officer: String? = nil,
                createdMilliseconds: UInt64, title: String, retracted: Bool = false) {
        self.id = id
        self.kind = kind
        self.tlp = tlp
        self.author = author
        self.organisation = organisation
        self.officer = officer
        self.createdMilliseconds = createdMilliseconds
        self.title = title
        self.retracted = retracted
    }
}

/// The feed's filters and page position (`GET /api/feed?kind=&tlp=&author=&org=&since=&until=&q=&before=&limit=`).
public struct FeedQuery: Codable, Equatable, Sendable {
    /// Only this kind.
    public var kind: String?
    /// Only this TLP label.
    public var tlp: DeskTLP?
    /// Only entries by this node name.
    public var author: String?
    /// Only entries of this organisation.
    public var organisation: String?
    /// Created at or after, Unix milliseconds.
    public var since: UInt64?
    /// Created before, Unix milliseconds.
    public var until: UInt64?
    /// Text the summary or fields contain (case-insensitive).
    public var text: String?
    /// The cursor of the previous page's last entry: entries older than it.
    public var before: String?
    /// Entries per page (1…200; default 50).
    public var limit: Int

    /// A query; the defaults list the newest 50 entries.
    public init(kind: String? = nil, tlp: DeskTLP? = nil, author: String? = nil, organisation: String? = nil, since: UInt64? = nil,
                until: UInt64? = nil, text: String? = nil, before: String? = nil, limit: Int = 50) {
        self.kind = kind
        self.tlp = tlp
        self.author = author
        self.organisation = organisation
        self.since = since
        self.until = until
        self.text = text
        self.before = before
        self.limit = limit
    }

    /// The query a feed request's URL carries. Unknown TLP labels and numbers that do not parse are
    /// refused with the parameter's name.
    public init(queryItems: [(name: String, value: String)]) throws(DeskRefusal) {
        self.init()
        for (name, value) in queryItems where !value.isEmpty {
            switch name {
            case "kind": kind = value
            case "tlp":
                guard let label = DeskTLP(rawValue: value) else { throw DeskRefusal(.badRequest, field: "tlp", "unknown TLP label \(value)") }
                tlp = label
            case "author": author = value
            case "org": organisation = value
            case "since", "until":
                guard let number = UInt64(value) else { throw DeskRefusal(.badRequest, field: name, "\(name) must be Unix milliseconds") }
                if name == "since" { since = number } else { until = number }
            case "q": text = value
            case "before": before = value
            case "limit":
                guard let number = Int(value), (1...200).contains(number) else { throw DeskRefusal(.badRequest, field: "limit", "limit must be 1 to 200") }
                limit = number
            default: break
            }
        }
    }
}

/// One page of the feed, newest first.
public struct FeedPage: Codable, Equatable, Sendable {
    /// The entries.
    public var entries: [DeskEntrySummary]
    /// The cursor for the next (older) page, nil at the end.
    public var nextCursor: String?

    /// A page.
    public init(entries: [DeskEntrySummary], nextCursor: String?) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// One field of an entry as the entry page shows it: its dotted path and its value as text.
public struct DeskField: Codable, Equatable, Sendable {
    /// The field path (`location.description`).
    public var path: String
    /// The value as text.
    public var value: String

    /// A field.
    public init(path: String, value: String) {
        self.path = path
        self.value = value
    }
}

/// One amendment in an entry's history: which fields changed from what to what, or its retraction.
public struct DeskAmendment: Codable, Equatable, Sendable {
    /// The update entry's id.
    public var id: String
    /// Its author node.
    public var author: String
    /// The desk officer, if made at a desk.
    public var officer: String?
    /// When, Unix milliseconds.
    public var createdMilliseconds: UInt64
    /// The changes (none for a retraction).
    public var changes: [Change]
    /// For a retraction: why it was retracted.
    public var retraction: String?

    /// One changed field (nil before: added; nil after: removed).
    public struct Change: Codable, Equatable, Sendable {
        public var path: String
        public var before: String?
        public var after: String?

        /// A change.
        public init(path: String, before: String?, after: String?) {
            self.path = path
            self.before = before
            self.after = after
        }
    }

    /// An amendment.
    public init(id: String, author: String, officer: String?, createdMilliseconds: UInt64, changes: [Change], retraction: String? = nil) {
        self.retraction = retraction
        self.id = id
        self.author = author
        self.officer = officer
        self.createdMilliseconds = createdMilliseconds
        self.changes = changes
    }
}

/// Who received and confirmed an entry.
public struct DeskReceipt: Codable, Equatable, Sendable {
    /// The node.
    public var node: String
    /// Its organisation.
    public var organisation: String
    /// When its acknowledgement was made, Unix milliseconds; nil if not acknowledged.
    public var acknowledgedMilliseconds: UInt64?
    /// The officer who confirmed, if a person did.
    public var officer: String?

    /// A receipt.
    public init(node: String, organisation: String, acknowledgedMilliseconds: UInt64?, officer: String?) {
        self.node = node
        self.organisation = organisation
        self.acknowledgedMilliseconds = acknowledgedMilliseconds
        self.officer = officer
    }
}

/// An entry as its page shows it.
public struct DeskEntryDetail: Codable, Equatable, Sendable {
    /// The feed line.
    public var summary: DeskEntrySummary
    /// Its audience.
    public var audience: DeskAudience
    /// The current fields.
    public var fields: [DeskField]
    /// Amendments, oldest first.
    public var history: [DeskAmendment]
    /// Receipts and confirmations.
    public var receipts: [DeskReceipt]
    /// Whether this node's officer may amend or retract it.
    public var mayAmend: Bool
    /// Whether an officer of this node confirmed it already (the page then shows no Acknowledge button).
    public var confirmedHere: Bool
    /// The current fields in the kind's human JSON form (the amendment form starts from them).
    public var current: JSONValue

    /// A detail.
    public init(summary: DeskEntrySummary, audience: DeskAudience, fields: [DeskField], history: [DeskAmendment],
                receipts: [DeskReceipt], mayAmend: Bool, confirmedHere: Bool = false, current: JSONValue = .object([:])) {
        self.confirmedHere = confirmedHere
        self.current = current
        self.summary = summary
        self.audience = audience
        self.fields = fields
        self.history = history
        self.receipts = receipts
        self.mayAmend = mayAmend
    }
}

/// What the post forms need (`GET /api/post-setup`): a form per postable kind, generated from the kind
/// schemas (`KindSchemas.form`), and the audience picker's choices from the roster.
public struct DeskPostSetup: Codable, Equatable, Sendable {
    /// One form per postable kind.
    public var forms: [KindForm]
    /// The federation's roles.
    public var roles: [String]
    /// Active members: name and organisation (the picker's nodes and organisations).
    public var members: [Member]

    /// A member as the picker lists it.
    public struct Member: Codable, Equatable, Sendable {
        /// The node's name.
        public var name: String
        /// Its organisation.
        public var organisation: String
        /// Its node id (identity, 64 hex): what a communication test's `nodes` names.
        public var id: String
    }
}

/// A post from a form (`POST /api/compose`): the kind, its fields in the kind's human JSON form, the
/// audience (nil: the kind's default) and refs (an update's first ref is its target). The server adds
/// the officer and sends it as the local API's `ComposeRequest`.
public struct DeskComposeRequest: Codable, Equatable, Sendable {
    /// The kind's name, `update` for an amendment or retraction.
    public var kind: String
    /// The fields (`{"amend": {…}}` or `{"retract": "why"}` for an update).
    public var fields: JSONValue
    /// The audience picked, or nil for the default.
    public var audience: AudienceSpec?
    /// Referenced entry ids (64 hex).
    public var refs: [String]?
}

/// Something pushed to open desks over the event stream (`GET /api/events`).
public enum DeskEvent: Equatable, Sendable {
    /// A new entry the node admitted (or an amendment changing one).
    case entry(DeskEntrySummary)
    /// A session with a peer opened or closed (the federation page redraws its peers).
    case peer(PeerSessionChange)

    /// The SSE form: event name and JSON data.
    public var serverSentEvent: ServerSentEvent {
        switch self {
        case .entry(let summary): ServerSentEvent(event: "entry", id: summary.id, data: DeskJSON.string(summary))
        case .peer(let change): ServerSentEvent(event: "peer", data: DeskJSON.string(change))
        }
    }
}
