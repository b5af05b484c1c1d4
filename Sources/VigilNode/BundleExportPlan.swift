import VigilBundle
import VigilModel

/// Who a bundle is for and since when, as the operator names them (`vigil bundle export`).
public struct BundleSelection: Codable, Sendable, Equatable {
    /// Members by name or node id (64 hex digits).
    public var to: [String]
    /// Every active member with one of these roles.
    public var roles: [String]
    /// Only entries whose HLC time is at or after this (ms since the epoch).
    public var sinceMilliseconds: UInt64?

    /// A selection.
    public init(to: [String] = [], roles: [String] = [], sinceMilliseconds: UInt64? = nil) {
        self.to = to
        self.roles = roles
        self.sinceMilliseconds = sinceMilliseconds
    }
}

/// What goes into a bundle: its recipients with their current encryption keys, and the held entries
/// that every one of them may read. Pure: a function of the request, the held entries and the roster.
public struct BundleExportPlan: Sendable {
    /// The recipients (members) and the keys the bundle is sealed to.
    public let recipients: [(member: RosterMember, key: BundleRecipientKey)]
    /// The entries, in display order.
    public let entries: [Entry]

    /// The plan for `request`, exported by `me` (an identity) from `held` (entries this node holds,
    /// withdrawn ones already left out) under `roster`. Throws `ConfigurationError` naming an
    /// unknown recipient, a role nobody has, or a recipient without a published encryption key.
    ///
    /// The audience rule applies exactly as on the wire (`Audience.admits`, author by identity). One
    /// content key opens the whole bundle, so an entry goes in only if **every** recipient may read it:
    /// to give different recipients different entries, make one bundle each.
    public static func make(_ request: BundleSelection, held: [Entry], roster: Roster, me: NodeID) throws(ConfigurationError) -> BundleExportPlan {
        var members: [NodeID: RosterMember] = [:]
        for name in request.to {
            let found = NodeID(hex: name).flatMap { roster.members[$0] ?? roster.member(ofKey: $0) } ?? roster.member(named: name)
            guard let member = found else {
                throw ConfigurationError("--to \(name): no member of the federation has that name or node id (see `vigil roster`)")
            }
            guard member.isActive else { throw ConfigurationError("--to \(name): \(member.name) was revoked; a bundle cannot be addressed to it") }
            members[member.identity] = member
        }
        for role in request.roles {
            guard Role(rawValue: role) != nil else { throw ConfigurationError("--role \(role): not a known role (\(Role.knownNames))") }
            let matching = roster.activeMembers.filter { $0.role == role && $0.identity != me }
            guard !matching.isEmpty else { throw ConfigurationError("--role \(role): no other active member has that role") }
            for m in matching { members[m.identity] = m }
        }
        members.removeValue(forKey: me)
        guard !members.isEmpty else {
            throw ConfigurationError("a bundle needs at least one recipient other than this node: give --to NODE or --role ROLE")
        }
        guard members.count <= BundleHeader.maxRecipients else {
            throw ConfigurationError("\(members.count) recipients; a bundle may name at most \(BundleHeader.maxRecipients)")
        }
        let directory = EncryptionKeyDirectory(entries: held, roster: roster)
        let sorted = members.values.sorted { $0.identity < $1.identity }
        let missing = sorted.filter { directory.keys[$0.identity] == nil }.map(\.name)
        guard missing.isEmpty else {
            throw ConfigurationError("no encryption key held for \(missing.joined(separator: ", ")): a member publishes one with `vigil bundle key`, and this node must have received that enckey entry (sync, or a bundle from that member) before it can seal bundles to it")
        }
        let recipients = sorted.map { ($0, BundleRecipientKey(identity: $0.identity, publicKey: directory.keys[$0.identity]!.publicKey)) }
        let profiles = sorted.map(\.profile)
        let entries = held.filter { entry in
            if let since = request.sinceMilliseconds, entry.timestamp.milliseconds < since { return false }
            let author = roster.hasRotations ? (roster.identity(ofKey: entry.author) ?? entry.author) : entry.author
            return profiles.allSatisfy { entry.audience.admits($0, author: author) }
        }.sorted(by: Entry.displayOrder)
        return BundleExportPlan(recipients: recipients, entries: entries)
    }
}
