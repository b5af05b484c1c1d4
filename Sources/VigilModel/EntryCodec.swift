/// The canonical binary encoding of an entry, format version 1. One valid byte string per entry.
///
/// ```
/// version        u8          = 1
/// author         32 bytes    Ed25519 public key
/// hlc.ms         varint      ≤ 2^48 − 1
/// hlc.counter    varint      ≤ 2^32 − 1
/// kind           u8          EntryKind code
/// tlp            u8          TLPLabel code
/// roles          varint n ≤ 16,  n × (varint len ≤ 32, bytes)     sorted, unique
/// organisations  varint n ≤ 64,  n × (varint len ≤ 64, UTF-8)     sorted bytewise, unique
/// nodes          varint n ≤ 256, n × 32 bytes                     sorted, unique
/// refs           varint n ≤ 16,  n × 32 bytes                     unique, order kept
/// body           varint len ≤ 120 KiB, bytes
/// signature      64 bytes    Ed25519 over "vigil/v1/entry\0" ‖ all bytes before it
/// ```
/// Varints are unsigned LEB128 in their shortest form. Nothing may follow the signature.
enum EntryCodec {
    static func encodeUnsigned(_ d: EntryDraft) throws(DecodingError) -> [UInt8] {
        try check(d)
        var w = ByteWriter(capacity: 128 + d.body.count + 32 * (d.refs.count + d.audience.nodes.count))
        w.byte(EntryLimits.formatVersion)
        w.bytes32(d.author)
        w.varint(d.timestamp.milliseconds)
        w.varint(UInt64(d.timestamp.counter))
        w.byte(d.kind.rawValue)
        w.byte(d.audience.tlp.rawValue)
        w.varint(UInt64(d.audience.roles.count))
        for role in d.audience.roles { w.lengthPrefixed(Array(role.utf8)) }
        w.varint(UInt64(d.audience.organisations.count))
        for org in d.audience.organisations { w.lengthPrefixed(Array(org.utf8)) }
        w.varint(UInt64(d.audience.nodes.count))
        for node in d.audience.nodes { w.bytes32(node) }
        w.varint(UInt64(d.refs.count))
        for ref in d.refs { w.bytes32(ref) }
        w.lengthPrefixed(d.body)
        return w.bytes
    }

    /// The limits and name rules, checked before encoding so that every encodable draft decodes.
    static func check(_ d: EntryDraft) throws(DecodingError) {
        func fail(_ field: String, _ reason: String) -> DecodingError { DecodingError(field: field, offset: 0, reason: reason) }
        guard d.timestamp.milliseconds <= HybridTimestamp.maxMilliseconds else {
            throw fail("hlc.ms", "value \(d.timestamp.milliseconds) exceeds the limit \(HybridTimestamp.maxMilliseconds)")
        }
        let a = d.audience
        guard a.roles.count <= EntryLimits.maxRoles else { throw fail("audience.roles", "\(a.roles.count) roles, more than \(EntryLimits.maxRoles)") }
        guard a.organisations.count <= EntryLimits.maxOrganisations else {
            throw fail("audience.organisations", "\(a.organisations.count) organisations, more than \(EntryLimits.maxOrganisations)")
        }
        guard a.nodes.count <= EntryLimits.maxNodes else { throw fail("audience.nodes", "\(a.nodes.count) nodes, more than \(EntryLimits.maxNodes)") }
        for (i, role) in a.roles.enumerated() {
            if let problem = AudienceNames.problem(role: role) { throw fail("audience.roles[\(i)]", problem) }
        }
        for (i, org) in a.organisations.enumerated() {
            if let problem = AudienceNames.problem(organisation: org) { throw fail("audience.organisations[\(i)]", problem) }
        }
        guard d.refs.count <= EntryLimits.maxRefs else { throw fail("refs", "\(d.refs.count) refs, more than \(EntryLimits.maxRefs)") }
        guard Set(d.refs).count == d.refs.count else { throw fail("refs", "the same entry is referenced twice") }
        guard d.body.count <= EntryLimits.maxBodyBytes else {
            throw fail("body", "\(d.body.count) bytes, more than the limit \(EntryLimits.maxBodyBytes)")
        }
    }

    /// The kind field only: the head of `decode`, read the same way.
    static func kind(ofCanonicalBytes bytes: [UInt8]) throws(DecodingError) -> EntryKind {
        var r = ByteReader(bytes)
        let version = try r.byte("version")
        guard version == EntryLimits.formatVersion else {
            throw DecodingError(field: "version", offset: 0, reason: "unknown format version \(version); this node reads version \(EntryLimits.formatVersion) (upgrade Vigil if the federation moved on)")
        }
        _ = try r.bytes32("author")
        _ = try r.varint("hlc.ms", max: HybridTimestamp.maxMilliseconds)
        _ = try r.varint("hlc.counter", max: UInt64(UInt32.max))
        let kindOffset = r.offset
        let kindCode = try r.byte("kind")
        guard let kind = EntryKind(rawValue: kindCode) else {
            throw DecodingError(field: "kind", offset: kindOffset, reason: "unknown kind code \(kindCode)")
        }
        return kind
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> Entry {
        guard bytes.count <= EntryLimits.maxEncodedBytes else {
            throw DecodingError(field: "entry", offset: 0, reason: "\(bytes.count) bytes, more than the limit \(EntryLimits.maxEncodedBytes)")
        }
        var r = ByteReader(bytes)
        let versionOffset = r.offset
        let version = try r.byte("version")
        guard version == EntryLimits.formatVersion else {
            throw DecodingError(field: "version", offset: versionOffset, reason: "unknown format version \(version); this node reads version \(EntryLimits.formatVersion) (upgrade Vigil if the federation moved on)")
        }
        let author = try r.bytes32("author")
        let ms = try r.varint("hlc.ms", max: HybridTimestamp.maxMilliseconds)
        let counter = try r.varint("hlc.counter", max: UInt64(UInt32.max))
        let kindOffset = r.offset
        let kindCode = try r.byte("kind")
        guard let kind = EntryKind(rawValue: kindCode) else {
            throw DecodingError(field: "kind", offset: kindOffset, reason: "unknown kind code \(kindCode)")
        }
        let tlpOffset = r.offset
        let tlpCode = try r.byte("audience.tlp")
        guard let tlp = TLPLabel(rawValue: tlpCode) else {
            throw DecodingError(field: "audience.tlp", offset: tlpOffset, reason: "unknown TLP code \(tlpCode)")
        }
        let roles = try readNames(&r, field: "audience.roles", maxCount: EntryLimits.maxRoles,
                                  maxBytes: EntryLimits.maxRoleBytes, problem: AudienceNames.problem(role:))
        let organisations = try readNames(&r, field: "audience.organisations", maxCount: EntryLimits.maxOrganisations,
                                          maxBytes: EntryLimits.maxOrganisationBytes, problem: AudienceNames.problem(organisation:))
        let nodeCount = Int(try r.varint("audience.nodes.count", max: UInt64(EntryLimits.maxNodes)))
        var nodes: [NodeID] = []
        nodes.reserveCapacity(nodeCount)
        for i in 0..<nodeCount {
            let at = r.offset
            let node = try r.bytes32("audience.nodes[\(i)]")
            if let last = nodes.last, !(last < node) {
                throw DecodingError(field: "audience.nodes[\(i)]", offset: at, reason: "nodes must be sorted ascending with no duplicates")
            }
            nodes.append(node)
        }
        let refCount = Int(try r.varint("refs.count", max: UInt64(EntryLimits.maxRefs)))
        var refs: [EntryID] = []
        refs.reserveCapacity(refCount)
        for i in 0..<refCount {
            let at = r.offset
            let ref = try r.bytes32("refs[\(i)]")
            if refs.contains(ref) {
                throw DecodingError(field: "refs[\(i)]", offset: at, reason: "the same entry is referenced twice")
            }
            refs.append(ref)
        }
        let bodyCount = Int(try r.varint("body.length", max: UInt64(EntryLimits.maxBodyBytes)))
        let body = Array(try r.raw(bodyCount, "body"))
        let signature = Array(try r.raw(EntryLimits.signatureBytes, "signature"))
        try r.expectEnd("entry")
        let audience = Audience(tlp: tlp, sortedRoles: roles, sortedOrganisations: organisations, sortedNodes: nodes)
        let draft = EntryDraft(author: author, timestamp: HybridTimestamp(milliseconds: ms, counter: UInt32(counter)),
                               kind: kind, audience: audience, refs: refs, body: body)
        return Entry(draft: draft, signature: signature, canonicalBytes: bytes)
    }

    private static func readNames(_ r: inout ByteReader, field: String, maxCount: Int, maxBytes: Int,
                                  problem: (String) -> String?) throws(DecodingError) -> [String] {
        let count = Int(try r.varint("\(field).count", max: UInt64(maxCount)))
        var names: [String] = []
        var previous: ArraySlice<UInt8>?
        for i in 0..<count {
            let at = r.offset
            let length = Int(try r.varint("\(field)[\(i)].length", max: UInt64(maxBytes)))
            let raw = try r.raw(length, "\(field)[\(i)]")
            guard let name = String(validating: raw, as: UTF8.self) else {
                throw DecodingError(field: "\(field)[\(i)]", offset: at, reason: "not valid UTF-8")
            }
            if let reason = problem(name) {
                throw DecodingError(field: "\(field)[\(i)]", offset: at, reason: reason)
            }
            if let previous, !previous.lexicographicallyPrecedes(raw) {
                throw DecodingError(field: "\(field)[\(i)]", offset: at, reason: "names must be sorted ascending (bytewise) with no duplicates")
            }
            previous = raw
            names.append(name)
        }
        return names
    }
}
