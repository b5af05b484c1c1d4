import VigilModel

/// Why entries are being sent to a peer: it decides their lane (docs/sync-protocol.md, "Priority lanes").
public enum EntrySendCause: Hashable, Sendable {
    /// Just admitted on this node (a local post or an entry received from another peer), pushed live.
    case push
    /// Part of a catch-up: the answer to the peer's WANT, or entries the peer lacks found by reconciliation.
    case catchUp
}

/// Which `OutboundLane` a frame goes to: a pure policy shared by the node and the simulator.
///
/// - Small session messages (HELLO, WANT, PING/PONG, RELEASE, GOODBYE) are `.urgent`: a WANT stuck
///   behind a backlog would stall the catch-up itself. Reconciliation messages are `.live` (`lane(of:)`).
/// - Roster entries are `.urgent` whatever the cause: a peer accepts a new member's entries only
///   once it holds the roster entry that adds the member.
/// - Pushed (new) entries are `.urgent` when their kind is (`EntryKind.urgency`), else `.live`.
/// - Catch-up entries are `.backlog`, whatever their kind; within a catch-up batch the sender puts
///   urgent kinds first, then the newest first (`catchUpOrder`).
public enum LanePolicy {
    /// About how many payload bytes an ENTRIES frame carries (an entry larger than this goes alone).
    /// Small enough that a frame already handed to the network delays an urgent one by a quarter of a
    /// second at 256 kbit/s; the receiver verifies the frames of one read as one batch, so a fast
    /// link's catch-up does not pay per frame.
    public static let entriesFrameBytes = 8 * 1024

    /// The lane of a session message that is not ENTRIES: `.urgent`, except reconciliation messages
    /// (RECONCILE_BEGIN, RECONCILE), which go `.live`. They can be 60 KB each and a large catch-up sends
    /// many (its missing ids); in the urgent lane every alert would queue behind them. The live lane
    /// still goes 4 : 1 before the backlog, so a round never waits for the backlog.
    public static func lane(of message: SyncMessage) -> OutboundLane {
        switch message {
        case .reconcileBegin, .reconcile: .live
        case .entries: .live
        case .hello, .want, .ping, .pong, .goodbye, .release: .urgent
        }
    }

    /// The lane of the small session messages (HELLO, WANT, PING/PONG, RELEASE, GOODBYE).
    public static let control = OutboundLane.urgent

    /// The lane of an ENTRIES frame carrying entries of `kind` sent for `cause`.
    public static func lane(kind: EntryKind, cause: EntrySendCause) -> OutboundLane {
        if kind == .roster { return .urgent }
        switch cause {
        case .push: return kind.urgency == .urgent ? .urgent : .live
        case .catchUp: return .backlog
        }
    }

    /// Whether a catch-up entry of (`urgency`, `timestamp`) goes before one of (`otherUrgency`,
    /// `otherTimestamp`): urgent kinds first, then the newest first. A sort predicate (strict).
    public static func catchUpOrder(_ urgency: EntryUrgency, _ timestamp: HybridTimestamp,
                                    before otherUrgency: EntryUrgency, _ otherTimestamp: HybridTimestamp) -> Bool {
        if urgency != otherUrgency { return urgency < otherUrgency }
        return timestamp > otherTimestamp
    }
}
