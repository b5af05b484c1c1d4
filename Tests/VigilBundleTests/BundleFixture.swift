import VigilBundle
import VigilCrypto
import VigilModel

/// A small in-memory federation for the bundle format tests: an authority, a government and a company,
/// each with a signing key and an encryption key, and a few entries by the authority.
struct BundleFixture {
    struct Member {
        let name: String
        let role: String
        let organisation: String
        let signing: SigningKey
        let encryption: AgreementKey
        var id: NodeID { NodeID(signing.publicKey) }
        var recipientKey: BundleRecipientKey { BundleRecipientKey(identity: id, publicKey: Bytes32(encryption.publicKey)!) }
    }

    let ncc: Member
    let gov: Member
    let acme: Member
    let roster: Roster

    init() throws {
        func member(_ name: String, _ role: String, _ org: String) throws -> Member {
            Member(name: name, role: role, organisation: org, signing: try SigningKey.generate(), encryption: try AgreementKey.generate())
        }
        ncc = try member("ncc", "authority", "National Crisis Centre")
        gov = try member("gov", "government", "Governor")
        acme = try member("acme", "company", "Acme")
        roster = Roster(authority: ncc.id, founders: [ncc, gov, acme].map {
            RosterMember(identity: $0.id, name: $0.name, organisation: $0.organisation, role: $0.role)
        })
    }

    /// `count` GREEN messages by the authority.
    func messages(_ count: Int) throws -> [Entry] {
        try (0..<count).map { i in
            try EntryDraft(author: ncc.id, timestamp: HybridTimestamp(milliseconds: 1_790_000_000_000 + UInt64(i), counter: 0), kind: .message,
                           audience: Audience(tlp: .green),
                           body: (["subject": .text("m\(i)"), "text": .text("message \(i)")] as FieldMap).encoded()).signed(by: ncc.signing)
        }
    }

    /// A sealed bundle of `entries` from `exporter` to `recipients`.
    func seal(_ entries: [Entry], from exporter: Member? = nil, to recipients: [Member], federation: NodeID? = nil) throws -> [UInt8] {
        let exporter = exporter ?? ncc
        return try BundleSealer.seal(entries: entries.map(\.canonicalBytes), federation: federation ?? roster.authority, exporter: exporter.signing,
                                     created: HybridTimestamp(milliseconds: 1_790_000_100_000, counter: 0),
                                     recipients: recipients.map(\.recipientKey), randomness: .fresh(recipients: recipients.count))
    }

    /// Opens `bytes` as `member`; the refusal reason, or nil when it opened.
    func refusal(_ bytes: [UInt8], as member: Member, roster: Roster? = nil) -> BundleRefusal.Reason? {
        do {
            _ = try BundleOpener.open(bytes, roster: roster ?? self.roster, identity: member.id, key: member.encryption)
            return nil
        } catch {
            return error.reason
        }
    }
}
