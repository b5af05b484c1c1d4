import Foundation
import Testing
import VigilLog
import VigilModel
import VigilSim

/// An early-warning incident assessed by the authority and the police while partitioned from each other,
/// in the simulator (real cores, frame loss, duplication and reordering): after the heal the authority,
/// the police and the reporting company show the same status, answer and history. Roles by node index:
/// 0 authority, 1 government, 2 crisis-centre, 3 police, 4 company.
@Suite("Incident assessments in the simulator")
struct IncidentScenarioTests {
    static let incident: FieldMap = [
        "category": .text("drone"), "observed_at": .integer(1_795_490_000_000),
        "location": .map(["description": .text("Tank farm, gate 3, Kallo")]),
        "description": .text("Drone above the tank farm, no lights."), "reporter": .map(["name": .text("Security desk")]),
    ]

    @Test("concurrent assessments by the authority and the police converge on every reader; one that leaves the reporter out never counts",
          arguments: 0..<10)
    func concurrentAssessments(seed: UInt64) throws {
        let topology = [(1, 0), (2, 0), (3, 0), (4, 3), (4, 0)]
        let probe = Simulation(seed: 9_700 + seed, config: FederationScenarioTests.config(nodes: 5, topology: topology, script: []))
        let company = probe.profile(4).node
        let toReporter = Audience(tlp: .amber, roles: ["authority", "police"], nodes: [company])
        let policeOnly = Audience(tlp: .amber, roles: ["police"])
        let sim = Simulation(seed: 9_700 + seed, config: FederationScenarioTests.config(nodes: 5, topology: topology, script: [
            ScriptedStep(at: 2_000, .post(node: 4, kind: .incident, audience: Audience(tlp: .amber, roles: ["authority", "police"]), fields: Self.incident)),
            ScriptedStep(at: 4_000, .post(node: 0, kind: .assessment, audience: toReporter,
                                          fields: AssessmentBody(status: .assessing).fieldMap, refs: [0])),
            ScriptedStep(at: 6_000, .partition(side: [0])),
            ScriptedStep(at: 8_000, .post(node: 3, kind: .assessment, audience: toReporter,
                                          fields: AssessmentBody(status: .assessing, protectiveAction: "Patrol at gate 3").fieldMap, refs: [0])),
            ScriptedStep(at: 8_000, .post(node: 0, kind: .assessment, audience: toReporter,
                                          fields: AssessmentBody(status: .closed, outcome: .unfounded, answer: "A survey flight with a permit.").fieldMap, refs: [0])),
            ScriptedStep(at: 9_000, .post(node: 3, kind: .assessment, audience: policeOnly,
                                          fields: AssessmentBody(status: .closed, outcome: .confirmed, answer: "hidden from the reporter").fieldMap, refs: [0])),
            ScriptedStep(at: 15_000, .heal),
        ]))
        let report = sim.run()
        #expect(report.violations.isEmpty, "replay with seed \(9_700 + seed): \(report)\n\(report.violations.prefix(5).joined(separator: "\n"))")
        let incidentID = try #require(report.scripted[0])
        // report.scripted is keyed by the script step (the partition is step 2).
        let counted = try [1, 3, 4].map { try #require(report.scripted[$0]) }
        let hidden = try #require(report.scripted[5])
        #expect(!sim.holds(4, hidden), "the company received an assessment addressed to the police only")
        var states: [IncidentState] = []
        for n in [0, 3, 4] {
            var board = IncidentBoard(roster: try #require(sim.roster(n)))
            for entry in sim.held(by: n) { board.insert(entry) }
            states.append(try #require(board.state(of: incidentID), "node \(n) has no view of the incident"))
        }
        for (n, state) in zip([3, 4], states.dropFirst()) {
            #expect(state.history == states[0].history, "seed \(9_700 + seed): node \(n) shows another history than node 0")
        }
        #expect(Set(states[0].history.map(\.entry)) == Set(counted), "seed \(9_700 + seed)")
        let latest = sim.held(by: 0).filter { counted.contains($0.id) }.max { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        #expect(states[0].current?.entry == latest?.id)
        // Only the police hold the police-only assessment, and their view ignores it (it leaves the reporter out).
        #expect(sim.holds(3, hidden) && !sim.holds(0, hidden))
        #expect(states[1].ignored[hidden]?.contains("leaves out") == true, "seed \(9_700 + seed)")
    }
}
