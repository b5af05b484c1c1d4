import Testing
import VigilCrypto
import VigilLog
import VigilModel

/// An incident's status is a pure function of the entries held: the latest assessment that counts by
/// (HLC, id), the same on every node whatever order the entries arrived in.
@Suite("Incident status from assessments, in any arrival order")
struct IncidentBoardTests {
    static let keys: [SigningKey] = (1...4).map { try! SigningKey(seed: SecureBytes([UInt8](repeating: UInt8(0x60 + $0), count: 32))) }
    static func id(_ i: Int) -> NodeID { NodeID(keys[i].publicKey) }
    static let roster = Roster(authority: id(0), founders: [
        RosterMember(identity: id(0), name: "ncc", organisation: "National Crisis Centre", role: "authority"),
        RosterMember(identity: id(1), name: "police", organisation: "Federal Police", role: "police"),
        RosterMember(identity: id(2), name: "corp", organisation: "Kallo Tank Terminal", role: "company"),
        RosterMember(identity: id(3), name: "beta", organisation: "Beta Logistics", role: "company"),
    ])

    static func incident(by signer: Int, at ms: UInt64) -> Entry {
        let body: FieldMap = ["category": .text("drone"), "observed_at": .integer(Int64(ms) - 1000),
                              "location": .map(["description": .text("Gate \(ms % 7)")]), "description": .text("Drone seen at \(ms)"),
                              "reporter": .map(["name": .text("Desk")])]
        return try! EntryDraft(author: id(signer), timestamp: HybridTimestamp(milliseconds: ms, counter: 0), kind: .incident,
                               audience: Audience(tlp: .amber, roles: ["authority", "police"]), body: body.encoded()).signed(by: keys[signer])
    }

    static func assessment(of target: Entry, by signer: Int, at ms: UInt64, counter: UInt32, status: AssessmentBody.Status,
                           tag: Int, reachesReporter: Bool = true) -> Entry {
        let body = switch status {
        case .closed: AssessmentBody(status: .closed, outcome: .unfounded, answer: "answer \(tag)")
        default: AssessmentBody(status: status, answer: tag % 2 == 0 ? "note \(tag)" : nil)
        }
        let audience = reachesReporter ? AssessmentRules.audience(for: target, roster: roster) : Audience(tlp: .amber, roles: ["police"])
        return try! EntryDraft(author: id(signer), timestamp: HybridTimestamp(milliseconds: ms, counter: counter), kind: .assessment,
                               audience: audience, refs: [target.id], body: body.fieldMap.encoded()).signed(by: keys[signer])
    }

    /// Incidents by both companies and assessments by the authority and the police, some at the same HLC
    /// (so the id breaks the tie), some with an audience that leaves the reporter out (they never count),
    /// one aimed at an assessment instead of an incident.
    static func history(seed: UInt64) -> [Entry] {
        var rng = SeededRandom(seed: seed)
        var out: [Entry] = []
        for i in 0..<4 {
            let incident = incident(by: 2 + i % 2, at: 1_795_490_000_000 + UInt64(i) * 1000)
            out.append(incident)
            for j in 0..<Int(rng.next() % 6) {
                let ms = incident.timestamp.milliseconds + 10 + rng.next() % 5      // few distinct times: ties happen
                let status = AssessmentBody.Status.allCases[Int(rng.next() % 3)]
                out.append(assessment(of: incident, by: Int(rng.next() % 2), at: ms, counter: UInt32(rng.next() % 2), status: status,
                                      tag: i * 10 + j, reachesReporter: !rng.chance(0.2)))
            }
        }
        if let stray = out.last(where: { $0.kind == .assessment }) {
            out.append(try! EntryDraft(author: id(0), timestamp: HybridTimestamp(milliseconds: 1_795_490_100_000, counter: 0), kind: .assessment,
                                       audience: .federation, refs: [stray.id],
                                       body: AssessmentBody(status: .closed, outcome: .confirmed, answer: "stray").fieldMap.encoded()).signed(by: keys[0]))
        }
        return out
    }

    /// Every incident's state on a board fed `entries` in this order.
    static func states(_ entries: [Entry]) -> [IncidentState] {
        var board = IncidentBoard(roster: roster)
        for entry in entries { board.insert(entry) }
        return board.incidentIDs.compactMap { board.state(of: $0) }
    }

    @Test("many seeded arrival orders (and duplicates) give the same status, answer and history", arguments: 0..<40)
    func anyOrder(seed: UInt64) {
        let entries = Self.history(seed: seed)
        let reference = Self.states(entries)
        #expect(reference.count == 4)
        var rng = SeededRandom(seed: seed &* 7919 &+ 3)
        for round in 0..<25 {
            var order = entries.shuffled(using: &rng)
            if round % 5 == 0 { order += order.prefix(3) }   // a re-delivery changes nothing
            #expect(Self.states(order) == reference, "seed \(seed) round \(round)")
        }
        // The rule itself: the status is that of the latest assessment that reaches the reporter, by (HLC, id).
        for state in reference {
            let expected = entries.filter { $0.kind == .assessment && $0.refs.first == state.incident && $0.audience.roles != ["police"] }
                .max { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
            #expect(state.current?.entry == expected?.id, "seed \(seed)")
            let body = expected.flatMap { try? AssessmentBody(body: $0.body) }
            #expect(state.status == (body?.status ?? .new), "seed \(seed)")
            #expect(state.current?.body.answer == body?.answer, "seed \(seed)")
        }
    }

    @Test("without assessments an incident is new; one that leaves the reporter out is ignored, with the reason")
    func ignored() throws {
        let incident = Self.incident(by: 2, at: 1_795_490_000_000)
        #expect(Self.states([incident]).first?.status == .new)
        let hidden = Self.assessment(of: incident, by: 1, at: 1_795_490_000_100, counter: 0, status: .closed, tag: 1, reachesReporter: false)
        let state = try #require(Self.states([hidden, incident]).first)
        #expect(state.status == .new)
        #expect(state.ignored[hidden.id]?.contains("leaves out corp") == true)
        let open = Self.assessment(of: incident, by: 0, at: 1_795_490_000_050, counter: 0, status: .assessing, tag: 2)
        let later = try #require(Self.states([hidden, open, incident]).first)
        #expect(later.status == .assessing)
        #expect(later.history.map(\.entry) == [open.id])
    }

    @Test("equal HLCs: the larger id is the later assessment")
    func tie() throws {
        let incident = Self.incident(by: 2, at: 1_795_490_000_000)
        let a = Self.assessment(of: incident, by: 0, at: 1_795_490_000_100, counter: 0, status: .assessing, tag: 1)
        let b = Self.assessment(of: incident, by: 1, at: 1_795_490_000_100, counter: 0, status: .closed, tag: 2)
        let latest = a.id > b.id ? a : b
        for order in [[incident, a, b], [b, a, incident], [a, incident, b]] {
            #expect(Self.states(order).first?.current?.entry == latest.id)
        }
    }
}
