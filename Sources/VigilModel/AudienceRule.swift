/// What the audience rule needs to know about a reader: its node id, role and organisation
/// (from the federation roster).
public struct MemberProfile: Hashable, Sendable {
    /// The reader's node id.
    public let node: NodeID
    /// Its role, e.g. `government`.
    public let role: String
    /// Its organisation, e.g. `Governor of Antwerp`.
    public let organisation: String

    /// A profile.
    public init(node: NodeID, role: String, organisation: String) {
        self.node = node
        self.role = role
        self.organisation = organisation
    }
}

extension Audience {
    /// Whether `reader` may read an entry with this audience written by `author` (FIRST TLP 2.0):
    ///
    /// - the author always reads its own entries;
    /// - CLEAR and GREEN: every federation member;
    /// - AMBER: the listed recipients — a listed role, organisation or node;
    /// - AMBER+STRICT: members of the listed organisations only (and listed nodes of those organisations);
    /// - RED: the listed nodes only.
    ///
    /// `reader` must be a federation member; non-members read nothing.
    public func admits(_ reader: MemberProfile, author: NodeID) -> Bool {
        if reader.node == author { return true }
        switch tlp {
        case .clear, .green:
            return true
        case .amber:
            return roles.contains(reader.role) || organisations.contains(reader.organisation) || nodes.contains(reader.node)
        case .amberStrict:
            return organisations.contains(reader.organisation)
        case .red:
            return nodes.contains(reader.node)
        }
    }
}

extension Audience {
    /// This audience widened just enough that `reader` can read it too: the audience of an
    /// acknowledgement, which must reach the acknowledged entry's author (a comm test addressed to the
    /// companies is answered to the authority that sent it). CLEAR and GREEN stay as they are.
    public func adding(_ reader: MemberProfile) -> Audience {
        switch tlp {
        case .clear, .green: self
        case .amber, .red: Audience(tlp: tlp, roles: roles, organisations: organisations, nodes: nodes + [reader.node])
        case .amberStrict: Audience(tlp: tlp, roles: roles, organisations: organisations + [reader.organisation], nodes: nodes)
        }
    }
}
