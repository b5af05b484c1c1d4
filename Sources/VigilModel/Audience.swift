/// FIRST Traffic Light Protocol 2.0 label of an entry.
public enum TLPLabel: UInt8, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// TLP:CLEAR — no restriction within the federation.
    case clear = 0
    /// TLP:GREEN — every federation member.
    case green = 1
    /// TLP:AMBER — the listed recipients.
    case amber = 2
    /// TLP:AMBER+STRICT — the listed organisations only.
    case amberStrict = 3
    /// TLP:RED — the listed nodes only.
    case red = 4

    /// The label as written in TLP 2.0, e.g. `TLP:AMBER+STRICT`.
    public var name: String {
        switch self {
        case .clear: "TLP:CLEAR"
        case .green: "TLP:GREEN"
        case .amber: "TLP:AMBER"
        case .amberStrict: "TLP:AMBER+STRICT"
        case .red: "TLP:RED"
        }
    }

    /// Parses `TLP:AMBER`, `amber`, `amber+strict`, … (case-insensitive, `TLP:` optional).
    public init?(name: String) {
        var text = name.uppercased()
        if text.hasPrefix("TLP:") { text.removeFirst(4) }
        switch text {
        case "CLEAR", "WHITE": self = .clear
        case "GREEN": self = .green
        case "AMBER": self = .amber
        case "AMBER+STRICT", "AMBER-STRICT", "AMBERSTRICT": self = .amberStrict
        case "RED": self = .red
        default: return nil
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { name }
}

/// Who may read an entry: a TLP 2.0 label plus explicit recipients.
///
/// The encoding is canonical: each recipient list is sorted (bytewise) with no duplicates. The rules
/// that decide which node may read what come with the federation semantics; this value only carries
/// the label and the lists.
public struct Audience: Hashable, Sendable {
    /// The TLP label.
    public var tlp: TLPLabel
    /// Recipient roles, e.g. `authority`, `government`, `police` (sorted, unique).
    public private(set) var roles: [String]
    /// Recipient organisations (sorted by UTF-8 bytes, unique).
    public private(set) var organisations: [String]
    /// Recipient nodes (sorted, unique).
    public private(set) var nodes: [NodeID]

    /// An audience; the lists are sorted and de-duplicated so that equal audiences encode equally.
    public init(tlp: TLPLabel, roles: [String] = [], organisations: [String] = [], nodes: [NodeID] = []) {
        self.tlp = tlp
        self.roles = Self.canonical(roles)
        self.organisations = Self.canonical(organisations)
        self.nodes = Array(Set(nodes)).sorted()
    }

    /// Everyone in the federation (TLP:GREEN, no named recipients).
    public static let federation = Audience(tlp: .green)

    /// For the decoder, which has already checked order and uniqueness.
    init(tlp: TLPLabel, sortedRoles: [String], sortedOrganisations: [String], sortedNodes: [NodeID]) {
        self.tlp = tlp
        roles = sortedRoles
        organisations = sortedOrganisations
        nodes = sortedNodes
    }

    /// Sorted by UTF-8 bytes, duplicates (by bytes) removed.
    static func canonical(_ values: [String]) -> [String] {
        let sorted = values.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        var out: [String] = []
        var previous: [UInt8]?
        for value in sorted where value != previous {
            out.append(String(decoding: value, as: UTF8.self))
            previous = value
        }
        return out
    }
}
