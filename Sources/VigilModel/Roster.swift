/// A federation member as the roster knows it.
///
/// A member's identity is the node id it joined with (its first key). A key rotation gives it a new
/// signing key but keeps the identity, so audiences that name the member, acknowledgements and
/// "only the author may amend" keep working across rotations.
public struct RosterMember: Hashable, Sendable {
    /// The member's identity: the node id it joined with.
    public let identity: NodeID
    /// The key it signs with now.
    public internal(set) var key: NodeID
    /// Unique name (certificate CN), e.g. `gov-antwerp`.
    public let name: String
    /// Organisation (certificate O).
    public let organisation: String
    /// Role, e.g. `government`.
    public let role: String
    /// Where it listens, `host:port` (may be empty).
    public internal(set) var addresses: [String]
    /// When it was revoked (the revocation's HLC), if it was.
    public internal(set) var revokedAt: HybridTimestamp?
    /// Why it was revoked.
    public internal(set) var revocationReason: String?

    /// A member.
    public init(identity: NodeID, key: NodeID? = nil, name: String, organisation: String, role: String, addresses: [String] = []) {
        self.identity = identity
        self.key = key ?? identity
        self.name = name
        self.organisation = organisation
        self.role = role
        self.addresses = addresses
    }

    /// What the audience rule needs: identity, role, organisation.
    public var profile: MemberProfile { MemberProfile(node: identity, role: role, organisation: organisation) }
    /// Whether it is still a member.
    public var isActive: Bool { revokedAt == nil }
}

/// The body of a `roster` entry, signed by the federation authority only. Encoded as a `FieldMap`:
///
/// ```
/// {"op": "add", "node": <id>, "name": "…", "organisation": "…", "role": "…", "addresses": ["host:port", …]}
/// {"op": "revoke", "node": <identity>, "reason": "…"}
/// {"op": "rotate", "node": <identity>, "key": <new key>}
/// ```
public enum RosterChange: Hashable, Sendable {
    /// A member joins.
    case add(node: NodeID, name: String, organisation: String, role: String, addresses: [String])
    /// A member leaves for good: its sessions and its entries signed after the revocation are refused.
    case revoke(node: NodeID, reason: String)
    /// A member's signing key changes; the identity stays. Entries signed with the old key after the
    /// rotation are refused.
    case rotate(node: NodeID, newKey: NodeID)

    /// The member the change is about (its identity).
    public var node: NodeID {
        switch self {
        case .add(let node, _, _, _, _), .revoke(let node, _), .rotate(let node, _): node
        }
    }

    /// The body as a field map.
    public var fieldMap: FieldMap {
        switch self {
        case let .add(node, name, organisation, role, addresses):
            ["op": .text("add"), "node": .id(node), "name": .text(name), "organisation": .text(organisation),
             "role": .text(role), "addresses": .list(addresses.map { .text($0) })]
        case let .revoke(node, reason):
            ["op": .text("revoke"), "node": .id(node), "reason": .text(reason)]
        case let .rotate(node, newKey):
            ["op": .text("rotate"), "node": .id(node), "key": .id(newKey)]
        }
    }

    /// Canonical body bytes.
    public func encoded() throws(DecodingError) -> [UInt8] { try fieldMap.encoded() }

    /// Reads a roster body, saying precisely what is wrong when it is not one.
    public init(body: [UInt8]) throws(RosterError) {
        let map: FieldMap
        do { map = try FieldMap(canonicalBytes: body) } catch { throw RosterError("body: not a field map: \(error)") }
        try self.init(fields: map)
    }

    /// Reads a roster change from its fields.
    public init(fields map: FieldMap) throws(RosterError) {
        guard case .text(let op)? = map["op"] else {
            throw RosterError("op: missing; a roster entry's op is \"add\", \"revoke\" or \"rotate\"", field: "op")
        }
        guard case .id(let node)? = map["node"] else { throw RosterError("node: missing or not a node id (64 hex digits)", field: "node") }
        func text(_ name: String, max: Int) throws(RosterError) -> String {
            guard case .text(let value)? = map[name] else { throw RosterError("\(name): missing or not text", field: name) }
            guard !value.isEmpty, value.utf8.count <= max else { throw RosterError("\(name): must be 1–\(max) bytes", field: name) }
            return value
        }
        func only(_ names: Set<String>) throws(RosterError) {
            for name in map.names where !names.contains(name) {
                throw RosterError("\(name): not a field of a roster \(op) (fields: \(names.sorted().joined(separator: ", ")))", field: name)
            }
        }
        switch op {
        case "add":
            try only(["op", "node", "name", "organisation", "role", "addresses"])
            let name = try text("name", max: 64)
            let organisation = try text("organisation", max: 64)
            if let problem = AudienceNames.problem(organisation: organisation) { throw RosterError("organisation: \(problem)", field: "organisation") }
            let role = try text("role", max: 32)
            if let problem = AudienceNames.problem(role: role) { throw RosterError("role: \(problem)", field: "role") }
            guard Role(rawValue: role) != nil else { throw RosterError("role: \"\(role)\" is not a known role (\(Role.knownNames))", field: "role") }
            var addresses: [String] = []
            switch map["addresses"] {
            case nil: break
            case .list(let items)?:
                for (i, item) in items.enumerated() {
                    guard case .text(let address) = item, Self.isAddress(address) else {
                        throw RosterError("addresses[\(i)]: must be \"host:port\" with a port 1–65535", field: "addresses[\(i)]")
                    }
                    addresses.append(address)
                }
            default: throw RosterError("addresses: must be a list of \"host:port\"", field: "addresses")
            }
            self = .add(node: node, name: name, organisation: organisation, role: role, addresses: addresses)
        case "revoke":
            try only(["op", "node", "reason"])
            self = .revoke(node: node, reason: try text("reason", max: 1000))
        case "rotate":
            try only(["op", "node", "key"])
            guard case .id(let key)? = map["key"] else { throw RosterError("key: missing or not a node id (the new public key, 64 hex digits)", field: "key") }
            guard key != node else { throw RosterError("key: the new key is the member's identity; a rotation needs a fresh key", field: "key") }
            self = .rotate(node: node, newKey: key)
        default:
            throw RosterError("op: \"\(op)\" is not a roster operation; use \"add\", \"revoke\" or \"rotate\"", field: "op")
        }
    }

    /// Whether `text` is a `"host:port"` address with a port 1–65535 (at most 255 bytes).
    public static func isAddress(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return false }
        return text.utf8.count <= 255
    }
}

/// A roster entry is not acceptable: what is wrong, and the body field at fault when one is.
public struct RosterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, for people.
    public let message: String
    /// The roster body's field at fault (`name`, `addresses[1]`, `key`), when one is.
    public let field: String?
    /// An error.
    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }
    public var description: String { message }
}

/// How the roster stands on a key at a given time.
public enum KeyStanding: Hashable, Sendable {
    /// The key is a member's key and was valid at that time.
    case valid(RosterMember)
    /// The key was a member's but was retired (revoked or rotated away) at or before that time.
    case retired(RosterMember, since: HybridTimestamp, because: String)
    /// The key became the member's key only after that time (a rotation).
    case notYetValid(RosterMember, from: HybridTimestamp)
    /// Not a key the roster knows.
    case unknown
}

/// When a member's key signs acceptably: from `from` (a rotation's new key; nil from the start) until
/// `until` (its revocation or rotation; nil for as long as it stands).
public struct KeyValidity: Hashable, Sendable {
    /// The first HLC time the key signs for its member, nil for no limit.
    public let from: HybridTimestamp?
    /// The first HLC time it no longer does, nil for no limit.
    public let until: HybridTimestamp?

    /// Whether an entry signed at `time` is acceptable (`Roster.standing(of:at:)` is `.valid`).
    @inlinable public func contains(_ time: HybridTimestamp) -> Bool {
        if let from, time < from { return false }
        if let until, time >= until { return false }
        return true
    }
}

/// The federation's membership: the genesis founders plus every roster entry, applied in (HLC, id)
/// order. It is a pure function of the set of roster entries held, so every node that holds the same
/// set agrees on who is a member, whatever order the entries arrived in.
///
/// Rules, in that order:
/// - only the authority (its key valid at the entry's time) signs roster entries, audience CLEAR or GREEN;
/// - `add` of a node id or name already used, or of a revoked member, is ignored (first one wins);
/// - `revoke` is permanent; the authority cannot be revoked; a second revocation is ignored;
/// - `rotate` needs an active member and a key never used before; the old key is retired at the
///   rotation's time, the new key is valid from then on.
public struct Roster: Sendable {
    /// The authority's identity.
    public let authority: NodeID
    /// Members by identity.
    public private(set) var members: [NodeID: RosterMember]
    /// Notes on roster entries that changed nothing (a duplicate add…), by entry id.
    public private(set) var ignored: [EntryID: String] = [:]
    /// Whether any key was ever rotated (lets hot paths skip identity look-ups).
    public private(set) var hasRotations = false
    /// Keys retired so far (revoked or rotated away), with the time they were retired. Only a change
    /// here can make held entries invalid, so a node scans what it holds only when this changes.
    public var retiredKeys: [NodeID: HybridTimestamp] {
        keys.compactMapValues(\.until)
    }
    /// Every key the roster knows, with the time it became valid (nil for founders).
    public var keyStarts: [NodeID: HybridTimestamp?] {
        keys.mapValues(\.from)
    }

    private let founders: [RosterMember]
    private var changes: [(timestamp: HybridTimestamp, id: EntryID, change: RosterChange)] = []
    private var keys: [NodeID: KeyRecord] = [:]
    private var applied: Set<EntryID> = []

    struct KeyRecord: Hashable, Sendable {
        let identity: NodeID
        let from: HybridTimestamp?
        var until: HybridTimestamp?
        var why: String?
    }

    /// A roster of the genesis `founders`; `authority` must be one of them.
    public init(authority: NodeID, founders: [RosterMember]) {
        self.authority = authority
        self.founders = founders
        members = [:]
        rebuild()
    }

    /// Roster entries applied so far.
    public var changeCount: Int { changes.count }
    /// Members that are not revoked, by name.
    public var activeMembers: [RosterMember] { members.values.filter(\.isActive).sorted { $0.name < $1.name } }
    /// Every member ever, by name.
    public var allMembers: [RosterMember] { members.values.sorted { $0.name < $1.name } }

    /// The member whose key (current or past) is `key`.
    public func member(ofKey key: NodeID) -> RosterMember? {
        keys[key].flatMap { members[$0.identity] }
    }
    /// The identity behind `key`, or nil when the key is unknown.
    public func identity(ofKey key: NodeID) -> NodeID? { keys[key]?.identity }
    /// The member called `name`.
    public func member(named name: String) -> RosterMember? { members.values.first { $0.name == name } }

    /// The profile of the member presenting `key` now: nil when the key is unknown, revoked or rotated away.
    public func profile(ofKey key: NodeID) -> MemberProfile? {
        guard let record = keys[key], record.until == nil, let member = members[record.identity], member.isActive else { return nil }
        return member.profile
    }

    /// Why `key` may not open a session now — `notMember` for an unknown key, `revoked` for a key
    /// revoked or rotated away — or nil when it may.
    public func sessionRefusal(_ key: NodeID) -> Refusal? {
        guard let record = keys[key], let member = members[record.identity] else {
            return Refusal(.notMember, "node \(key.fingerprint) is not a member of the federation")
        }
        if let until = record.until {
            return Refusal(.revoked, "node \(member.name) (\(key.fingerprint)): this key was \(record.why ?? "retired") at \(until)")
        }
        return nil
    }

    /// The HLC times at which `key` signs acceptably — `standing(of: key, at: t)` is `.valid` exactly
    /// for `t` in the window — or nil for a key of no member. For checking many entries of few keys
    /// (start-up) without looking the key and its member up for each.
    public func validity(of key: NodeID) -> KeyValidity? {
        guard let record = keys[key], members[record.identity] != nil else { return nil }
        return KeyValidity(from: record.from, until: record.until)
    }

    /// How the roster stands on `key` at `time`: whether an entry signed with it then is acceptable.
    public func standing(of key: NodeID, at time: HybridTimestamp) -> KeyStanding {
        guard let record = keys[key], let member = members[record.identity] else { return .unknown }
        if let from = record.from, time < from { return .notYetValid(member, from: from) }
        if let until = record.until, time >= until { return .retired(member, since: until, because: record.why ?? "retired") }
        return .valid(member)
    }

    /// Whether `key` signs for the authority at `time`.
    public func isAuthority(_ key: NodeID, at time: HybridTimestamp) -> Bool {
        if case .valid(let member) = standing(of: key, at: time) { return member.identity == authority }
        return false
    }

    /// Checks a roster entry and applies it. Throws when the entry is not acceptable (not signed by the
    /// authority, audience not CLEAR/GREEN, body malformed). Returns whether the membership changed.
    @discardableResult
    public mutating func insert(_ entry: Entry) throws(RosterError) -> Bool {
        guard entry.kind == .roster else { throw RosterError("not a roster entry") }
        guard !applied.contains(entry.id) else { return false }
        let change = try Self.check(entry, roster: self)
        applied.insert(entry.id)
        let before = members
        let beforeKeys = keys
        let position = changes.firstIndex { ($0.timestamp, $0.id) > (entry.timestamp, entry.id) } ?? changes.count
        changes.insert((entry.timestamp, entry.id, change), at: position)
        rebuild()
        return before != members || beforeKeys != keys
    }

    /// Applies the roster entries among `entries` in (HLC, id) order (a store's contents at start-up);
    /// entries that are not acceptable are skipped.
    public mutating func insertAll(_ entries: [Entry]) {
        for entry in entries.filter({ $0.kind == .roster }).sorted(by: { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }) {
            _ = try? insert(entry)
        }
    }

    /// Checks a roster entry without applying it; returns its change.
    public static func check(_ entry: Entry, roster: Roster) throws(RosterError) -> RosterChange {
        guard roster.isAuthority(entry.author, at: entry.timestamp) else {
            throw RosterError("roster entries are signed by the federation authority only; \(entry.author.fingerprint) is not the authority's key at \(entry.timestamp)")
        }
        guard entry.audience.tlp <= .green else {
            throw RosterError("a roster entry must be TLP:CLEAR or TLP:GREEN (every member needs it), not \(entry.audience.tlp)")
        }
        guard entry.refs.isEmpty else { throw RosterError("a roster entry has no refs") }
        return try RosterChange(body: entry.body)
    }

    private mutating func rebuild() {
        members = [:]
        keys = [:]
        ignored = [:]
        hasRotations = false
        for founder in founders {
            members[founder.identity] = founder
            keys[founder.identity] = KeyRecord(identity: founder.identity, from: nil, until: nil, why: nil)
        }
        for (timestamp, id, change) in changes {
            if let note = apply(change, at: timestamp) { ignored[id] = note }
        }
    }

    /// Applies one change; returns why it was ignored, or nil.
    private mutating func apply(_ change: RosterChange, at time: HybridTimestamp) -> String? {
        switch change {
        case let .add(node, name, organisation, role, addresses):
            if keys[node] != nil { return "node \(node.fingerprint) is already known to the roster" }
            if members.values.contains(where: { $0.name == name }) { return "the name \(name) is already taken" }
            members[node] = RosterMember(identity: node, name: name, organisation: organisation, role: role, addresses: addresses)
            keys[node] = KeyRecord(identity: node, from: time, until: nil, why: nil)
            return nil
        case let .revoke(node, reason):
            guard var member = members[node] else { return "revoke: no member with identity \(node.fingerprint)" }
            guard node != authority else { return "revoke: the authority cannot be revoked" }
            guard member.isActive else { return "revoke: \(member.name) is already revoked" }
            member.revokedAt = time
            member.revocationReason = reason
            members[node] = member
            if keys[member.key]?.until == nil {
                keys[member.key]?.until = time
                keys[member.key]?.why = "revoked (\(reason))"
            }
            return nil
        case let .rotate(node, newKey):
            guard var member = members[node] else { return "rotate: no member with identity \(node.fingerprint)" }
            guard member.isActive else { return "rotate: \(member.name) is revoked" }
            guard keys[newKey] == nil else { return "rotate: key \(newKey.fingerprint) was already used" }
            keys[member.key]?.until = time
            keys[member.key]?.why = "rotated away"
            keys[newKey] = KeyRecord(identity: node, from: time, until: nil, why: nil)
            member.key = newKey
            members[node] = member
            hasRotations = true
            return nil
        }
    }
}
