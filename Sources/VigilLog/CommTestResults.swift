import VigilModel

/// One expected responder's answer to a communication test.
public struct CommTestResponse: Hashable, Sendable {
    /// The responder's identity.
    public let member: NodeID
    /// Its name in the roster.
    public let name: String
    /// When its node received the test (its automatic receipt's HLC), or nil when silent.
    public let receivedAt: HybridTimestamp?
    /// Milliseconds from the test to the automatic receipt.
    public let automaticDelay: UInt64?
    /// When a duty officer confirmed, or nil.
    public let confirmedAt: HybridTimestamp?
    /// Milliseconds from the test to the officer's confirmation.
    public let officerDelay: UInt64?
    /// Whether the first answer came after the deadline (e.g. after a reconnect).
    public let late: Bool
    /// The desk officer the first confirmation names, if it names one.
    public var confirmedBy: String? = nil

    /// Neither the node nor an officer answered.
    public var isSilent: Bool { receivedAt == nil && confirmedAt == nil }
}

/// The results of a communication test: one line per expected responder. A pure function of the
/// test, the acknowledgements held and the roster, so a late acknowledgement that arrives after a
/// reconnect simply changes the result on every node that receives it.
public enum CommTestResults {
    /// The members a test expects an answer from: everyone, a role, or named nodes — active members
    /// other than the test's author, by name.
    public static func expected(_ body: CommTestBody, author: NodeID, roster: Roster) -> [RosterMember] {
        let authorIdentity = roster.identity(ofKey: author) ?? author
        return roster.allMembers.filter { member in
            guard member.identity != authorIdentity else { return false }
            switch body.expected {
            case .everyone: return member.isActive
            case .role(let role): return member.isActive && member.role == role.rawValue
            case .nodes(let nodes): return nodes.contains(member.identity)
            }
        }
    }

    /// Results of `test` given the acknowledgements `acks` (entries of kind `ack` whose first ref is
    /// the test; others are ignored).
    public static func compute(test: Entry, body: CommTestBody, acks: [Entry], roster: Roster) -> [CommTestResponse] {
        var receipts: [NodeID: HybridTimestamp] = [:]
        var confirmations: [NodeID: HybridTimestamp] = [:]
        var officers: [NodeID: String] = [:]
        for ack in acks where ack.kind == .acknowledgement && ack.refs.first == test.id {
            guard let (by, officer) = try? AcknowledgementBody.parse(ack.body) else { continue }
            let who = roster.identity(ofKey: ack.author) ?? ack.author
            switch by {
            case .receipt: receipts[who] = min(receipts[who] ?? ack.timestamp, ack.timestamp)
            case .officer:
                if confirmations[who].map({ ack.timestamp < $0 }) ?? true {
                    confirmations[who] = ack.timestamp
                    officers[who] = officer
                }
            }
        }
        let start = test.timestamp.milliseconds
        func delay(_ t: HybridTimestamp?) -> UInt64? { t.map { $0.milliseconds >= start ? $0.milliseconds - start : 0 } }
        return expected(body, author: test.author, roster: roster).map { member in
            let received = receipts[member.identity]
            let confirmed = confirmations[member.identity]
            let first = [received, confirmed].compactMap { $0 }.min()
            return CommTestResponse(member: member.identity, name: member.name, receivedAt: received,
                                    automaticDelay: delay(received), confirmedAt: confirmed, officerDelay: delay(confirmed),
                                    late: first.map { $0.milliseconds > body.deadline } ?? false, confirmedBy: officers[member.identity])
        }
    }
}
