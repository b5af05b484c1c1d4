import Foundation
import Testing
import VigilLog
import VigilModel
import VigilSim

/// Scripted federation scenarios run by the simulator on the real cores, with frame loss,
/// duplication and reordering on. Roles by node index: 0 authority, 1 government, 2 crisis-centre,
/// 3 police, 4 company, 5 authority role (not the federation authority), 6 government.
@Suite("Federation scenarios in the simulator")
struct FederationScenarioTests {
    static func config(nodes: Int, topology: [(Int, Int)]? = nil, script: [ScriptedStep]) -> SimulationConfig {
        var c = SimulationConfig()
        c.nodeCount = nodes
        c.topology = topology
        c.script = script
        c.crashPerNodePerSecond = 0      // scripted posts must find their node up
        c.partitionPerSecond = 0         // only the scripted partitions
        c.postsPerNodePerSecond = 0.2    // background traffic with random audiences
        return c
    }

    static let message: FieldMap = ["subject": .text("scenario"), "text": .text("body")]

    static func sitrep(_ number: Int64) -> FieldMap {
        ["incident_id": .text("FLOOD-2026-11"), "incident_name": .text("Flooding of the Scheldt"),
         "report_number": .integer(number), "report_type": .text(number == 1 ? "initial" : "update"),
         "severity": .text("moderate"), "location": .map(["description": .text("Antwerp, left bank")]),
         "summary": .text("Dykes under pressure; evacuation of 200 residents prepared.")]
    }

    @Test("a company never receives TLP:AMBER addressed to governments, even though it links two of them; TLP:RED reaches exactly its named nodes",
          arguments: 0..<20)
    func audienceThroughRelays(seed: UInt64) throws {
        // The company (4) sits between the governments 1 and 6; the readers' own path is 1-0-5-6.
        let topology = [(1, 0), (2, 0), (3, 2), (4, 3), (1, 4), (6, 4), (5, 0), (6, 5), (6, 0)]
        let amber = Audience(tlp: .amber, roles: ["government", "authority"])
        // RED names node ids, which come from the seed: read them from a run that is not started.
        let probe = Simulation(seed: 7_000 + seed, config: Self.config(nodes: 7, topology: topology, script: []))
        let red = Audience(tlp: .red, nodes: [probe.profile(2).node, probe.profile(6).node])
        let run = Simulation(seed: 7_000 + seed, config: Self.config(nodes: 7, topology: topology, script: [
            ScriptedStep(at: 3_000, .post(node: 1, kind: .message, audience: amber, fields: Self.message)),
            ScriptedStep(at: 4_000, .post(node: 0, kind: .message, audience: red, fields: Self.message)),
        ]))
        let report = run.run()
        #expect(report.violations.isEmpty, "replay with seed \(7_000 + seed): \(report)\n\(report.violations.prefix(5).joined(separator: "\n"))")
        let amberID = try #require(report.scripted[0])
        let redID = try #require(report.scripted[1])
        let amberHolders = (0..<7).filter { run.holds($0, amberID) }
        let redHolders = (0..<7).filter { run.holds($0, redID) }
        #expect(amberHolders == [0, 1, 5, 6], "AMBER to governments and the authority is held by \(amberHolders)")
        #expect(!run.holds(4, amberID), "the company received an AMBER entry addressed to governments")
        #expect(redHolders == [0, 2, 6], "RED to nodes 2 and 6 (by 0) is held by \(redHolders)")
    }

    @Test("after revocation a node's sessions are refused, its later entries are held by no one, and it receives nothing new",
          arguments: 0..<10)
    func revocation(seed: UInt64) throws {
        let sim = Simulation(seed: 8_000 + seed, config: Self.config(nodes: 5, script: [
            ScriptedStep(at: 2_000, .post(node: 3, kind: .message, audience: .federation, fields: Self.message)),
            ScriptedStep(at: 4_000, .partition(side: [3])),
            ScriptedStep(at: 5_000, .revoke(node: 3)),
            ScriptedStep(at: 8_000, .post(node: 3, kind: .message, audience: .federation, fields: Self.message)),   // unaware of its revocation
            ScriptedStep(at: 12_000, .heal),
            ScriptedStep(at: 20_000, .post(node: 1, kind: .message, audience: .federation, fields: Self.message)),
        ]))
        let report = sim.run()
        #expect(report.violations.isEmpty, "replay with seed \(8_000 + seed): \(report)\n\(report.violations.prefix(5).joined(separator: "\n"))")
        let before = try #require(report.scripted[0])
        let revocation = try #require(report.scripted[2])
        let after = try #require(report.scripted[3])
        let later = try #require(report.scripted[5])
        for n in [0, 1, 2, 4] {
            #expect(sim.holds(n, before), "node \(n) lacks the entry node 3 posted before its revocation")
            #expect(sim.holds(n, revocation), "node \(n) lacks the revocation")
            #expect(!sim.holds(n, after), "node \(n) holds an entry node 3 signed after its revocation")
            #expect(sim.holds(n, later), "node \(n) lacks the entry posted after heal")
        }
        #expect(sim.holds(3, after), "node 3 itself keeps what it posted while unaware")
        #expect(!sim.holds(3, later), "the revoked node received an entry after its revocation")
        #expect(report.revokedSessionsRefused > 0, "no session of the revoked node was refused: \(report)")
    }

    @Test("two centres amend the same report concurrently while partitioned; after heal every node shows the same fields and history",
          arguments: 0..<10)
    func concurrentAmendments(seed: UInt64) throws {
        let audience = Audience(tlp: .amber, roles: ["authority", "government", "crisis-centre"])
        let sim = Simulation(seed: 9_100 + seed, config: Self.config(nodes: 5, script: [
            ScriptedStep(at: 2_000, .post(node: 2, kind: .situationReport, audience: audience, fields: Self.sitrep(1))),
            ScriptedStep(at: 6_000, .partition(side: [0, 1])),
            ScriptedStep(at: 8_000, .post(node: 0, kind: .update, audience: audience,
                                          fields: UpdateBody.amend(["severity": .text("severe"), "summary": .text("Dyke breached at Kruibeke.")]).fieldMap, refs: [0])),
            ScriptedStep(at: 8_000, .post(node: 2, kind: .update, audience: audience,
                                          fields: UpdateBody.amend(["severity": .text("extreme"), "people_affected": .integer(1_200)]).fieldMap, refs: [0])),
            ScriptedStep(at: 9_000, .post(node: 1, kind: .update, audience: audience,
                                          fields: UpdateBody.amend(["summary": .text("not allowed: not the author")]).fieldMap, refs: [0])),
            ScriptedStep(at: 15_000, .heal),
        ]))
        let report = sim.run()
        // Node 1's update is refused by every node that holds the report (it is neither author nor authority).
        let unexpected = report.violations.filter { !$0.contains("only its author or the authority") }
        #expect(unexpected.isEmpty, "replay with seed \(9_100 + seed): \(report)\n\(unexpected.prefix(5).joined(separator: "\n"))")
        let report0 = try #require(report.scripted[0])
        let readers = [0, 1, 2]   // authority, government, crisis-centre
        var views: [DocumentView] = []
        for n in readers {
            let entries = sim.held(by: n)
            var log = SharedLog(policy: RosterPolicy(roster: try #require(sim.roster(n))))
            for e in entries { _ = log.insert(e) }
            let view = try #require(log.document(report0, from: MemoryEntrySource(entries)), "node \(n) has no view of the report")
            views.append(view)
        }
        for (n, view) in zip(readers, views).dropFirst() {
            #expect(view.fields == views[0].fields, "node \(n) shows other fields than node 0")
            #expect(view.history == views[0].history, "node \(n) shows another history than node 0")
        }
        #expect(views[0].history.count == 3, "created + two amendments, got \(views[0].history.count)")
        #expect(views[0].fields["people_affected"] == .integer(1_200))
        #expect(views[0].fields["summary"] == .text("Dyke breached at Kruibeke."))
    }

    @Test("a comm test with one partner partitioned away: it answers only after heal, marked late, with a delay that spans the partition",
          arguments: 0..<10)
    func commTestLateAcknowledgement(seed: UInt64) throws {
        let test: FieldMap = ["expect": .text("everyone"), "deadline": .integer(1_700_000_000_000 + 10_000)]
        let sim = Simulation(seed: 9_500 + seed, config: Self.config(nodes: 5, script: [
            ScriptedStep(at: 1_000, .partition(side: [3])),
            ScriptedStep(at: 3_000, .post(node: 0, kind: .commTest, audience: .federation, fields: test)),
            ScriptedStep(at: 20_000, .heal),
        ]))
        let report = sim.run()
        #expect(report.violations.isEmpty, "replay with seed \(9_500 + seed): \(report)\n\(report.violations.prefix(5).joined(separator: "\n"))")
        let testID = try #require(report.scripted[1])
        let held = sim.held(by: 0)
        let entry = try #require(held.first { $0.id == testID })
        let body = try CommTestBody(fields: try FieldMap(canonicalBytes: entry.body))
        let results = CommTestResults.compute(test: entry, body: body, acks: held.filter { $0.refs.first == testID }, roster: try #require(sim.roster(0)))
        #expect(results.count == 4, "everyone but the author is expected")
        for r in results { #expect(!r.isSilent, "\(r.name) is silent after heal") }
        let late = try #require(results.first { $0.name == "node-3" })
        let others = results.filter { $0.name != "node-3" }
        #expect(late.late, "node 3 answered after the deadline, after the heal")
        #expect(others.allSatisfy { !$0.late && ($0.automaticDelay ?? .max) < 2_000 }, "\(others)")
        #expect((late.automaticDelay ?? 0) >= 17_000, "node 3's receipt delay \(late.automaticDelay ?? 0) ms should span the partition")
    }
}
