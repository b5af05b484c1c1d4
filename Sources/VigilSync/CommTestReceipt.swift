import VigilModel

/// The automatic receipt of a communication test: what a node signs and posts, at once, when a test
/// that expects it arrives (`NodeDirective.acknowledge`). One pure place, used by the node and the
/// simulator alike.
///
/// An `ack` entry with body `{"by": "node"}`, first (only) ref the test, and the test's audience plus
/// the test's author, who must see the answer even when the test's audience does not name it.
public struct CommTestReceipt: Hashable, Sendable {
    /// Always `.acknowledgement`.
    public let kind: EntryKind
    /// The test's audience, plus its author (as the roster knows it; the test's audience alone when
    /// the roster does not know the author's key).
    public let audience: Audience
    /// The test's id.
    public let refs: [EntryID]
    /// `AcknowledgementBody.receipt`.
    public let body: [UInt8]

    /// The receipt of `test`, with the author looked up in `roster`.
    public init(acknowledging test: Entry, roster: Roster) {
        kind = .acknowledgement
        audience = Self.audience(acknowledging: test, roster: roster)
        refs = [test.id]
        body = AcknowledgementBody.receipt.encoded()
    }

    /// The audience of any acknowledgement of `target` (a receipt or an officer's confirmation): the
    /// target's, plus its author as `roster` knows it.
    public static func audience(acknowledging target: Entry, roster: Roster) -> Audience {
        roster.member(ofKey: target.author).map { target.audience.adding($0.profile) } ?? target.audience
    }

    /// The draft to sign, by `author` at `timestamp`.
    public func draft(author: NodeID, timestamp: HybridTimestamp) -> EntryDraft {
        EntryDraft(author: author, timestamp: timestamp, kind: kind, audience: audience, refs: refs, body: body)
    }
}
