/// The federation's rules on an entry beyond its signature: is the author a member whose key was
/// valid when it signed, may its role write this kind, is the audience well formed, is the body a valid
/// body of its kind. Pure functions of the entry and the roster, so every node decides alike
/// (docs/federation.md has the table).
public enum FederationRules {
    /// Which roles may author which kind. Kinds not listed here (message, ack, update) are open to
    /// every role; `roster` is the authority's alone (checked on its key, not its role).
    public static let authors: [EntryKind: [String]] = [
        .situationReport: ["authority", "government", "crisis-centre", "police", "fire-rescue", "medical"],
        .threatNotice: ["authority", "crisis-centre", "police"],
        .incident: ["company", "police", "authority"],
        .assessment: ["authority", "police"],
        .alert: ["authority", "government", "crisis-centre"],
        .commTest: ["authority", "government", "crisis-centre"],
        .roster: ["authority"],
    ]

    /// Whether `role` may author `kind`.
    public static func may(_ role: String, author kind: EntryKind) -> Bool {
        guard let roles = authors[kind] else { return true }
        return roles.contains(role)
    }

    /// The member that signed `entry`, when the entry is acceptable under `roster`; otherwise throws
    /// with the reason. Does not check the signature (that is `EntryValidator`) nor who may update
    /// whose entry (that needs the target: `mayUpdate`).
    @discardableResult
    ///
    /// `body`, when given, is the field map the entry's body was encoded from in this process (a local
    /// post): it is validated as it is instead of being decoded from the bytes again.
    public static func check(_ entry: Entry, roster: Roster, body: FieldMap? = nil) throws(Refusal) -> RosterMember {
        let member: RosterMember
        switch roster.standing(of: entry.author, at: entry.timestamp) {
        case .valid(let m):
            member = m
        case .unknown:
            throw Refusal(.notMember, "author \(entry.author.fingerprint) is not a federation member (yet): the entry is fetched again once a roster entry adds it")
        case let .retired(m, since, because):
            throw Refusal(.revoked, "author \(m.name) signed this at \(entry.timestamp), but that key was \(because) at \(since)")
        case let .notYetValid(m, from):
            throw Refusal(.revoked, "author \(m.name) signed this at \(entry.timestamp) with a key that is valid only from \(from)")
        }
        guard may(member.role, author: entry.kind) else {
            let allowed = authors[entry.kind]?.joined(separator: ", ") ?? "every role"
            throw Refusal(.role, "\(member.name) has role \(member.role), which may not author \(entry.kind) entries (allowed: \(allowed))")
        }
        for role in entry.audience.roles where Role(rawValue: role) == nil {
            throw Refusal(.invalidBody, "audience role \"\(role)\" is not a known role (\(Role.knownNames))", field: "audience.roles")
        }
        switch entry.kind {
        case .roster:
            do { _ = try Roster.check(entry, roster: roster) } catch { throw Refusal(.roster, "roster: \(error.message)") }
        case .encryptionKey:
            // Every member needs every member's encryption key, and it stands alone.
            guard entry.audience.tlp == .clear || entry.audience.tlp == .green else {
                throw Refusal(.invalidBody, "an enckey entry must be TLP:CLEAR or TLP:GREEN (every member needs it), not \(entry.audience.tlp)", field: "audience")
            }
            guard entry.refs.isEmpty else { throw Refusal(.invalidBody, "an enckey entry has no refs", field: "refs") }
            do { _ = try EncryptionKeyBody(body: entry.body) } catch { throw Refusal(.invalidBody, "enckey body: \(error)", field: "body") }
        case .update, .acknowledgement, .assessment:
            guard entry.refs.count >= 1 else {
                let about = entry.kind == .assessment ? "the incident it assesses" : "the entry it is about"
                throw Refusal(.invalidBody, "\(entry.kind): the first ref must be \(about)", field: "refs")
            }
            fallthrough
        default:
            do {
                if let body, KindSchemas.isDocument(entry.kind) {
                    try KindSchemas.validate(entry.kind, body, createdAt: entry.timestamp.milliseconds)
                } else {
                    try KindSchemas.validate(entry.kind, body: entry.body, createdAt: entry.timestamp.milliseconds)
                }
            } catch {
                throw Refusal(error, context: "\(entry.kind) body")
            }
        }
        return member
    }

    /// Whether the member `updater` may amend or retract an entry whose author is `author` (both
    /// identities): its author, or the authority.
    public static func mayUpdate(_ updater: NodeID, entryBy author: NodeID, roster: Roster) -> Bool {
        updater == author || updater == roster.authority
    }
}
