/// The body of an `enckey` entry: the X25519 public key its author's node opens bundles with
/// (docs/bundles.md). Encoded as the field map `{"x25519": <32 bytes as an id value>}`.
///
/// The entry is signed by the member's Ed25519 key like every entry, so the federation trusts the
/// encryption key exactly as far as it trusts that member's signing key. A newer announcement (by HLC,
/// then id) by the same identity replaces an older one: that is rotation (`EncryptionKeyDirectory`).
public struct EncryptionKeyBody: Hashable, Sendable {
    /// The raw 32-byte X25519 public key.
    public let publicKey: Bytes32

    /// A body announcing `publicKey`.
    public init(publicKey: Bytes32) { self.publicKey = publicKey }

    /// Canonical body bytes.
    public func encoded() -> [UInt8] { try! (["x25519": .id(publicKey)] as FieldMap).encoded() }

    /// Reads an enckey body, saying what is wrong when it is not one.
    public init(body: [UInt8]) throws(DecodingError) {
        let map = try FieldMap(canonicalBytes: body)
        guard map.fields.count == 1, case .id(let key)? = map["x25519"] else {
            throw DecodingError(field: "body", offset: 0, reason: "an enckey body is {\"x25519\": <32-byte public key>}, exactly that field")
        }
        publicKey = key
    }
}

/// Every member's current bundle encryption key, as a pure function of the entries held and the
/// roster: for each identity, its newest `enckey` entry (HLC, then id) signed with a key that was valid
/// at the entry's time. Two nodes holding the same entries agree on every key.
public struct EncryptionKeyDirectory: Sendable {
    /// One member's current key.
    public struct Announcement: Hashable, Sendable {
        /// The member's identity.
        public let identity: NodeID
        /// The X25519 public key.
        public let publicKey: Bytes32
        /// When it was announced.
        public let timestamp: HybridTimestamp
        /// The announcing entry.
        public let entry: EntryID
    }

    /// Current key by identity.
    public private(set) var keys: [NodeID: Announcement] = [:]

    /// An empty directory.
    public init() {}

    /// The directory of `entries` (any order; non-`enckey` entries are skipped).
    public init(entries: some Sequence<Entry>, roster: Roster) {
        for entry in entries { insert(entry, roster: roster) }
    }

    /// Considers one entry; returns whether it became its member's current key.
    @discardableResult
    public mutating func insert(_ entry: Entry, roster: Roster) -> Bool {
        guard entry.kind == .encryptionKey, let body = try? EncryptionKeyBody(body: entry.body),
              case .valid(let member) = roster.standing(of: entry.author, at: entry.timestamp) else { return false }
        let candidate = Announcement(identity: member.identity, publicKey: body.publicKey, timestamp: entry.timestamp, entry: entry.id)
        if let current = keys[member.identity],
           (current.timestamp, current.entry) >= (candidate.timestamp, candidate.entry) { return false }
        keys[member.identity] = candidate
        return true
    }
}
