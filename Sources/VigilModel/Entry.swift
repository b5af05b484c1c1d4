import VigilCrypto

/// The fields of an entry before it is signed.
public struct EntryDraft: Hashable, Sendable {
    /// The author's node id (its Ed25519 public key).
    public var author: NodeID
    /// When the author created it, by the author's hybrid logical clock.
    public var timestamp: HybridTimestamp
    /// What the entry is.
    public var kind: EntryKind
    /// Who may read it.
    public var audience: Audience
    /// Other entries this one refers to (the report it updates, the entry it acknowledges), in
    /// meaningful order, no duplicates.
    public var refs: [EntryID]
    /// The kind-specific body.
    public var body: [UInt8]

    /// A draft.
    public init(author: NodeID, timestamp: HybridTimestamp, kind: EntryKind, audience: Audience,
                refs: [EntryID] = [], body: [UInt8] = []) {
        self.author = author
        self.timestamp = timestamp
        self.kind = kind
        self.audience = audience
        self.refs = refs
        self.body = body
    }

    /// The canonical bytes that are signed (after the domain prefix): everything but the signature.
    /// Fails when a field breaks the limits, with the same message the decoder would give.
    public func signedBytes() throws(DecodingError) -> [UInt8] {
        try EntryCodec.encodeUnsigned(self)
    }

    /// Signs the draft. `key` must be the author's key.
    public func signed(by key: SigningKey) throws -> Entry {
        guard NodeID(key.publicKey) == author else {
            throw Refusal(.wrongAuthor, "the signing key \(NodeID(key.publicKey).fingerprint) is not the author \(author.fingerprint)")
        }
        var bytes = try signedBytes()
        let signature = try key.signature(for: bytes, in: .entry)
        bytes.append(contentsOf: signature)
        guard bytes.count <= EntryLimits.maxEncodedBytes else {
            throw DecodingError(field: "entry", offset: 0, reason: "the encoded entry would be \(bytes.count) bytes, more than the limit \(EntryLimits.maxEncodedBytes)")
        }
        return Entry(draft: self, signature: signature, canonicalBytes: bytes)
    }
}

/// A signed entry: the unit of replication of the shared log.
///
/// An `Entry` value is always in canonical form: it is made either by signing a draft or by decoding
/// bytes that passed every canonical-form check. Its signature is checked by `EntryValidator`, not here.
public struct Entry: Hashable, Sendable {
    /// The signed fields.
    public let draft: EntryDraft
    /// The author's Ed25519 signature over `SignatureDomain.entry.prefix + signedBytes`.
    public let signature: [UInt8]
    /// The one valid encoding of this entry, signature included.
    public let canonicalBytes: [UInt8]
    /// SHA-256 of `canonicalBytes`.
    public let id: EntryID

    init(draft: EntryDraft, signature: [UInt8], canonicalBytes: [UInt8]) {
        self.draft = draft
        self.signature = signature
        self.canonicalBytes = canonicalBytes
        self.id = EntryID(SHA256.hash(canonicalBytes))!
    }

    /// Decodes canonical bytes. Refuses unknown versions, non-minimal integers, unsorted or duplicate
    /// recipients, values over the limits and trailing bytes, saying which field and why.
    /// The signature is not checked here: see `EntryValidator`.
    public init(canonicalBytes bytes: [UInt8]) throws(DecodingError) {
        self = try EntryCodec.decode(bytes)
    }

    /// The author's node id.
    public var author: NodeID { draft.author }
    /// The author's hybrid logical clock at creation.
    public var timestamp: HybridTimestamp { draft.timestamp }
    /// What the entry is.
    public var kind: EntryKind { draft.kind }
    /// Who may read it.
    public var audience: Audience { draft.audience }
    /// Entries it refers to.
    public var refs: [EntryID] { draft.refs }
    /// The kind-specific body.
    public var body: [UInt8] { draft.body }

    /// The bytes covered by the signature (after the domain prefix).
    public var signedBytes: ArraySlice<UInt8> { canonicalBytes.dropLast(EntryLimits.signatureBytes) }

    public static func == (a: Entry, b: Entry) -> Bool { a.canonicalBytes == b.canonicalBytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension Entry {
    /// The deterministic order shown to people and used everywhere: HLC, then author, then id.
    public static func displayOrder(_ a: Entry, _ b: Entry) -> Bool {
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
        if a.author != b.author { return a.author < b.author }
        return a.id < b.id
    }
}
