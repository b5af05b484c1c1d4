/// How soon an entry must reach the peers when a link is slow or saturated (docs/sync-protocol.md,
/// "Priority lanes"). A pure function of the kind, so every node and the simulator agree.
public enum EntryUrgency: Int, Comparable, Sendable {
    /// Life-safety traffic that must not wait behind routine reports: comm tests and acknowledgements,
    /// alerts, threat notices, incidents and their assessments, amendments and retractions (an alert's cancellation is as
    /// urgent as the alert), and roster changes (they decide which other entries a peer accepts).
    case urgent
    /// Situation reports, messages and encryption-key announcements.
    case routine

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

extension EntryKind {
    /// Whether entries of this kind go before routine ones on a congested link.
    public var urgency: EntryUrgency {
        switch self {
        case .commTest, .acknowledgement, .alert, .threatNotice, .incident, .assessment, .update, .roster: .urgent
        case .situationReport, .message, .encryptionKey: .routine
        }
    }
}

extension Entry {
    /// The kind read from the head of an entry's canonical bytes (version, author, timestamp, kind),
    /// without decoding or checking the rest: for bytes this node stored itself, to schedule their
    /// sending. Throws the decoder's own error when the head is truncated or invalid.
    public static func kind(ofCanonicalBytes bytes: [UInt8]) throws(DecodingError) -> EntryKind {
        try EntryCodec.kind(ofCanonicalBytes: bytes)
    }
}
