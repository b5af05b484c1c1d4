import Testing
import VigilCrypto
import VigilModel

@Suite("Roster: membership from the genesis and the authority's roster entries")
struct RosterTests {
    static let keys: [SigningKey] = (1...9).map { try! SigningKey(seed: SecureBytes([UInt8](repeating: UInt8($0), count: 32))) }
    static func id(_ i: Int) -> NodeID { NodeID(keys[i].publicKey) }
    static var genesis: Roster {
        Roster(authority: id(0), founders: [
            RosterMember(identity: id(0), name: "ncc", organisation: "National Crisis Centre", role: "authority"),
            RosterMember(identity: id(1), name: "gov", organisation: "Governor", role: "government"),
            RosterMember(identity: id(2), name: "corp", organisation: "Alpha Security", role: "company"),
        ])
    }
    static func entry(_ change: RosterChange, at ms: UInt64, by signer: Int = 0, audience: Audience = .federation) -> Entry {
        try! EntryDraft(author: id(signer), timestamp: HybridTimestamp(milliseconds: ms, counter: 0), kind: .roster,
                        audience: audience, body: change.encoded()).signed(by: keys[signer])
    }

    /// A history with conflicts: two adds of one id, two adds of one name, a revoke, a rotation, a second
    /// rotation to a used key, a revocation of the authority, a revocation before the add it revokes.
    static let history: [Entry] = [
        entry(.add(node: id(3), name: "police", organisation: "Federal Police", role: "police", addresses: ["10.0.0.3:7401"]), at: 100),
        entry(.add(node: id(3), name: "police-2", organisation: "Federal Police", role: "police", addresses: []), at: 200),
        entry(.add(node: id(4), name: "police", organisation: "Other", role: "police", addresses: []), at: 150),
        entry(.revoke(node: id(2), reason: "contract ended"), at: 300),
        entry(.rotate(node: id(1), newKey: id(5)), at: 400),
        entry(.rotate(node: id(3), newKey: id(5)), at: 500),
        entry(.revoke(node: id(0), reason: "no"), at: 600),
        entry(.revoke(node: id(6), reason: "early"), at: 700),
        entry(.add(node: id(6), name: "late", organisation: "Late Org", role: "medical", addresses: []), at: 650),
    ]

    struct Snapshot: Equatable {
        let members: [RosterMember]
        let standings: [String]
        let ignored: Int
    }

    static func snapshot(_ r: Roster) -> Snapshot {
        var standings: [String] = []
        for k in 0..<keys.count {
            for t: UInt64 in [50, 100, 150, 299, 300, 399, 400, 650, 700, 10_000] {
                standings.append("\(k)@\(t): \(r.standing(of: id(k), at: HybridTimestamp(milliseconds: t, counter: 0)))")
            }
        }
        return Snapshot(members: r.allMembers, standings: standings, ignored: r.ignored.count)
    }

    @Test("the same set of roster entries gives the same roster in every arrival order (200 random orders)")
    func orderIndependent() throws {
        var reference = Self.genesis
        for e in Self.history { try reference.insert(e) }
        let expected = Self.snapshot(reference)
        var rng = SeededRandom(seed: 42)
        for _ in 0..<200 {
            var roster = Self.genesis
            var order = Self.history.shuffled(using: &rng)
            order += order.prefix(3)   // duplicates change nothing
            for e in order { try roster.insert(e) }
            #expect(Self.snapshot(roster) == expected)
        }
        // What that roster says.
        #expect(reference.member(named: "police")?.identity == Self.id(3), "the earlier add of the name wins")
        #expect(reference.member(named: "police-2") == nil, "a second add of an id is ignored")
        #expect(reference.member(named: "corp")?.isActive == false)
        #expect(reference.member(named: "ncc")?.isActive == true, "the authority cannot be revoked")
        #expect(reference.member(named: "gov")?.key == Self.id(5))
        #expect(reference.profile(ofKey: Self.id(5))?.node == Self.id(1), "the new key continues gov's identity")
        #expect(reference.member(named: "late")?.isActive == false, "the revocation applies whatever the arrival order")
        #expect(reference.ignored.count == 4)
    }

    @Test("key standing: valid inside its interval, retired after revocation or rotation, not yet valid before its rotation")
    func standing() throws {
        var r = Self.genesis
        for e in Self.history { try r.insert(e) }
        func at(_ k: Int, _ t: UInt64) -> KeyStanding { r.standing(of: Self.id(k), at: HybridTimestamp(milliseconds: t, counter: 0)) }
        if case .valid = at(2, 299) {} else { Issue.record("corp before its revocation") }
        if case .retired(_, _, let why) = at(2, 300) { #expect(why.contains("contract ended")) } else { Issue.record("corp at its revocation") }
        if case .retired(_, _, let why) = at(1, 400) { #expect(why.contains("rotated")) } else { Issue.record("gov's old key after rotation") }
        if case .notYetValid = at(5, 399) {} else { Issue.record("gov's new key before the rotation") }
        if case .valid = at(5, 400) {} else { Issue.record("gov's new key at the rotation") }
        if case .notYetValid = at(3, 99) {} else { Issue.record("police before its add") }
        if case .unknown = at(8, 1_000) {} else { Issue.record("an unknown key") }
        // A key's validity window says `.valid` exactly when its standing does, for every key and time
        // around every change of the history (revocations, rotations, adds).
        for k in 0..<Self.keys.count {
            for ms: UInt64 in [0, 49, 50, 99, 100, 101, 149, 150, 199, 200, 299, 300, 301, 399, 400, 401, 499, 500, 599, 600, 649, 650, 699, 700, 10_000] {
                for counter: UInt32 in [0, 1] {
                    let t = HybridTimestamp(milliseconds: ms, counter: counter)
                    let valid: Bool
                    if case .valid = r.standing(of: Self.id(k), at: t) { valid = true } else { valid = false }
                    #expect((r.validity(of: Self.id(k))?.contains(t) ?? false) == valid, "key \(k) at \(ms).\(counter)")
                }
            }
        }
        #expect(r.validity(of: Self.id(8)) == nil)
        #expect(r.sessionRefusal(Self.id(2))?.message.contains("revoked") == true)
        #expect(r.sessionRefusal(Self.id(2))?.code == .revoked)
        #expect(r.sessionRefusal(Self.id(1))?.message.contains("rotated") == true)
        #expect(r.sessionRefusal(Self.id(1))?.code == .revoked)
        #expect(r.sessionRefusal(Self.id(5)) == nil)
        #expect(r.sessionRefusal(Self.id(8))?.code == .notMember)
    }

    @Test("refused: roster entries not signed by the authority, not for everyone, with refs, or with bad bodies")
    func refusals() {
        var r = Self.genesis
        let add = RosterChange.add(node: Self.id(7), name: "x", organisation: "X", role: "police", addresses: [])
        #expect(throws: RosterError.self) { try r.insert(Self.entry(add, at: 10, by: 1)) }
        #expect(throws: RosterError.self) { try r.insert(Self.entry(add, at: 10, audience: Audience(tlp: .amber, roles: ["government"]))) }
        func body(_ map: FieldMap) -> String {
            do { _ = try RosterChange(fields: map); return "accepted" } catch { return error.message }
        }
        #expect(body(["op": .text("add"), "node": .id(Self.id(7)), "name": .text("x"), "organisation": .text("X"), "role": .text("mayor")]).contains("not a known role"))
        #expect(body(["op": .text("ban"), "node": .id(Self.id(7))]).contains("\"ban\" is not a roster operation"))
        #expect(body(["op": .text("revoke"), "node": .text("abc"), "reason": .text("r")]).contains("node: missing or not a node id"))
        #expect(body(["op": .text("revoke"), "node": .id(Self.id(7))]).contains("reason: missing"))
        #expect(body(["op": .text("rotate"), "node": .id(Self.id(7)), "key": .id(Self.id(7))]).contains("fresh key"))
        #expect(body(["op": .text("add"), "node": .id(Self.id(7)), "name": .text("x"), "organisation": .text("X"), "role": .text("police"),
                      "addresses": .list([.text("nohost")])]).contains("host:port"))
        #expect(body(["op": .text("revoke"), "node": .id(Self.id(7)), "reason": .text("r"), "extra": .bool(true)]).contains("extra: not a field"))
        #expect(r.changeCount == 0)
    }

    @Test("an acknowledgement's audience adds the acknowledged entry's author, and only where needed")
    func acknowledgementAudience() {
        let author = MemberProfile(node: Self.id(0), role: "authority", organisation: "National Crisis Centre")
        #expect(Audience(tlp: .green).adding(author) == Audience(tlp: .green))
        #expect(Audience(tlp: .amber, roles: ["company"]).adding(author) == Audience(tlp: .amber, roles: ["company"], nodes: [Self.id(0)]))
        #expect(Audience(tlp: .red, nodes: [Self.id(1)]).adding(author) == Audience(tlp: .red, nodes: [Self.id(0), Self.id(1)]))
        #expect(Audience(tlp: .amberStrict, organisations: ["Governor"]).adding(author)
                == Audience(tlp: .amberStrict, organisations: ["Governor", "National Crisis Centre"]))
    }
}
