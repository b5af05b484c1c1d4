import Testing
import VigilCrypto
import VigilModel

/// The `assessment` kind: its schema, its typed body read byte by byte, who may author one, and the rules
/// against the incident it assesses.
@Suite("Assessments of early-warning incidents")
struct AssessmentTests {
    static let keys: [SigningKey] = (1...5).map { try! SigningKey(seed: SecureBytes([UInt8](repeating: UInt8(0x40 + $0), count: 32))) }
    static func id(_ i: Int) -> NodeID { NodeID(keys[i].publicKey) }
    /// ncc (authority), police, corp (company, the reporter), gov (government), other (company).
    static let roster = Roster(authority: id(0), founders: [
        RosterMember(identity: id(0), name: "ncc", organisation: "National Crisis Centre", role: "authority"),
        RosterMember(identity: id(1), name: "police", organisation: "Federal Police", role: "police"),
        RosterMember(identity: id(2), name: "corp", organisation: "Kallo Tank Terminal", role: "company"),
        RosterMember(identity: id(3), name: "gov", organisation: "Governor", role: "government"),
        RosterMember(identity: id(4), name: "other", organisation: "Other Company", role: "company"),
    ])

    static let incidentBody: FieldMap = [
        "category": .text("drone"), "observed_at": .integer(1_795_490_000_000),
        "location": .map(["description": .text("Tank farm, gate 3")]),
        "description": .text("Drone above the tank farm"), "reporter": .map(["name": .text("Security desk")]),
    ]

    static func incident(by signer: Int = 2, at ms: UInt64 = 1_795_490_100_000) -> Entry {
        try! EntryDraft(author: id(signer), timestamp: HybridTimestamp(milliseconds: ms, counter: 0), kind: .incident,
                        audience: KindSchemas.defaultAudience(.incident, fields: incidentBody),
                        body: incidentBody.encoded()).signed(by: keys[signer])
    }

    static func assessment(_ body: AssessmentBody, of target: EntryID, by signer: Int = 0, at ms: UInt64, counter: UInt32 = 0,
                           audience: Audience? = nil) -> Entry {
        try! EntryDraft(author: id(signer), timestamp: HybridTimestamp(milliseconds: ms, counter: counter), kind: .assessment,
                        audience: audience ?? Audience(tlp: .amber, roles: ["authority", "police"], nodes: [id(2)]),
                        refs: [target], body: body.fieldMap.encoded()).signed(by: keys[signer])
    }

    static let closed = AssessmentBody(status: .closed, outcome: .unfounded, protectiveAction: "Extra patrol at gate 3",
                                       answer: "A survey flight with a permit; thank you.", officer: "j.peeters")

    @Test("the schema: closed needs an outcome and an answer; new takes no outcome; choices are listed")
    func schema() throws {
        #expect(throws: Never.self) { try KindSchemas.validate(.assessment, Self.closed.fieldMap, createdAt: nil) }
        #expect(throws: Never.self) { try KindSchemas.validate(.assessment, AssessmentBody(status: .assessing).fieldMap, createdAt: nil) }
        func refusal(_ map: FieldMap) -> KindValidationError? {
            do { try KindSchemas.validate(.assessment, map, createdAt: nil); return nil } catch { return error }
        }
        let noAnswer = refusal(["status": .text("closed"), "outcome": .text("confirmed")])
        #expect(noAnswer?.field == "answer")
        #expect(noAnswer?.reason.contains("status is closed") == true)
        #expect(refusal(["status": .text("closed"), "answer": .text("ok")])?.field == "outcome")
        let newWithOutcome = refusal(["status": .text("new"), "outcome": .text("confirmed")])
        #expect(newWithOutcome?.field == "outcome")
        #expect(newWithOutcome?.reason.contains("status is new") == true)
        let unknown = refusal(["status": .text("done")])
        #expect(unknown?.field == "status")
        #expect(unknown?.reason.contains("new, assessing, closed") == true)
        #expect(refusal(["status": .text("assessing"), "outcome": .text("maybe")])?.field == "outcome")
        #expect(refusal(["status": .text("assessing"), "answer": .text("")])?.field == "answer")
        #expect(refusal(["status": .text("assessing"), "verdict": .text("x")])?.field == "verdict")
        #expect(refusal([:])?.field == "status")
    }

    @Test("the typed body round-trips through its canonical bytes and human JSON")
    func roundTrip() throws {
        let bytes = try Self.closed.fieldMap.encoded()
        #expect(try AssessmentBody(body: bytes) == Self.closed)
        let json = KindSchemas.humanJSON(.assessment, Self.closed.fieldMap)
        #expect(try KindSchemas.fields(fromJSON: json, kind: .assessment) == Self.closed.fieldMap)
        #expect(KindSchemas.summary(.assessment, Self.closed.fieldMap) == "assessment: closed (unfounded) — A survey flight with a permit; thank you.")
        // The flags the CLI reads (`vigil post assessment --status … --answer …`) give the same body.
        let flags = try KindSchemas.fields(fromFlags: [("status", "closed"), ("outcome", "unfounded"), ("protective_action", "Extra patrol at gate 3"),
                                                       ("answer", "A survey flight with a permit; thank you."), ("officer", "j.peeters")], kind: .assessment)
        #expect(flags == Self.closed.fieldMap)
    }

    @Test("every truncation of a body is refused with a clear error, never read as a shorter body")
    func truncated() throws {
        let bytes = try Self.closed.fieldMap.encoded()
        for length in 0..<bytes.count {
            do {
                _ = try AssessmentBody(body: Array(bytes.prefix(length)))
                Issue.record("a body cut to \(length) of \(bytes.count) bytes was read")
            } catch {
                #expect(!error.reason.isEmpty)
                #expect(!error.field.isEmpty)
            }
        }
    }

    @Test("malformed bodies: trailing bytes, flipped bytes, oversize, not a map")
    func malformed() throws {
        let bytes = try Self.closed.fieldMap.encoded()
        #expect(throws: KindValidationError.self) { try AssessmentBody(body: bytes + [0]) }
        #expect(throws: KindValidationError.self) { try AssessmentBody(body: [UInt8](repeating: 0, count: EntryLimits.maxBodyBytes + 1)) }
        #expect(throws: KindValidationError.self) { try AssessmentBody(body: (["x": .integer(1)] as FieldMap).encoded()) }
        // Each single byte changed: refused, or read as a valid body that re-encodes to exactly those bytes.
        for i in bytes.indices {
            for delta: UInt8 in [1, 0x40, 0xff] {
                var mutated = bytes
                mutated[i] = mutated[i] &+ delta
                if let body = try? AssessmentBody(body: mutated) {
                    #expect(try body.fieldMap.encoded() == mutated, "byte \(i) + \(delta) was read as a different body")
                }
            }
        }
    }

    @Test("authority and police may author assessments; a company or a government may not; the first ref is required")
    func authors() throws {
        let target = Self.incident()
        for signer in [0, 1] {
            #expect(throws: Never.self) { try FederationRules.check(Self.assessment(Self.closed, of: target.id, by: signer, at: 1_795_490_200_000), roster: Self.roster) }
        }
        for signer in [2, 3] {
            do {
                try FederationRules.check(Self.assessment(Self.closed, of: target.id, by: signer, at: 1_795_490_200_000), roster: Self.roster)
                Issue.record("role of signer \(signer) may not author assessments")
            } catch {
                #expect(error.code == .role)
                #expect(error.message.contains("allowed: authority, police"))
            }
        }
        let unref = try EntryDraft(author: Self.id(0), timestamp: HybridTimestamp(milliseconds: 1_795_490_200_000, counter: 0), kind: .assessment,
                                   audience: .federation, body: Self.closed.fieldMap.encoded()).signed(by: Self.keys[0])
        do { try FederationRules.check(unref, roster: Self.roster); Issue.record("an assessment without refs was accepted") } catch {
            #expect(error.field == "refs")
            #expect(error.message.contains("the incident it assesses"))
        }
        let bad = try EntryDraft(author: Self.id(0), timestamp: HybridTimestamp(milliseconds: 1_795_490_200_000, counter: 0), kind: .assessment,
                                 audience: .federation, refs: [target.id], body: (["status": .text("closed")] as FieldMap).encoded()).signed(by: Self.keys[0])
        do { try FederationRules.check(bad, roster: Self.roster); Issue.record("a closed assessment without an answer was accepted") } catch {
            #expect(error.code == .invalidBody)
            #expect(error.field == "outcome")
        }
    }

    @Test("against its incident: the target must be an incident, and the audience must include the reporter")
    func againstTarget() throws {
        let target = Self.incident()
        let defaultAudience = AssessmentRules.audience(for: target, roster: Self.roster)
        #expect(defaultAudience == Audience(tlp: .amber, roles: ["authority", "police"], nodes: [Self.id(2)]))
        #expect(AssessmentRules.problem(Self.assessment(Self.closed, of: target.id, at: 1, audience: defaultAudience), target: target, roster: Self.roster) == nil)
        // GREEN reaches everyone, so also the reporter.
        #expect(AssessmentRules.problem(Self.assessment(Self.closed, of: target.id, at: 1, audience: .federation), target: target, roster: Self.roster) == nil)
        let narrow = AssessmentRules.problem(Self.assessment(Self.closed, of: target.id, at: 1, audience: Audience(tlp: .amber, roles: ["police"])),
                                             target: target, roster: Self.roster)
        #expect(narrow?.field == "audience")
        #expect(narrow?.message.contains("leaves out corp") == true)
        let message = try EntryDraft(author: Self.id(2), timestamp: HybridTimestamp(milliseconds: 5, counter: 0), kind: .message,
                                     audience: .federation, body: (["subject": .text("s"), "text": .text("t")] as FieldMap).encoded()).signed(by: Self.keys[2])
        let wrongKind = AssessmentRules.problem(Self.assessment(Self.closed, of: message.id, at: 6), target: message, roster: Self.roster)
        #expect(wrongKind?.message.contains("not an incident") == true)
        let elsewhere = AssessmentRules.problem(Self.assessment(Self.closed, of: message.id, at: 6), target: target, roster: Self.roster)
        #expect(elsewhere?.field == "refs")
    }
}
