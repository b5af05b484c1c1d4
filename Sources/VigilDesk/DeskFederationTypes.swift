import VigilAPI
import VigilModel

/// The federation page's values (`GET /api/federation`, `POST /api/roster`), made by
/// `DeskViews.federation` from the node's `status` and `roster` answers.

/// The federation as this desk's node sees it: its peers, the roster, and whether this desk may
/// change the roster (the authority's).
public struct DeskFederation: Codable, Equatable, Sendable {
    /// This desk's node.
    public var node: DeskNodeIdentity
    /// Whether this node is the federation's authority: its desk shows the add, revoke and rotate forms.
    public var mayChangeRoster: Bool
    /// Every active member but this node, connected or not, connected first.
    public var peers: [DeskPeer]
    /// Every member in roster order, revoked ones too.
    public var members: [DeskMember]
    /// The federation's roles (the add form's choices).
    public var roles: [String]

    /// A federation view.
    public init(node: DeskNodeIdentity, mayChangeRoster: Bool, peers: [DeskPeer], members: [DeskMember],
                roles: [String] = Role.allCases.map(\.rawValue)) {
        self.roles = roles
        self.node = node
        self.mayChangeRoster = mayChangeRoster
        self.peers = peers
        self.members = members
    }
}

/// Who opened a session.
public enum DeskPeerDirection: String, Codable, Sendable {
    /// This node dialed the peer.
    case outbound
    /// The peer dialed this node.
    case inbound
}

/// One peer on the federation page.
public struct DeskPeer: Codable, Equatable, Sendable {
    /// Its name in the roster.
    public var name: String
    /// Its organisation.
    public var organisation: String
    /// Whether a session with it is established now.
    public var connected: Bool
    /// Who opened the session (nil when not connected).
    public var direction: DeskPeerDirection?
    /// The `host:port` this node dialed it over (nil when the peer dialed, or not connected).
    public var route: String?
    /// Entries asked for and not yet received from it (nil when not connected).
    public var entriesBehind: Int?
    /// Seconds since a frame last arrived from it, or since its session ended; nil when never seen
    /// since this node started.
    public var lastSeenSeconds: Double?
    /// The last round-trip time in milliseconds (nil when not measured yet or not connected).
    public var roundTripMs: UInt64?
    /// Seconds the session has been open (nil when not connected).
    public var connectedSeconds: Double?
    /// Why its last session ended (nil when connected or never seen).
    public var endedReason: String?
    /// When this node dials it again, in seconds (nil when it does not, or while an attempt is on).
    public var nextTrySeconds: Double?

    /// A peer.
    public init(name: String, organisation: String, connected: Bool, direction: DeskPeerDirection? = nil, route: String? = nil,
                entriesBehind: Int? = nil, lastSeenSeconds: Double? = nil, roundTripMs: UInt64? = nil, connectedSeconds: Double? = nil,
                endedReason: String? = nil, nextTrySeconds: Double? = nil) {
        self.name = name
        self.organisation = organisation
        self.connected = connected
        self.direction = direction
        self.route = route
        self.entriesBehind = entriesBehind
        self.lastSeenSeconds = lastSeenSeconds
        self.roundTripMs = roundTripMs
        self.connectedSeconds = connectedSeconds
        self.endedReason = endedReason
        self.nextTrySeconds = nextTrySeconds
    }
}

/// One member on the federation page.
public struct DeskMember: Codable, Equatable, Sendable {
    /// Its name.
    public var name: String
    /// Its organisation.
    public var organisation: String
    /// Its role.
    public var role: String
    /// Its identity (its first key, 64 hex): what revoke and rotate name.
    public var id: String
    /// Its current key (64 hex).
    public var key: String
    /// Whether its key was rotated (the current key is not its first).
    public var rotated: Bool
    /// Whether it is active (false: revoked).
    public var active: Bool
    /// When it was revoked (ISO 8601) and why.
    public var revoked: String?
    public var reason: String?
    /// Whether it is the federation's authority.
    public var authority: Bool
    /// Where it listens.
    public var addresses: [String]

    /// A member.
    public init(name: String, organisation: String, role: String, id: String, key: String, rotated: Bool, active: Bool,
                revoked: String? = nil, reason: String? = nil, authority: Bool = false, addresses: [String] = []) {
        self.name = name
        self.organisation = organisation
        self.role = role
        self.id = id
        self.key = key
        self.rotated = rotated
        self.active = active
        self.revoked = revoked
        self.reason = reason
        self.authority = authority
        self.addresses = addresses
    }
}

/// A roster change from the authority's desk (`POST /api/roster`): the fields `vigil roster add|revoke|rotate`
/// sends, by the same names (`op`, `node`, `name`, `organisation`, `role`, `addresses`, `reason`, `key`).
/// The server passes it to the node as the local API's `compose` of a `roster` entry, as the CLI does.
public struct DeskRosterRequest: Codable, Equatable, Sendable {
    /// `add`, `revoke` or `rotate`.
    public var op: String
    /// The member's node id (64 hex): the new node's key for `add`, the member's identity otherwise.
    public var node: String
    /// For `add`.
    public var name: String?
    public var organisation: String?
    public var role: String?
    public var addresses: [String]?
    /// For `revoke`.
    public var reason: String?
    /// For `rotate`: the new key (64 hex).
    public var key: String?

    /// A request.
    public init(op: String, node: String, name: String? = nil, organisation: String? = nil, role: String? = nil,
                addresses: [String]? = nil, reason: String? = nil, key: String? = nil) {
        self.op = op
        self.node = node
        self.name = name
        self.organisation = organisation
        self.role = role
        self.addresses = addresses
        self.reason = reason
        self.key = key
    }

    /// The local API's roster body, as `vigil roster add|revoke|rotate` writes it.
    public var fields: JSONValue {
        var members: [String: JSONValue] = ["op": .string(op), "node": .string(node)]
        for (name, value) in [("name", name), ("organisation", organisation), ("role", role), ("reason", reason), ("key", key)] {
            if let value { members[name] = .string(value) }
        }
        if let addresses { members["addresses"] = .array(addresses.map(JSONValue.string)) }
        return .object(members)
    }
}
