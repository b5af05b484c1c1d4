import Foundation
import VigilAPI
import Testing
import VigilModel
import VigilNode

@Suite("Real node processes on loopback", .serialized)
struct FederationProcessTests {
    @Test("an entry posted at A reaches C through B; with B stopped A and C both post; B restarts; all converge")
    func relayAndRestart() throws {
        let fed = try FederationHarness([
            .init(name: "a", role: "authority", organisation: "Centre A", dials: ["b"]),
            .init(name: "b", role: "government", organisation: "Province B", dials: []),
            .init(name: "c", role: "government", organisation: "Province C", dials: ["b"]),
        ])
        for n in ["b", "a", "c"] { try fed.start(n) }
        let first = try fed.post("a", text: "posted at A")
        #expect(try fed.waitFor("c", [first]) == [], "C did not receive A's entry through B")

        fed.stop("b")
        let fromA = try fed.post("a", text: "A while B is down")
        let fromC = try fed.post("c", text: "C while B is down")
        try fed.start("b")
        for n in ["a", "b", "c"] {
            #expect(try fed.waitFor(n, [first, fromA, fromC]) == [], "\(n) did not converge")
        }
        let status = try fed.api("b").send(StatusRequest()).status
        #expect(status.entries == 3)
    }

    @Test("a node that is not a member is refused with a logged reason while the node keeps serving its peers")
    func nonMemberRefused() throws {
        let fed = try FederationHarness([
            .init(name: "a", role: "authority", organisation: "Centre A", dials: ["b"]),
            .init(name: "b", role: "government", organisation: "Province B", dials: []),
            .init(name: "stranger", role: "company", organisation: "Stranger Ltd", dials: ["b"]),
        ])
        // a and b get a genesis without the stranger; the stranger keeps the full one and dials b.
        let full = try Data(contentsOf: URL(fileURLWithPath: fed.nodeDir("a") + "/genesis.json"))
        var genesis = try JSONSerialization.jsonObject(with: full) as! [String: Any]
        genesis["members"] = (genesis["members"] as! [[String: Any]]).filter { $0["name"] as? String != "stranger" }
        let reduced = try JSONSerialization.data(withJSONObject: genesis)
        for n in ["a", "b"] { try reduced.write(to: URL(fileURLWithPath: fed.nodeDir(n) + "/genesis.json")) }
        for n in ["b", "a", "stranger"] { try fed.start(n) }
        let b = try #require(fed.processes["b"])
        #expect(b.waitForLog(["event=connection-refused", "code=not-member", "not a member"]), "b did not log the refusal: \(b.logs().suffix(5))")
        let id = try fed.post("a", text: "still served")
        #expect(try fed.waitFor("b", [id]) == [])
        #expect(try fed.waitFor("stranger", [id], timeoutMs: 300) == [id.hex], "the stranger must not receive anything")
    }

    @Test("with real processes: a company linking two governors never receives their TLP:AMBER report, which reaches the other governor through readers only; TLP:RED reaches exactly its named node")
    func audienceWithRelays() throws {
        // company dials both governors; the governors' own path runs through the authority.
        let fed = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov-a", role: "government", organisation: "Governor A", dials: ["ncc"]),
            .init(name: "gov-b", role: "government", organisation: "Governor B", dials: ["ncc"]),
            .init(name: "company", role: "company", organisation: "Alpha Security", dials: ["gov-a", "gov-b"]),
        ])
        for n in ["ncc", "gov-a", "gov-b", "company"] { try fed.start(n) }
        let company = try #require(fed.processes["company"])
        #expect(company.waitForLog(["event=session-established", "gov-a"]) && company.waitForLog(["event=session-established", "gov-b"]))
        let amber = try fed.post("gov-a", text: "AMBER for governments and the authority", audience: Audience(tlp: .amber, roles: ["government", "authority"]))
        let red = try fed.post("ncc", text: "RED for governor B only", audience: Audience(tlp: .red, nodes: [NodeID(try fed.key("gov-b").publicKey)]))
        let green = try fed.post("gov-a", text: "GREEN for everyone")
        #expect(try fed.waitFor("gov-b", [amber, red, green]) == [], "gov-b must receive the AMBER report (via ncc), the RED entry and the GREEN one")
        #expect(try fed.waitFor("company", [green]) == [], "the company receives what is for everyone")
        #expect(try fed.waitFor("ncc", [amber]) == [])
        // By now the company has had every chance to receive them; it must hold neither.
        #expect(try fed.waitFor("company", [amber], timeoutMs: 300) == [amber.hex], "the company received the governors' AMBER report")
        #expect(try fed.waitFor("company", [red], timeoutMs: 100) == [red.hex], "the company received a RED entry not addressed to it")
        #expect(try fed.waitFor("gov-a", [red], timeoutMs: 100) == [red.hex], "gov-a received a RED entry addressed to gov-b only")
        for n in ["ncc", "gov-a", "gov-b", "company"] {
            #expect(fed.processes[n]!.logs().filter { $0.contains("outside") || $0.contains("does not include this node") }.isEmpty,
                    "\(n) was sent an entry outside its audience")
        }
    }

    @Test("vigil run --metrics writes a Prometheus textfile (owner-readable by node_exporter) with entries, peers and refusals")
    func metricsTextfile() throws {
        let fed = try FederationHarness([
            .init(name: "a", role: "authority", organisation: "Centre A", dials: ["b"]),
            .init(name: "b", role: "government", organisation: "Province B", dials: []),
        ])
        let file = fed.dir.appendingPathComponent("metrics/vigil.prom").path
        try FileManager.default.createDirectory(atPath: fed.dir.appendingPathComponent("metrics").path, withIntermediateDirectories: true)
        try fed.start("b", extraArguments: ["--metrics", file, "--metrics-interval", "1"])
        try fed.start("a")
        let id = try fed.post("a", text: "counted")
        #expect(try fed.waitFor("b", [id]) == [])
        let b = try #require(fed.processes["b"])
        #expect(b.waitForLog(["event=metrics-written"]), "b never wrote its metrics file: \(b.logs().suffix(5))")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for family in ["vigil_entries_held", "vigil_entries_held_by_kind", "vigil_peers_connected", "vigil_connections_refused_total", "vigil_entries_refused_total"] {
            #expect(text.contains("# TYPE \(family)"), "missing \(family) in:\n\(text)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        // The same text is served by the local API's metrics op, where the entry just received is counted.
        let served = try fed.api("b").send(MetricsRequest()).metrics
        #expect(served.contains("vigil_entries_held{node=\"b\"} 1"), "\(served)")
        #expect(served.contains("vigil_entries_received_total{node=\"b\"} 1"), "\(served)")
        let bad = try FederationHarness.run(try FederationHarness.vigil(), ["run", "--dir", fed.nodeDir("a"), "--metrics-interval", "0"])
        #expect(bad.status == 2 && bad.output.contains("--metrics-interval"))
    }

    @Test("key rotation: the member's node restarts with its new key and continues its identity (posts, amendments, roster)")
    func keyRotation() throws {
        let fed = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov", role: "government", organisation: "Governor", dials: ["ncc"]),
            .init(name: "centre", role: "crisis-centre", organisation: "Crisis Centre", dials: ["ncc"]),
        ])
        for n in ["ncc", "gov", "centre"] { try fed.start(n) }
        let before = try fed.post("gov", text: "signed with the old key")
        #expect(try fed.waitFor("centre", [before]) == [])
        fed.stop("gov")
        // A new key and certificate for gov from the same CA; every node keeps the original genesis.
        let genesis = try Data(contentsOf: URL(fileURLWithPath: fed.nodeDir("ncc") + "/genesis.json"))
        let oldKey = NodeID(try fed.key("gov").publicKey)
        for file in ["identity.key", "identity.csr", "node.crt"] { try? FileManager.default.removeItem(atPath: fed.nodeDir("gov") + "/" + file) }
        let made = try FederationHarness.run(FederationHarness.root.appendingPathComponent("Scripts/certs"),
                                             ["--peers", fed.dir.appendingPathComponent("federation.json").path, "--out", fed.dir.appendingPathComponent("certs").path])
        #expect(made.status == 0, "\(made.output)")
        for n in ["ncc", "gov", "centre"] { try genesis.write(to: URL(fileURLWithPath: fed.nodeDir(n) + "/genesis.json")) }
        let newKey = NodeID(try fed.key("gov").publicKey)
        #expect(newKey != oldKey)
        // The authority records the rotation; it replicates.
        let rotated = try FederationHarness.run(try FederationHarness.vigil(), ["roster", "rotate", "gov", "--dir", fed.nodeDir("ncc"), "--key", newKey.hex, "--json"])
        #expect(rotated.status == 0, "\(rotated.output)")
        let rotation = try #require(EntryID(hex: (try JSONSerialization.jsonObject(with: Data(rotated.output.utf8)) as? [String: Any])?["id"] as? String ?? ""))
        #expect(try fed.waitFor("centre", [rotation]) == [])
        // gov restarts with its new key: admitted, it learns its identity, and its posts are gov's.
        try fed.start("gov")
        #expect(try fed.waitFor("gov", [rotation, before]) == [])
        let afterID = try fed.api("gov").send(ComposeRequest(kind: "message", fields: .object(["subject": .string("new key"), "text": .string("signed with the new key")]))).id
        #expect(try fed.waitFor("centre", [afterID]) == [])
        let shown = try fed.api("centre").send(ShowRequest(id: afterID)).entry.summary
        #expect(shown.author == "gov", "the new key's entry is attributed to \(shown.author)")
        // gov may still amend what it signed with its old key.
        let amend = try fed.api("gov").send(ComposeRequest(kind: "update", fields: .object(["amend": .object(["subject": .string("amended after rotation")])]), refs: [before]))
        #expect(try fed.waitFor("centre", [amend.id]) == [])
        let roster = try fed.api("centre").send(RosterRequest()).members
        let gov = roster.first { $0.name == "gov" }
        #expect(gov?.identity == oldKey && gov?.key == newKey)
    }

    @Test("short entry ids: the node resolves a prefix from its index; vigil show accepts one, and a too-short one is a usage error")
    func shortIDs() throws {
        let fed = try FederationHarness([.init(name: "a", role: "authority", organisation: "Centre A", dials: [])])
        try fed.start("a")
        let id = try fed.post("a", text: "find me by a prefix")
        let resolved = try fed.api("a").send(ResolveRequest(prefix: String(id.hex.prefix(10)))).ids
        #expect(resolved == [id])
        let vigil = try FederationHarness.vigil()
        let shown = try FederationHarness.run(vigil, ["show", String(id.hex.prefix(12)), "--dir", fed.nodeDir("a"), "--json"])
        #expect(shown.status == 0 && shown.output.contains(id.hex), "\(shown.output)")
        let short = try FederationHarness.run(vigil, ["show", "abc", "--dir", fed.nodeDir("a")])
        #expect(short.status == 2, "\(short.output)")
        let none = try FederationHarness.run(vigil, ["show", "00000000", "--dir", fed.nodeDir("a")])
        #expect(none.status == (id.hex.hasPrefix("00000000") ? 0 : 1))
    }
}
