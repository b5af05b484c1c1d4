/// What an entry is. The wire code is one byte; codes are never reused.
public enum EntryKind: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// Situation report (after OASIS EDXL-SitRep).
    case situationReport = 1
    /// Threat notice (level 1–4, scope, validity).
    case threatNotice = 2
    /// Early-warning incident reported by a company.
    case incident = 3
    /// Alert (aligned with CAP 1.2).
    case alert = 4
    /// Free-text message in a thread.
    case message = 5
    /// Communication test.
    case commTest = 6
    /// Acknowledgement: automatic receipt or officer confirmation.
    case acknowledgement = 7
    /// Amendment or retraction of an earlier entry.
    case update = 8
    /// Roster change signed by the federation authority.
    case roster = 9
    /// A member's bundle encryption key (X25519), signed by the member itself (docs/bundles.md).
    case encryptionKey = 10
    /// The authority's or police's assessment of an early-warning incident (first ref): its status, the
    /// outcome, any protective action, and the answer the reporting company sees.
    case assessment = 11

    /// The name used in JSON and on the command line.
    public var name: String {
        switch self {
        case .situationReport: "sitrep"
        case .threatNotice: "threat"
        case .incident: "incident"
        case .alert: "alert"
        case .message: "message"
        case .commTest: "commtest"
        case .acknowledgement: "ack"
        case .update: "update"
        case .roster: "roster"
        case .encryptionKey: "enckey"
        case .assessment: "assessment"
        }
    }

    /// The kind called `name`, if any.
    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    public var description: String { name }
}
