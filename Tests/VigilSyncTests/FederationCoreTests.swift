import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync

/// A small federation for NodeCore tests: keys from fixed seeds, the genesis roster, entry helpers.
struct CoreFixture {
    let keys: [String: SigningKey]
    let roles: [String: String] = ["ncc": "authority", "gov": "government", "centre": "crisis-centre", "company": "company", "police": "police"]
    let founders = ["ncc", "gov", "centre", "company"]

    init() {
        var keys: [String: SigningKey] = [:]
        for (i, name) in ["ncc", "gov", "centre", "company", "police", "police2", "gov-new"].enumerated() {
            keys[name] = try! SigningKey(seed: SecureBytes([UInt8](repeating: UInt8(i + 1), count: 32)))
        }
        self.keys = keys
    }

    func id(_ name: String) -> NodeID { NodeID(keys[name]!.publicKey) }
    func profile(_ name: String) -> MemberProfile { MemberProfile(node: id(name), role: roles[name] ?? "police", organisation: "Org \(name)") }
    var roster: Roster {
        Roster(authority: id("ncc"), founders: founders.map {
            RosterMember(identity: id($0), name: $0, organisation: "Org \($0)", role: roles[$0]!)
        })
    }
    func core(_ name: String) -> NodeCore {
        var core = NodeCore(me: profile(name), roster: roster, reader: NoEntries())
        core.wallClockAtZero = 1_800_000_000_000
        return core
    }

    func entry(_ name: String, at ms: UInt64, kind: EntryKind = .message, audience: Audience = .federation,
               refs: [EntryID] = [], fields: FieldMap = ["subject": .text("s"), "text": .text("t")], key: String? = nil) -> Entry {
        try! EntryDraft(author: id(key ?? name), timestamp: HybridTimestamp(milliseconds: ms, counter: 0), kind: kind,
                        audience: audience, refs: refs, body: fields.encoded()).signed(by: keys[key ?? name]!)
    }
    func roster(_ change: RosterChange, at ms: UInt64) -> Entry {
        try! EntryDraft(author: id("ncc"), timestamp: HybridTimestamp(milliseconds: ms, counter: 0), kind: .roster,
                        audience: .federation, body: change.encoded()).signed(by: keys["ncc"]!)
    }
}

extension [NodeDirective] {
    var refusals: [String] { compactMap { if case .refusedEntry(_, _, let refusal) = $0 { refusal.message } else { nil } } }
    var refusalCodes: [Refusal.Code] { compactMap { if case .refusedEntry(_, _, let refusal) = $0 { refusal.code } else { nil } } }
    var persisted: [Entry] {
        var out: [Entry] = []
        for d in self { if case .persist(let list, _) = d { out += list } }
        return out
    }
    var closes: [String] { compactMap { if case .close(_, let reason) = $0 { reason.message } else { nil } } }
    var closeCodes: [CloseReason.Code] { compactMap { if case .close(_, let reason) = $0 { reason.code } else { nil } } }
    var withdrawn: [EntryID] {
        var out: [EntryID] = []
        for d in self { if case .withdrawn(let ids, _) = d { out += ids } }
        return out
    }
}

@Suite("NodeCore: federation rules on every path")
struct FederationCoreTests {
    let f = CoreFixture()

    /// Feeds entries as received from a peer on link 1 and persists what the core accepts.
    func receive(_ core: inout NodeCore, _ entries: [Entry], now: UInt64 = 10) -> [NodeDirective] {
        let out = core.verified(entries.map { .valid($0) }, from: 1, now: now)
        let accepted = out.persisted
        return out + (accepted.isEmpty ? [] : core.persisted(accepted, origin: .peer(1), now: now))
    }

    @Test("entries a revoked member signed after its revocation are refused; earlier ones are accepted")
    func revokedEntries() {
        var core = f.core("ncc")
        let revoke = f.roster(.revoke(node: f.id("gov"), reason: "laptop stolen"), at: 1_000)
        #expect(receive(&core, [revoke]).refusals.isEmpty)
        let before = f.entry("gov", at: 999)
        let after = f.entry("gov", at: 1_000)
        let out = receive(&core, [before, after])
        #expect(out.persisted.map(\.id) == [before.id])
        #expect(out.refusals.count == 1 && out.refusals[0].contains("revoked (laptop stolen)"), "\(out.refusals)")
    }

    @Test("a revoked member's session is closed at once and a new one refused with the reason")
    func revokedSessions() {
        var core = f.core("ncc")
        let opened = core.connectionOpened(1, peer: f.id("gov"), outbound: false, now: 0)
        #expect(opened.closes.isEmpty)
        let out = core.verified([.valid(f.roster(.revoke(node: f.id("gov"), reason: "left the federation"), at: 5))], from: 2, now: 1)
        #expect(out.closes.contains { $0.contains("gov") && $0.contains("revoked") }, "\(out)")
        #expect(out.closeCodes == [.revoked], "\(out)")
        let again = core.connectionOpened(3, peer: f.id("gov"), outbound: false, now: 2)
        #expect(again.closes.first?.contains("revoked") == true, "\(again)")
        #expect(again.closeCodes == [.revoked], "\(again)")
    }

    @Test("an entry held before its author's revocation was known is withdrawn when the revocation arrives")
    func withdrawal() {
        var core = f.core("ncc")
        let late = f.entry("gov", at: 2_000)
        _ = receive(&core, [late])
        #expect(core.holds(late.id))
        let out = receive(&core, [f.roster(.revoke(node: f.id("gov"), reason: "compromised"), at: 1_500)])
        #expect(out.withdrawn == [late.id])
        #expect(!core.holds(late.id))
    }

    @Test("a member added by the roster is accepted after the add, refused before; in one batch the add goes first")
    func additions() {
        var core = f.core("gov")
        let post = f.entry("police", at: 3_000)
        #expect(receive(&core, [post]).refusals.first?.contains("not a federation member") == true)
        let stranger = core.connectionOpened(1, peer: f.id("police"), outbound: false, now: 0)
        #expect(stranger.closes.first?.contains("not a member") == true)
        #expect(stranger.closeCodes == [.notMember])
        let add = f.roster(.add(node: f.id("police"), name: "police", organisation: "Federal Police", role: "police", addresses: ["127.0.0.1:7409"]), at: 2_000)
        let out = receive(&core, [post, add])   // the add arrives after the post in the batch
        #expect(out.refusals.isEmpty, "\(out.refusals)")
        #expect(core.holds(post.id) && core.holds(add.id))
        #expect(core.connectionOpened(2, peer: f.id("police"), outbound: false, now: 1).closes.isEmpty)
    }

    @Test("after rotation the new key continues the identity; the old key's later entries are refused")
    func rotation() {
        var core = f.core("ncc")
        let rotate = f.roster(.rotate(node: f.id("gov"), newKey: f.id("gov-new")), at: 1_000)
        _ = receive(&core, [rotate])
        #expect(core.roster.profile(ofKey: f.id("gov-new"))?.node == f.id("gov"))
        #expect(core.roster.profile(ofKey: f.id("gov")) == nil)
        let old = f.entry("gov", at: 1_001)
        let new = f.entry("gov", at: 1_002, key: "gov-new")
        let early = f.entry("gov", at: 999, key: "gov-new")
        let out = receive(&core, [old, new, early])
        #expect(out.persisted.map(\.id) == [new.id])
        #expect(out.refusals.count == 2)
        let rotatedAway = core.connectionOpened(1, peer: f.id("gov"), outbound: false, now: 0)
        #expect(rotatedAway.closes.first?.contains("rotated") == true)
        #expect(rotatedAway.closeCodes == [.revoked])
        #expect(core.connectionOpened(2, peer: f.id("gov-new"), outbound: false, now: 0).closes.isEmpty)
        // The author may still amend its own report with its new key.
        let report = f.entry("gov", at: 500, kind: .message)
        let amend = f.entry("gov", at: 2_000, kind: .update, refs: [report.id],
                            fields: UpdateBody.amend(["subject": .text("new")]).fieldMap, key: "gov-new")
        #expect(receive(&core, [report, amend]).refusals.isEmpty)
    }

    @Test("roster entries from anyone but the authority are refused, and so are roster entries not for everyone")
    func rosterAuthority() {
        var core = f.core("gov")
        let forged = try! EntryDraft(author: f.id("centre"), timestamp: HybridTimestamp(milliseconds: 5, counter: 0), kind: .roster,
                                     audience: .federation, body: RosterChange.revoke(node: f.id("gov"), reason: "x").encoded()).signed(by: f.keys["centre"]!)
        #expect(receive(&core, [forged]).refusals.first?.contains("authority only") == true)
        let hidden = try! EntryDraft(author: f.id("ncc"), timestamp: HybridTimestamp(milliseconds: 6, counter: 0), kind: .roster,
                                     audience: Audience(tlp: .amber, roles: ["government"]),
                                     body: RosterChange.revoke(node: f.id("company"), reason: "x").encoded()).signed(by: f.keys["ncc"]!)
        #expect(receive(&core, [hidden]).refusals.first?.contains("TLP:CLEAR or TLP:GREEN") == true)
        #expect(core.roster.activeMembers.count == 4)
    }

    @Test("roles: a company may not post an alert or a threat notice, locally or from a peer")
    func roles() {
        var company = f.core("company")
        let alert = f.entry("company", at: 10, kind: .alert, fields: ["event": .text("x")])
        let local = company.post(alert, token: 1)
        #expect(local.refusals.first?.contains("may not author alert entries") == true, "\(local)")
        var ncc = f.core("ncc")
        let threat = f.entry("company", at: 11, kind: .threatNotice, fields: ["level": .integer(2)])
        #expect(receive(&ncc, [threat]).refusals.first?.contains("role company") == true)
    }

    @Test("only the author or the authority may amend or retract an entry")
    func updates() {
        var core = f.core("gov")
        let report = f.entry("centre", at: 10)
        _ = receive(&core, [report])
        let byOther = f.entry("company", at: 20, kind: .update, refs: [report.id], fields: UpdateBody.retract(reason: "no").fieldMap)
        let byAuthority = f.entry("ncc", at: 21, kind: .update, refs: [report.id], fields: UpdateBody.retract(reason: "duplicate").fieldMap)
        let byAuthor = f.entry("centre", at: 22, kind: .update, refs: [report.id], fields: UpdateBody.amend(["text": .text("more")]).fieldMap)
        let out = receive(&core, [byOther, byAuthority, byAuthor])
        #expect(out.refusals.count == 1 && out.refusals[0].contains("only its author or the authority"), "\(out.refusals)")
        #expect(Set(out.persisted.map(\.id)) == [byAuthority.id, byAuthor.id])
    }

    @Test("an entry whose audience does not include this node is refused on arrival")
    func audienceOnArrival() {
        var company = f.core("company")
        let amber = f.entry("gov", at: 10, audience: Audience(tlp: .amber, roles: ["government"]))
        #expect(receive(&company, [amber]).refusals.first?.contains("does not include this node") == true)
    }

    @Test("an earlier roster add that takes the same name voids the later one: that key's held entries are withdrawn")
    func conflictingAdds() {
        var core = f.core("gov")
        let late = f.roster(.add(node: f.id("police"), name: "police", organisation: "Federal Police", role: "police", addresses: []), at: 2_000)
        let post = f.entry("police", at: 3_000)
        #expect(receive(&core, [late, post]).refusals.isEmpty)
        #expect(core.holds(post.id))
        let early = f.roster(.add(node: f.id("police2"), name: "police", organisation: "Federal Police", role: "police", addresses: []), at: 1_000)
        let out = receive(&core, [early])
        #expect(out.withdrawn == [post.id], "\(out)")
        #expect(core.roster.member(named: "police")?.identity == f.id("police2"))
        // A plain addition withdraws nothing (and does not scan what is held).
        let add = f.roster(.add(node: f.id("gov-new"), name: "gov-new", organisation: "Governor 2", role: "government", addresses: []), at: 4_000)
        #expect(receive(&core, [add]).withdrawn.isEmpty)
    }

    @Test("a post retried while its first copy is being stored is answered too")
    func retriedPost() {
        var core = f.core("gov")
        let entry = f.entry("gov", at: 10)
        let first = core.post(entry, token: 1)
        let second = core.post(entry, token: 2)
        #expect(first.persisted == [entry] && second.persisted == [entry])
        let done1 = core.persisted([entry], origin: .local(token: 1), now: 1)
        let done2 = core.persisted([entry], origin: .local(token: 2), now: 2)
        func answered(_ d: [NodeDirective]) -> [UInt64] { d.compactMap { if case .postAcknowledged(let t, _) = $0 { t } else { nil } } }
        #expect(answered(done1) == [1])
        #expect(answered(done2) == [2], "the second poster was never answered: \(done2)")
    }
}
