import VigilModel

// The local API's sneakernet bundle requests (docs/bundles.md). The node itself reads or writes the
// bundle file, so a bundle never has to fit in a request line.

/// `bundle-export`: seal the entries the recipients may read into a bundle file at `out`.
public struct BundleExportRequest: APIOperation, Equatable {
    public typealias Answer = BundleExportAnswer
    public static let op = "bundle-export"
    /// The absolute path of the file the node writes (mode 0600).
    public var out: String
    /// Recipients by name or node id.
    public var to: [String]
    /// Every other active member with one of these roles.
    public var roles: [String]
    /// Only entries from this HLC time on (ms since the epoch).
    public var sinceMs: UInt64?

    enum CodingKeys: String, CodingKey {
        case out, to, roles
        case sinceMs = "since_ms"
    }

    /// An export request.
    public init(out: String, to: [String] = [], roles: [String] = [], sinceMs: UInt64? = nil) {
        self.out = out
        self.to = to
        self.roles = roles
        self.sinceMs = sinceMs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        out = try c.decode(String.self, forKey: .out)
        to = try c.decodeIfPresent([String].self, forKey: .to) ?? []
        roles = try c.decodeIfPresent([String].self, forKey: .roles) ?? []
        sinceMs = try c.decodeIfPresent(UInt64.self, forKey: .sinceMs)
    }
}

/// What `bundle-export` wrote.
public struct BundleExportAnswer: Codable, Sendable, Equatable {
    /// The file written.
    public let out: String
    /// How many entries it holds.
    public let entries: Int
    /// The recipients' names.
    public let recipients: [String]

    /// An answer.
    public init(out: String, entries: Int, recipients: [String]) {
        self.out = out
        self.entries = entries
        self.recipients = recipients
    }
}

/// `bundle-import`: open the bundle file at `path` and take its entries as if from a peer. A bundle
/// refused as a whole answers a failure (code `refused`) with the reason; nothing is stored then.
public struct BundleImportRequest: APIOperation {
    public typealias Answer = BundleImportReport
    public static let op = "bundle-import"
    /// The absolute path of the bundle file (the node reads it).
    public var path: String

    /// An import request.
    public init(path: String) { self.path = path }
}

/// `bundle-key`: publish this node's `encryption.key` in an `enckey` entry unless already published.
public struct BundleKeyRequest: APIOperation {
    public typealias Answer = BundleKeyAnswer
    public static let op = "bundle-key"
    /// A key request.
    public init() {}
}

/// What `bundle-key` did.
public struct BundleKeyAnswer: Codable, Sendable, Equatable {
    /// The new `enckey` entry, or nil when the newest one held already names the key.
    public let id: EntryID?

    /// An answer.
    public init(id: EntryID?) { self.id = id }
}

/// What became of one entry of an imported bundle.
public enum BundleEntryOutcome: Codable, Sendable, Equatable {
    /// Verified and admitted: now held (durable).
    case new
    /// Already held (or arriving from a peer at the same moment, or twice in the bundle).
    case held
    /// Refused exactly as it would have been from a peer.
    case refused(refusal: Refusal)
}

/// The result of importing a bundle: who made it, and per entry what happened (the `bundle-import`
/// answer, and `vigil bundle import --json`).
public struct BundleImportReport: Codable, Sendable, Equatable {
    /// One entry's outcome.
    public struct Item: Codable, Sendable, Equatable {
        /// The entry id (SHA-256 of its bytes).
        public let id: EntryID
        /// What happened to it.
        public let outcome: BundleEntryOutcome

        /// An item.
        public init(id: EntryID, outcome: BundleEntryOutcome) {
            self.id = id
            self.outcome = outcome
        }
    }
    /// The exporting member's name.
    public let exporter: String
    /// When it made the bundle (HLC, `ms.counter`).
    public let created: String
    /// Per entry, in bundle order.
    public let items: [Item]

    /// A report.
    public init(exporter: String, created: String, items: [Item]) {
        self.exporter = exporter
        self.created = created
        self.items = items
    }

    /// Entries new to this node.
    public var new: Int { items.filter { $0.outcome == .new }.count }
    /// Entries already held.
    public var held: Int { items.filter { $0.outcome == .held }.count }
    /// Refused entries with their refusals.
    public var refused: [(id: EntryID, refusal: Refusal)] {
        items.compactMap { if case .refused(let refusal) = $0.outcome { ($0.id, refusal) } else { nil } }
    }
}
