import VigilModel

/// What the log must know from outside the entry itself: whether an author is a known federation
/// member, and who may amend or retract whose entries. The federation semantics (roster, roles)
/// provide the real policy; both answers must be pure functions of the entry set, or convergence breaks.
public protocol LogPolicy: Sendable {
    /// Whether entries by `author` can be admitted now (otherwise they are kept pending).
    func isKnownAuthor(_ author: NodeID) -> Bool
    /// Whether `updater` may amend or retract an entry written by `author`.
    func mayUpdate(_ updater: NodeID, entryBy author: NodeID) -> Bool
}

/// Every author is known; only an entry's author may update it.
public struct AuthorOnlyPolicy: LogPolicy {
    /// The policy.
    public init() {}
    public func isKnownAuthor(_ author: NodeID) -> Bool { true }
    public func mayUpdate(_ updater: NodeID, entryBy author: NodeID) -> Bool { updater == author }
}

/// Every author is known and anyone may update anything (for tests of the merge rules).
public struct OpenPolicy: LogPolicy {
    /// The policy.
    public init() {}
    public func isKnownAuthor(_ author: NodeID) -> Bool { true }
    public func mayUpdate(_ updater: NodeID, entryBy author: NodeID) -> Bool { true }
}

/// The federation's policy from its roster: authors are members (identities across key rotations),
/// and an entry may be amended or retracted by its author or by the authority.
public struct RosterPolicy: LogPolicy {
    /// The roster the answers come from.
    public let roster: Roster
    /// The policy of `roster`.
    public init(roster: Roster) { self.roster = roster }
    public func isKnownAuthor(_ author: NodeID) -> Bool { roster.identity(ofKey: author) != nil }
    public func mayUpdate(_ updater: NodeID, entryBy author: NodeID) -> Bool {
        let u = roster.identity(ofKey: updater) ?? updater
        let a = roster.identity(ofKey: author) ?? author
        return FederationRules.mayUpdate(u, entryBy: a, roster: roster)
    }
}
