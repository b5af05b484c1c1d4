import Dispatch
import Foundation
import Glibc
import Testing
import VigilCrypto
import VigilModel
import VigilNode

/// The duty officer's command-line tools (`vigil post`, `list`, `show`, `update`, `ack`, `follow`,
/// `commtest`, `roster`, `import --cap`, `export --cap`) run as real processes against a federation of
/// real `vigil run` nodes on loopback (FederationHarness). Synchronisation is on the node's `wait`
/// operation, on node log lines, or on lines of a child's output — never on sleeps.
@Suite("Officer tools: the vigil CLI against a federation of real nodes", .serialized)
struct OfficerToolsTests {
    // MARK: 1. post + list + show

    @Test("a sitrep posted with field flags at the authority is listed at a government node with its fields and default audience; the company never holds it")
    func postSitrepListedElsewhere() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let posted = try fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep(severity: "severe") + ["--json"])
        let id = try Officer.postedID(posted)
        #expect(try fed.waitHex("gov", [id]) == [], "gov did not receive the sitrep")

        let listed = try Officer.array(fed.vigil("gov", ["list", "--json"]))
        let entry = try #require(listed.first { $0["id"] as? String == id }, "gov's list --json lacks \(id): \(listed)")
        #expect(entry["kind"] as? String == "sitrep")
        #expect(entry["author"] as? String == "auth")
        #expect(entry["organisation"] as? String == "Province of Antwerp")
        #expect(Officer.parseTime(entry["time"]) != nil, "time is not ISO 8601: \(entry["time"] ?? "nil")")
        let audience = entry["audience"] as? [String: Any] ?? [:]
        #expect(Officer.tlp(audience["tlp"]) == "AMBER", "default sitrep audience: \(audience)")
        #expect(Set(audience["roles"] as? [String] ?? []) == ["authority", "government", "crisis-centre"], "default sitrep audience: \(audience)")
        let fields = try #require(entry["fields"] as? [String: Any], "no fields in \(entry)")
        #expect(fields["incident_id"] as? String == "2026-ANT-0042")
        #expect(fields["incident_name"] as? String == "Flooding Antwerp")
        #expect(fields["report_number"] as? Int == 1)
        #expect(fields["report_type"] as? String == "initial")
        #expect(fields["severity"] as? String == "severe")
        #expect(fields["people_affected"] as? Int == 40)
        #expect(fields["resources_requested"] as? [String] == ["sandbags", "high-capacity pumps"])
        let location = fields["location"] as? [String: Any] ?? [:]
        #expect(location["description"] as? String == "Kallo, left bank of the Scheldt")
        #expect(Officer.close(location["lat"], 51.254) && Officer.close(location["lon"], 4.275), "location: \(location)")
        #expect((entry["summary"] as? String)?.isEmpty == false)

        // `show` at gov: the same entry.
        let shown = try Officer.object(fed.vigil("gov", ["show", id, "--json"]))
        #expect(shown["id"] as? String == id)
        #expect((shown["fields"] as? [String: Any])?["incident_id"] as? String == "2026-ANT-0042")

        // --file (the kind's human JSON), --ref and an explicit RED audience with --to.
        let file = fed.dir.appendingPathComponent("threat.json")
        try Data(#"{"level": 3, "title": "Raised threat to the port of Antwerp", "scope": {"regions": ["Antwerp"], "sectors": ["ports"]}, "valid_from": "2026-11-24T10:00:00Z", "measures": ["increase patrols at access gates"]}"#.utf8).write(to: file)
        let threat = try Officer.postedID(fed.vigil("auth", ["post", "threat", "--file", file.path, "--json"]))
        let reply = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "Re: Flooding Antwerp", "--text", "Pumps are on their way",
                                                            "--ref", id, "--tlp", "red", "--to", "gov", "--json"]))
        #expect(try fed.waitHex("gov", [threat, reply]) == [])
        let govList = try Officer.array(fed.vigil("gov", ["list", "--json"]))
        let threatEntry = govList.first { $0["id"] as? String == threat }
        let threatFields = threatEntry?["fields"] as? [String: Any] ?? [:]
        #expect(threatFields["level"] as? Int == 3 && threatFields["measures"] as? [String] == ["increase patrols at access gates"], "\(threatEntry ?? [:])")
        #expect(((threatFields["scope"] as? [String: Any])?["regions"] as? [String]) == ["Antwerp"], "\(threatFields)")
        let replyEntry = govList.first { $0["id"] as? String == reply }
        #expect(replyEntry?["refs"] as? [String] == [id], "\(replyEntry ?? [:])")
        let replyAudience = replyEntry?["audience"] as? [String: Any] ?? [:]
        #expect(Officer.tlp(replyAudience["tlp"]) == "RED" && replyAudience["nodes"] as? [String] == ["gov"], "\(replyAudience)")

        // The company is synced (a later GREEN message reached it) but never holds the AMBER sitrep,
        // the AMBER threat or the RED reply.
        let barrier = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "Barrier", "--text", "after the sitrep", "--json"]))
        #expect(try fed.waitHex("corp", [barrier]) == [], "corp did not receive the GREEN message")
        #expect(try fed.waitHex("corp", [id, threat, reply], timeoutMs: 300).sorted() == [id, threat, reply].sorted(),
                "the company must not receive the AMBER sitrep and threat nor the RED reply to gov")
        let refused = try fed.vigil("corp", ["show", id, "--json"])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.text.contains("no entry"), "\(refused)")
        let corpList = try Officer.array(fed.vigil("corp", ["list", "--json"]))
        #expect(!corpList.contains { $0["id"] as? String == id })
        #expect(corpList.contains { $0["id"] as? String == barrier })
    }

    // MARK: 2. post refusals

    @Test("post refusals: a company's alert and sitrep name the role; cross-field and range rules; unknown field flags; exit 3 without a node")
    func postRefusals() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])

        // Control: the same alert and sitrep flags are valid at the authority.
        let controlAlert = try Officer.postedID(fed.vigil("auth", ["post", "alert"] + Officer.alert() + ["--json"]))
        let controlSitrep = try Officer.postedID(fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep() + ["--json"]))

        let alert = try fed.vigil("corp", ["post", "alert"] + Officer.alert() + ["--json"])
        #expect(alert.status == 1, "\(alert)")
        #expect(alert.text.contains("company"), "the refusal must name the role: \(alert)")
        let sitrep = try fed.vigil("corp", ["post", "sitrep"] + Officer.sitrep() + ["--json"])
        #expect(sitrep.status == 1, "\(sitrep)")
        #expect(sitrep.text.contains("company"), "the refusal must name the role: \(sitrep)")

        let initialTwo = try fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep(number: 2, type: "initial") + ["--json"])
        #expect([1, 2].contains(initialTwo.status), "\(initialTwo)")
        #expect(initialTwo.text.contains("report_number") && initialTwo.text.contains("initial report is number 1"), "\(initialTwo)")

        let level7 = try fed.vigil("auth", ["post", "threat"] + Officer.threat(level: "7") + ["--json"])
        #expect([1, 2].contains(level7.status), "\(level7)")
        #expect(level7.text.contains("level") && level7.text.contains("7 is not 1–4"), "\(level7)")

        let unknownField = try fed.vigil("auth", ["post", "message", "--subject", "s", "--text", "t", "--priority", "high", "--json"])
        #expect([1, 2].contains(unknownField.status), "\(unknownField)")
        #expect(unknownField.text.contains("priority"), "\(unknownField)")

        let badKind = try fed.vigil("auth", ["post", "memo", "--text", "t"])
        #expect(badKind.status == 2, "\(badKind)")

        let badRole = try fed.vigil("auth", ["post", "message", "--subject", "s", "--text", "t", "--tlp", "amber", "--role", "mayor"])
        #expect([1, 2].contains(badRole.status) && badRole.text.contains("mayor"), "\(badRole)")

        // Nothing refused was posted anywhere.
        let authEntries = try Officer.array(fed.vigil("auth", ["list", "--json", "--limit", "1000"]))
        #expect(Set(authEntries.compactMap { $0["id"] as? String }).isSuperset(of: [controlAlert, controlSitrep]))
        #expect(authEntries.filter { $0["kind"] as? String == "sitrep" }.count == 1, "only the control sitrep: \(authEntries.map { $0["summary"] ?? "" })")
        #expect(authEntries.filter { $0["kind"] as? String == "threat" }.isEmpty)
        #expect(authEntries.filter { $0["kind"] as? String == "message" }.isEmpty)
        let corpEntries = try Officer.array(fed.vigil("corp", ["list", "--json", "--author", "corp"]))
        #expect(corpEntries.isEmpty, "the company posted: \(corpEntries)")

        // No node running in the directory: exit 3.
        let noNode = try Officer.run(["list", "--dir", fed.dir.path, "--json"])
        #expect(noNode.status == 3, "\(noNode)")
    }

    // MARK: 3. list filters

    @Test("list filters --kind (repeated), --author, --org, --tlp, --text, --since/--until and --limit select exactly the expected entries, newest first")
    func listFilters() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let m1 = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "Bridge closure", "--text", "The Kennedy tunnel is closed northbound", "--json"]))
        let t1 = try Officer.postedID(fed.vigil("auth", ["post", "threat"] + Officer.threat(level: "3") + ["--json"]))
        let m2 = try Officer.postedID(fed.vigil("gov", ["post", "message", "--subject", "Liaison", "--text", "Our liaison officer arrives at 14:00",
                                                        "--tlp", "amber", "--role", "authority", "--json"]))
        let i1 = try Officer.postedID(fed.vigil("corp", ["post", "incident"] + Officer.incident() + ["--json"]))
        #expect(try fed.waitHex("auth", [m1, t1, m2, i1]) == [], "auth did not receive every entry")

        func ids(_ extra: [String]) throws -> [String] {
            try Officer.array(fed.vigil("auth", ["list", "--json"] + extra)).compactMap { $0["id"] as? String }
        }
        let all = try Officer.array(fed.vigil("auth", ["list", "--json"]))
        #expect(Set(all.compactMap { $0["id"] as? String }).isSuperset(of: [m1, t1, m2, i1]))
        let times = all.compactMap { Officer.parseTime($0["time"]) }
        #expect(times.count == all.count, "every entry has an ISO 8601 time")
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 }, "list is not newest first: \(all.map { $0["time"] ?? "" })")
        let incident = try #require(all.first { $0["id"] as? String == i1 })
        #expect(Officer.tlp((incident["audience"] as? [String: Any])?["tlp"]) == "AMBER")
        #expect(Set((incident["audience"] as? [String: Any])?["roles"] as? [String] ?? []) == ["authority", "police"], "default incident audience: \(incident)")
        let message = try #require(all.first { $0["id"] as? String == m1 })
        #expect(Officer.tlp((message["audience"] as? [String: Any])?["tlp"]) == "GREEN", "default message audience: \(message)")

        #expect(Set(try ids(["--kind", "message"])) == [m1, m2])
        #expect(Set(try ids(["--kind", "threat", "--kind", "incident"])) == [t1, i1])
        #expect(try ids(["--author", "gov"]) == [m2])
        #expect(try ids(["--author", "corp"]) == [i1])
        #expect(try ids(["--org", "Kallo Tank Terminal"]) == [i1])
        #expect(Set(try ids(["--tlp", "amber"])) == [t1, m2, i1])
        #expect(try ids(["--tlp", "green", "--kind", "message"]) == [m1])
        #expect(try ids(["--text", "KENNEDY"]) == [m1])
        #expect(try ids(["--text", "tank farm"]) == [i1])
        #expect(try ids(["--limit", "2"]) == Array(all.prefix(2).compactMap { $0["id"] as? String }))
        #expect(Set(try ids(["--since", "1h"])).isSuperset(of: [m1, t1, m2, i1]))
        #expect(try ids(["--until", "2000-01-01T00:00:00Z"]) == [])
        #expect(try ids(["--since", "2000-01-01T00:00:00Z", "--until", "2000-01-02T00:00:00+01:00"]) == [])

        let badKind = try fed.vigil("auth", ["list", "--kind", "memo"])
        #expect(badKind.status == 2, "\(badKind)")
        let badAuthor = try fed.vigil("auth", ["list", "--author", "nobody"])
        #expect([1, 2].contains(badAuthor.status) && badAuthor.text.contains("nobody"), "\(badAuthor)")
        let human = try fed.vigil("auth", ["list", "--kind", "message"])
        #expect(human.status == 0 && human.stdout.contains(String(m1.prefix(8))), "\(human)")
    }

    // MARK: 4. update

    @Test("update: the author amends (show --json gives current fields and history), a non-author non-authority is refused, bad amendments are refused, a retraction shows")
    func updateAmendAndRetract() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let s = try Officer.postedID(fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep(severity: "moderate") + ["--json"]))
        #expect(try fed.waitHex("gov", [s]) == [])

        let u1 = try Officer.postedID(fed.vigil("auth", ["update", s, "--severity", "severe", "--summary", "Water rising at Kallo", "--json"]))
        #expect(try fed.waitHex("gov", [u1]) == [], "gov did not receive the update")
        let shown = try Officer.object(fed.vigil("gov", ["show", s, "--json"]))
        #expect((shown["fields"] as? [String: Any])?["severity"] as? String == "moderate", "fields are the original body")
        let current = shown["current"] as? [String: Any] ?? [:]
        #expect(current["severity"] as? String == "severe", "current: \(current)")
        #expect(current["summary"] as? String == "Water rising at Kallo", "current: \(current)")
        #expect(current["incident_id"] as? String == "2026-ANT-0042", "current: \(current)")
        let history = shown["history"] as? [[String: Any]] ?? []
        #expect(history.map { $0["change"] as? String ?? "?" } == ["created", "amended"], "history: \(history)")
        let amended = history.last ?? [:]
        #expect(amended["entry"] as? String == u1 && amended["by"] as? String == "auth", "history: \(history)")
        #expect(Set(amended["fields"] as? [String] ?? []) == ["severity", "summary"], "history: \(history)")
        #expect(shown["retraction"] == nil && shown["retracted"] as? Bool == false, "not retracted: \(shown["retraction"] ?? "")")

        // gov is neither the author nor the authority.
        let foreign = try fed.vigil("gov", ["update", s, "--severity", "extreme", "--json"])
        #expect(foreign.status == 1, "an update by a non-author non-authority must be refused: \(foreign)")
        let afterForeign = try Officer.object(fed.vigil("gov", ["show", s, "--json"]))
        #expect((afterForeign["current"] as? [String: Any])?["severity"] as? String == "severe", "\(afterForeign["current"] ?? "")")
        #expect((afterForeign["history"] as? [[String: Any]] ?? []).count == 2, "history: \(afterForeign["history"] ?? "")")

        let badValue = try fed.vigil("auth", ["update", s, "--severity", "catastrophic"])
        #expect([1, 2].contains(badValue.status) && badValue.text.contains("severity"), "\(badValue)")
        let unknown = try fed.vigil("auth", ["update", s, "--colour", "red"])
        #expect([1, 2].contains(unknown.status) && unknown.text.contains("colour"), "\(unknown)")
        let rule = try fed.vigil("auth", ["update", s, "--report_number", "2"])
        #expect([1, 2].contains(rule.status) && rule.text.contains("report_number"), "an amendment must keep the cross-field rules: \(rule)")

        // A non-authority author amends its own entry; the authority sees it.
        let g = try Officer.postedID(fed.vigil("gov", ["post", "sitrep"] + Officer.sitrep(incident: "2026-GOV-0001") + ["--json"]))
        let gu = try Officer.postedID(fed.vigil("gov", ["update", g, "--people_affected", "120", "--json"]))
        #expect(try fed.waitHex("auth", [g, gu]) == [])
        let gShown = try Officer.object(fed.vigil("auth", ["show", g, "--json"]))
        #expect((gShown["current"] as? [String: Any])?["people_affected"] as? Int == 120, "\(gShown["current"] ?? "")")

        let u2 = try Officer.postedID(fed.vigil("auth", ["update", s, "--retract", "Duplicate of 2026-ANT-0041", "--json"]))
        #expect(try fed.waitHex("gov", [u2]) == [])
        let retracted = try Officer.object(fed.vigil("gov", ["show", s, "--json"]))
        let r = retracted["retraction"] as? [String: Any] ?? [:]
        #expect(r["reason"] as? String == "Duplicate of 2026-ANT-0041" && r["by"] as? String == "auth", "retracted: \(retracted["retraction"] ?? "nil")")
        #expect((retracted["history"] as? [[String: Any]])?.last?["change"] as? String == "retracted", "\(retracted["history"] ?? "")")
    }

    // MARK: 5. ack

    @Test("ack: duty officers confirm an entry; show --json lists each confirmation at the author's node")
    func officerAcknowledgement() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let m = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "Shift change", "--text", "Please confirm reading", "--json"]))
        #expect(try fed.waitHex("gov", [m]) == [] && fed.waitHex("corp", [m]) == [])
        let a1 = try Officer.postedID(fed.vigil("gov", ["ack", m, "--json"]))
        let a2 = try Officer.postedID(fed.vigil("corp", ["ack", m, "--json"]))
        #expect(a1 != a2 && a1 != m)
        #expect(try fed.waitHex("auth", [a1, a2]) == [], "the confirmations did not reach the author")
        let shown = try Officer.object(fed.vigil("auth", ["show", m, "--json"]))
        let acks = shown["acknowledgements"] as? [[String: Any]] ?? []
        for member in ["gov", "corp"] {
            let ack = acks.first { $0["member"] as? String == member }
            #expect(ack != nil, "no acknowledgement by \(member): \(acks)")
            #expect(Officer.parseTime(ack?["confirmed"]) != nil, "\(member) confirmation time: \(ack ?? [:])")
        }
        #expect(!acks.contains { $0["member"] as? String == "auth" }, "the author did not acknowledge: \(acks)")

        let missing = try fed.vigil("gov", ["ack", String(repeating: "ab", count: 32)])
        #expect(missing.status == 1 && missing.text.contains("no entry"), "\(missing)")
    }

    // MARK: 6. commtest

    @Test("commtest: every node acknowledges automatically; a stopped node is silent, then acknowledges late; an officer confirms")
    func communicationTest() throws {
        let fed = try Officer.federation(["auth", "gov", "corp", "crisis"])
        let others = ["gov", "corp", "crisis"]
        let t1 = try Officer.postedID(fed.vigil("auth", ["commtest", "start", "--expect", "everyone", "--deadline", "10m", "--note", "Monthly test", "--json"]))
        let acks1 = try others.map { try fed.automaticAck($0, test: t1) }
        #expect(try fed.waitHex("auth", acks1) == [], "the automatic acknowledgements did not reach the authority")
        let r1 = try Officer.results(fed.vigil("auth", ["commtest", "results", t1, "--json"]))
        #expect(Set(r1.keys) == Set(others), "expected responders: \(r1.keys.sorted())")
        for name in others {
            let r = r1[name] ?? [:]
            #expect(r["status"] as? String == "received", "\(name): \(r)")
            #expect(Officer.parseTime(r["received"]) != nil && (r["automatic_delay_ms"] as? Int).map { $0 >= 0 } == true, "\(name): \(r)")
            #expect(r["late"] as? Bool == false && (r["confirmed"] == nil || r["confirmed"] is NSNull), "\(name): \(r)")
        }

        // crisis is down for the second test.
        fed.stop("crisis")
        let down = try fed.vigil("crisis", ["list", "--json"])
        #expect(down.status == 3, "no node running: \(down)")
        let t2 = try Officer.postedID(fed.vigil("auth", ["commtest", "start", "--expect", "everyone", "--deadline", "10m", "--json"]))
        let acks2 = try ["gov", "corp"].map { try fed.automaticAck($0, test: t2) }
        #expect(try fed.waitHex("auth", acks2) == [])
        let newest = try Officer.object(fed.vigil("auth", ["commtest", "results", "--json"]))
        #expect(newest["id"] as? String == t2, "commtest results without an id gives the newest test")
        let r2 = Officer.results(newest)
        #expect(r2["crisis"]?["status"] as? String == "silent", "crisis: \(r2["crisis"] ?? [:])")
        #expect(r2["crisis"]?["automatic_delay_ms"] is NSNull || r2["crisis"]?["automatic_delay_ms"] == nil, "crisis: \(r2["crisis"] ?? [:])")
        #expect(r2["gov"]?["status"] as? String == "received" && r2["corp"]?["status"] as? String == "received", "\(r2)")

        // crisis comes back, receives the test through sync and acknowledges it late.
        try fed.start("crisis")
        let lateAck = try fed.automaticAck("crisis", test: t2)
        #expect(try fed.waitHex("auth", [lateAck]) == [])
        let r3 = try Officer.results(fed.vigil("auth", ["commtest", "results", t2, "--json"]))
        let crisis = r3["crisis"] ?? [:]
        #expect(crisis["status"] as? String == "received", "crisis after restart: \(crisis)")
        let onTime = ["gov", "corp"].compactMap { r3[$0]?["automatic_delay_ms"] as? Int }
        #expect(onTime.count == 2)
        if let late = crisis["automatic_delay_ms"] as? Int, let slowest = onTime.max() {
            #expect(late > slowest, "the late acknowledgement's delay (\(late) ms) must exceed the others' (\(onTime))")
        } else {
            Issue.record("crisis has no automatic_delay_ms: \(crisis)")
        }

        // A duty officer at gov confirms.
        let officer = try Officer.postedID(fed.vigil("gov", ["ack", t2, "--json"]))
        #expect(try fed.waitHex("auth", [officer]) == [])
        let r4 = try Officer.results(fed.vigil("auth", ["commtest", "results", t2, "--json"]))
        let gov = r4["gov"] ?? [:]
        #expect(gov["status"] as? String == "confirmed", "gov: \(gov)")
        #expect(Officer.parseTime(gov["confirmed"]) != nil, "gov: \(gov)")
        if let officerDelay = gov["officer_delay_ms"] as? Int, let automatic = gov["automatic_delay_ms"] as? Int {
            #expect(officerDelay >= automatic, "gov: \(gov)")
        } else {
            Issue.record("gov lacks officer_delay_ms or automatic_delay_ms: \(gov)")
        }
        let shown = try Officer.object(fed.vigil("auth", ["show", t2, "--json"]))
        #expect((shown["results"] as? [[String: Any]])?.first { $0["member"] as? String == "gov" }?["status"] as? String == "confirmed", "show --json results: \(shown["results"] ?? "nil")")

        // Narrower tests and a refused deadline.
        let t3 = try Officer.postedID(fed.vigil("auth", ["commtest", "start", "--expect", "role:company", "--json"]))
        let corpAck = try fed.automaticAck("corp", test: t3)
        #expect(try fed.waitHex("auth", [corpAck], timeoutMs: 5_000) == [], "corp's automatic acknowledgement of a role:company test never reached the test's author")
        let r5 = try Officer.results(fed.vigil("auth", ["commtest", "results", t3, "--json"]))
        #expect(Set(r5.keys) == ["corp"] && r5["corp"]?["status"] as? String == "received", "\(r5)")
        let past = try fed.vigil("auth", ["commtest", "start", "--expect", "everyone", "--deadline", "2000-01-01T00:00:00Z"])
        #expect([1, 2].contains(past.status) && past.text.contains("deadline"), "\(past)")
        let badExpect = try fed.vigil("auth", ["commtest", "start", "--expect", "role:mayor"])
        #expect([1, 2].contains(badExpect.status) && badExpect.text.contains("mayor"), "\(badExpect)")
    }

    // MARK: 7. follow

    @Test("follow --json prints each entry held after it started, and only what the node may read")
    func follow() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let first = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "Before", "--text", "before follow", "--json"]))
        #expect(try fed.waitHex("gov", [first]) == [] && fed.waitHex("corp", [first]) == [])

        // --last 1 replays the newest entry; that line proves the follower is subscribed.
        let govFollow = try LineProcess(["follow", "--dir", fed.nodeDir("gov"), "--last", "1", "--json"])
        let corpFollow = try LineProcess(["follow", "--dir", fed.nodeDir("corp"), "--last", "1", "--json"])
        defer { govFollow.stop(); corpFollow.stop() }
        let replayed = govFollow.waitForLine { Officer.lineID($0) != nil }
        #expect(replayed.flatMap(Officer.lineID) == first, "gov follow --last 1: \(govFollow.lines()) \(govFollow.errors())")
        #expect(corpFollow.waitForLine { Officer.lineID($0) != nil }.flatMap(Officer.lineID) == first, "corp follow: \(corpFollow.lines()) \(corpFollow.errors())")

        let sitrep = try Officer.postedID(fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep() + ["--json"]))
        let message = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "After", "--text", "posted while following", "--json"]))
        let line = govFollow.waitForLine { Officer.lineID($0) == message }
        #expect(line != nil, "gov follow never printed \(message): \(govFollow.lines()) \(govFollow.errors())")
        if let line, let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
            #expect(object["kind"] as? String == "message" && object["author"] as? String == "auth")
            #expect((object["fields"] as? [String: Any])?["text"] as? String == "posted while following", "\(object)")
        } else {
            Issue.record("a follow --json line is not a JSON object: \(line ?? "nil")")
        }
        #expect(govFollow.lines().contains { Officer.lineID($0) == sitrep }, "gov may read the sitrep and follow prints it: \(govFollow.lines())")
        #expect(corpFollow.waitForLine { Officer.lineID($0) == message } != nil, "corp follow never printed the GREEN message: \(corpFollow.lines())")
        #expect(!corpFollow.lines().contains { Officer.lineID($0) == sitrep }, "the company's follow printed an AMBER sitrep it may not read")
        #expect(govFollow.lines().allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "every --json line is JSON: \(govFollow.lines())")
    }

    // MARK: 8. roster

    @Test("roster: lists members; only the authority changes it; add and rotate replicate; a revoked node is cut off")
    func roster() throws {
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let members = try Officer.members(fed.vigil("gov", ["roster", "--json"]))
        #expect(Set(members.compactMap { $0["name"] as? String }) == ["auth", "gov", "corp"], "\(members)")
        let corp = members.first { $0["name"] as? String == "corp" } ?? [:]
        #expect(corp["organisation"] as? String == "Kallo Tank Terminal" && corp["role"] as? String == "company" && corp["status"] as? String == "active", "\(corp)")
        #expect((corp["identity"] as? String).map(Officer.isHexID) == true && (corp["key"] as? String).map(Officer.isHexID) == true, "\(corp)")
        #expect(members.first { $0["name"] as? String == "auth" }?["role"] as? String == "authority")

        // Only the authority may change the roster.
        let newKey = try SigningKey.generate().publicKey
        let notAuthority = try fed.vigil("gov", ["roster", "revoke", "corp", "--reason", "no"])
        #expect(notAuthority.status == 1, "\(notAuthority)")
        let notAuthorityAdd = try fed.vigil("gov", ["roster", "add", "--node", NodeID(newKey).hex, "--name", "observer", "--org", "Port Authority", "--role", "company"])
        #expect(notAuthorityAdd.status == 1, "\(notAuthorityAdd)")

        // add, then rotate, a member that is not running.
        let observer = NodeID(newKey).hex
        let add = try Officer.postedID(fed.vigil("auth", ["roster", "add", "--node", observer, "--name", "observer", "--org", "Port Authority",
                                                          "--role", "company", "--address", "127.0.0.1:\(try FederationHarness.freePort())", "--json"]))
        #expect(try fed.waitHex("gov", [add]) == [])
        let added = try Officer.members(fed.vigil("gov", ["roster", "--json"])).first { $0["name"] as? String == "observer" }
        #expect(added?["status"] as? String == "active" && added?["role"] as? String == "company" && added?["identity"] as? String == observer, "\(added ?? [:])")
        let rotatedKey = NodeID(try SigningKey.generate().publicKey).hex
        let rotate = try Officer.postedID(fed.vigil("auth", ["roster", "rotate", "observer", "--key", rotatedKey, "--json"]))
        #expect(try fed.waitHex("gov", [rotate]) == [])
        let rotated = try Officer.members(fed.vigil("gov", ["roster", "--json"])).first { $0["name"] as? String == "observer" }
        #expect(rotated?["key"] as? String == rotatedKey && rotated?["identity"] as? String == observer, "\(rotated ?? [:])")
        let badRole = try fed.vigil("auth", ["roster", "add", "--node", NodeID(try SigningKey.generate().publicKey).hex, "--name", "x", "--org", "X", "--role", "mayor"])
        #expect([1, 2].contains(badRole.status) && badRole.text.contains("mayor"), "\(badRole)")
        if badRole.status == 0 {
            let x = try Officer.members(fed.vigil("auth", ["roster", "--json"])).first { $0["name"] as? String == "x" }
            Issue.record("roster add --role mayor was accepted; the authority's roster now has: \(x ?? [:])")
        }

        // Revoke corp.
        let logMarks = fed.processes.mapValues { $0.logs().count }
        let revoke = try Officer.postedID(fed.vigil("auth", ["roster", "revoke", "corp", "--reason", "Contract ended", "--json"]))
        #expect(try fed.waitHex("gov", [revoke]) == [])
        for node in ["auth", "gov"] {
            let status = try Officer.members(fed.vigil(node, ["roster", "--json"])).first { $0["name"] as? String == "corp" }?["status"] as? String
            #expect(status == "revoked", "\(node) roster: corp is \(status ?? "missing")")
            let process = try #require(fed.processes[node])
            let line = process.waitForLog(anyOf: [["event=session-closed", "peer=corp"], ["event=connection-refused", "node corp"]], from: logMarks[node] ?? 0)
            #expect(line != nil, "\(node) logged neither a closed session nor a refused connection for corp: \(process.logs().suffix(8))")
        }
        let corpProcess = try #require(fed.processes["corp"])
        #expect(corpProcess.waitForLog(anyOf: [["event=session-closed"], ["event=session-closing"], ["event=connection-refused"]], from: logMarks["corp"] ?? 0) != nil,
                "corp: \(corpProcess.logs().suffix(8))")

        // corp's post after its revocation never reaches the others; the others still sync.
        let late = try fed.vigil("corp", ["post", "message", "--subject", "After revocation", "--text", "should go nowhere", "--json"])
        let still = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "Still here", "--text", "after revocation", "--json"]))
        #expect(try fed.waitHex("gov", [still]) == [])
        if late.status == 0, let id = try? Officer.postedID(late) {
            #expect(try fed.waitHex("gov", [id], timeoutMs: 1000) == [id], "a revoked node's post reached gov")
            #expect(try fed.waitHex("auth", [id], timeoutMs: 300) == [id], "a revoked node's post reached auth")
        } else {
            #expect(late.status == 1, "a revoked node's post is either kept local or refused (exit 1): \(late)")
        }
        #expect(try fed.waitHex("corp", [still], timeoutMs: 300) == [still], "a revoked node still receives entries")
    }

    // MARK: 9. CAP

    @Test("import --cap: every sample dry-runs without posting and imports as an alert; the invalid sample is refused; export --cap writes schema-valid CAP 1.2")
    func capImportExport() throws {
        let xmllint = try #require(Officer.executable("xmllint"), "xmllint is missing: install libxml2-utils (apt-get install -y libxml2-utils) to check exported CAP against the schema")
        let fed = try Officer.federation(["auth", "gov", "corp"])
        let cap = FederationHarness.root.appendingPathComponent("../shared/testdata/cap").standardizedFileURL
        let samples = try FileManager.default.contentsOfDirectory(atPath: cap.appendingPathComponent("samples").path).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(samples.count == 7, "samples: \(samples)")
        func alerts() throws -> [[String: Any]] { try Officer.array(fed.vigil("auth", ["list", "--kind", "alert", "--limit", "1000", "--json"])) }

        var imported: [String] = []
        for sample in samples {
            let path = cap.appendingPathComponent("samples/\(sample)").path
            let xml = try String(contentsOfFile: path, encoding: .utf8)
            let event = try #require(Officer.firstElement("event", in: xml), "\(sample) has no event")
            let before = try alerts()
            let dry = try fed.vigil("auth", ["import", "--cap", path, "--dry-run", "--json"])
            #expect(dry.status == 0, "\(sample) dry run: \(dry)")
            #expect(try alerts().count == before.count, "\(sample): --dry-run posted something")
            let real = try fed.vigil("auth", ["import", "--cap", path, "--json"])
            #expect(real.status == 0, "\(sample) import: \(real)")
            let after = try alerts()
            let new = after.filter { a in !before.contains { $0["id"] as? String == a["id"] as? String } }
            #expect(!new.isEmpty, "\(sample): no new alert after import")
            #expect(new.contains { ($0["fields"] as? [String: Any])?["event"] as? String == event }, "\(sample): no imported alert has event \"\(event)\": \(new.map { $0["fields"] ?? "" })")
            imported += new.compactMap { $0["id"] as? String }
        }

        let invalid = cap.appendingPathComponent("invalid/google_invalid.xml").path
        let before = try alerts().count
        for extra in [["--dry-run"], []] {
            let refused = try fed.vigil("auth", ["import", "--cap", invalid] + extra)
            #expect(refused.status == 1, "the invalid sample must be refused with exit 1 (\(extra)): \(refused)")
        }
        #expect(try alerts().count == before, "the invalid sample posted an alert")
        let byCompany = try fed.vigil("corp", ["import", "--cap", cap.appendingPathComponent("samples/oasis_spec_appendixA1.xml").path])
        #expect(byCompany.status == 1 && byCompany.text.contains("company"), "a company may not post alerts: \(byCompany)")

        // Imported alerts replicate (GREEN unless targeted).
        #expect(try fed.waitHex("gov", imported) == [], "gov did not receive the imported alerts")

        // Export a posted alert (polygon + circle) and the imported ones; xmllint checks each file.
        let own = try Officer.postedID(fed.vigil("auth", ["post", "alert"] + Officer.alert(withPolygon: true) + ["--json"]))
        let out = fed.dir.appendingPathComponent("cap-out")
        let exported = try fed.vigil("auth", ["export", "--cap", own] + imported + ["--out", out.path])
        #expect(exported.status == 0, "\(exported)")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(files.count == imported.count + 1, "export wrote \(files) for \(imported.count + 1) alerts")
        var sawOwn = false
        for file in files {
            let path = out.appendingPathComponent(file).path
            let check = try Officer.run(executable: xmllint, ["--nonet", "--noout", "--schema", cap.appendingPathComponent("cap12.xsd").path, path])
            #expect(check.status == 0, "\(file) is not valid CAP 1.2: \(check.stderr)\n\((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")")
            if let xml = try? String(contentsOfFile: path, encoding: .utf8), Officer.firstElement("event", in: xml) == "Chemical release" {
                sawOwn = true
                #expect(xml.range(of: #"<([A-Za-z]+:)?polygon>\s*51\.250*,4\.260* "#, options: .regularExpression) != nil, "the polygon is exported as CAP lat,lon pairs: \(xml)")
            }
        }
        #expect(sawOwn, "no exported file holds the posted alert's event")
        let notAlert = try Officer.postedID(fed.vigil("auth", ["post", "message", "--subject", "s", "--text", "t", "--json"]))
        let refused = try fed.vigil("auth", ["export", "--cap", notAlert, "--out", fed.dir.appendingPathComponent("cap-out-2").path])
        #expect(refused.status == 1, "exporting a message as CAP must be refused: \(refused)")
    }
}

// MARK: - Helpers

/// One finished `vigil` (or other) child process.
struct CLIOutput: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String
    var text: String { stdout + "\n" + stderr }
    var description: String { "`\(arguments.joined(separator: " "))` → exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

extension FederationHarness {
    /// Runs `vigil ARGS --dir <node's directory>`.
    func vigil(_ node: String, _ arguments: [String]) throws -> CLIOutput {
        try Officer.run(arguments + ["--dir", nodeDir(node)])
    }

    /// `wait` on entry ids given in hex; returns the missing ones.
    func waitHex(_ node: String, _ hexes: [String], timeoutMs: Int = 20_000) throws -> [String] {
        let ids = try hexes.map { hex -> EntryID in
            guard let id = EntryID(hex: hex) else { throw HarnessError("not an entry id: \(hex)") }
            return id
        }
        return try waitFor(node, ids, timeoutMs: timeoutMs)
    }

    /// The id of the automatic acknowledgement `node` posted for the communication test `test`, from its log.
    func automaticAck(_ node: String, test: String) throws -> String {
        guard let process = processes[node] else { throw HarnessError("\(node) is not running") }
        guard let line = process.waitForLog(anyOf: [["event=commtest-received", "test=\(test)"]]),
              let range = line.range(of: #"ack=[0-9a-f]{64}"#, options: .regularExpression) else {
            throw HarnessError("\(node) did not acknowledge test \(test): \(process.logs().suffix(8))")
        }
        return String(line[range].dropFirst(4))
    }
}

enum Officer {
    static let specs: [FederationHarness.Spec] = [
        .init(name: "auth", role: "authority", organisation: "Province of Antwerp", dials: []),
        .init(name: "gov", role: "government", organisation: "Ministry of the Interior", dials: ["auth"]),
        .init(name: "corp", role: "company", organisation: "Kallo Tank Terminal", dials: ["auth", "gov"]),
        .init(name: "crisis", role: "crisis-centre", organisation: "National Crisis Centre", dials: ["auth", "gov"]),
    ]

    /// A started federation of the named nodes (auth is the authority).
    static func federation(_ names: [String]) throws -> FederationHarness {
        let fed = try FederationHarness(specs.filter { names.contains($0.name) })
        for spec in fed.specs { try fed.start(spec.name) }
        return fed
    }

    static func sitrep(number: Int = 1, type: String = "initial", severity: String = "severe", incident: String = "2026-ANT-0042") -> [String] {
        ["--incident_id", incident, "--incident_name", "Flooding Antwerp", "--report_number", "\(number)", "--report_type", type,
         "--severity", severity, "--location.description", "Kallo, left bank of the Scheldt", "--location.lat", "51.254", "--location.lon", "4.275",
         "--summary", "Dyke breach at Kallo; water level stable since 09:00.", "--people_affected", "40",
         "--resources_requested", "sandbags", "--resources_requested", "high-capacity pumps"]
    }

    static func threat(level: String) -> [String] {
        ["--level", level, "--title", "Raised threat to the port of Antwerp", "--scope.regions", "Antwerp", "--scope.sectors", "ports",
         "--valid_from", "2026-11-24T10:00:00Z", "--valid_until", "2026-12-01T10:00:00Z"]
    }

    static func incident() -> [String] {
        ["--category", "drone", "--observed_at", "2026-11-24T01:40:00Z", "--location.description", "Tank farm, gate 3, Kallo",
         "--description", "Drone hovering above the tank farm for about ten minutes, no lights.", "--reporter.name", "Security desk",
         "--reporter.phone", "+32 3 555 01 23"]
    }

    static func alert(withPolygon: Bool = false) -> [String] {
        let area = withPolygon
            ? #"{"description": "Kallo and Beveren-Noord", "circles": [{"lat": 51.2611, "lon": 4.2905, "radius_m": 2000}], "polygons": [[[51.25, 4.26], [51.27, 4.26], [51.27, 4.3], [51.25, 4.3], [51.25, 4.26]]]}"#
            : #"{"description": "Kallo", "circles": [{"lat": 51.2611, "lon": 4.2905, "radius_m": 2000}]}"#
        return ["--event", "Chemical release", "--status", "actual", "--urgency", "immediate", "--severity", "severe", "--certainty", "observed",
                "--categories", "cbrne", "--categories", "safety", "--areas", area, "--headline", "Chlorine leak at Kallo: stay indoors",
                "--instruction", "Stay indoors, close windows and doors.", "--effective", "2026-11-24T10:05:00Z", "--expires", "2026-11-24T16:00:00Z",
                "--language", "en-US"]
    }

    /// Runs `vigil` with `arguments`, killing it after `timeout` seconds (a hung command fails the test, not the run).
    static func run(_ arguments: [String], timeout: Double = 30) throws -> CLIOutput {
        try run(executable: FederationHarness.vigil(), arguments, timeout: timeout)
    }

    static func run(executable: URL, _ arguments: [String], timeout: Double = 30) throws -> CLIOutput {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // SIGKILL: children inherit the test threads' signal mask, in which SIGTERM is blocked.
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        var stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        if process.terminationReason == .uncaughtSignal { stderr += "\n(killed after \(timeout) s or by a signal)" }
        return CLIOutput(arguments: [executable.lastPathComponent] + arguments, status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    static func json(_ r: CLIOutput) throws -> Any {
        guard r.status == 0 else { throw HarnessError("failed: \(r)") }
        do { return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) } catch { throw HarnessError("stdout is not JSON: \(r)") }
    }

    static func object(_ r: CLIOutput) throws -> [String: Any] {
        guard let o = try json(r) as? [String: Any] else { throw HarnessError("stdout is not a JSON object: \(r)") }
        return o
    }

    static func array(_ r: CLIOutput) throws -> [[String: Any]] {
        guard let a = try json(r) as? [[String: Any]] else { throw HarnessError("stdout is not a JSON array of objects: \(r)") }
        return a
    }

    /// Members from `roster --json`: an array, or an object with "members".
    static func members(_ r: CLIOutput) throws -> [[String: Any]] {
        let value = try json(r)
        if let a = value as? [[String: Any]] { return a }
        if let a = (value as? [String: Any])?["members"] as? [[String: Any]] { return a }
        throw HarnessError("roster --json is neither a list of members nor {\"members\": […]}: \(r)")
    }

    /// `{"id": "<64 hex>"}` from a successful `--json` command.
    static func postedID(_ r: CLIOutput) throws -> String {
        guard let id = try object(r)["id"] as? String, isHexID(id) else { throw HarnessError("no {\"id\": <64 hex>} in: \(r)") }
        return id
    }

    /// Results of `commtest results --json` by member name.
    static func results(_ r: CLIOutput) throws -> [String: [String: Any]] { results(try object(r)) }

    static func results(_ test: [String: Any]) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for r in test["results"] as? [[String: Any]] ?? [] { if let m = r["member"] as? String { out[m] = r } }
        return out
    }

    static func isHexID(_ s: String) -> Bool { s.count == 64 && s.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

    static func lineID(_ line: String) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return (o["id"] as? String) ?? ((o["entry"] as? [String: Any])?["id"] as? String)
    }

    static func tlp(_ value: Any?) -> String? {
        guard let s = value as? String else { return nil }
        let upper = s.uppercased()
        return upper.hasPrefix("TLP:") ? String(upper.dropFirst(4)) : upper
    }

    static func close(_ value: Any?, _ expected: Double) -> Bool {
        guard let d = (value as? NSNumber)?.doubleValue else { return false }
        return abs(d - expected) < 1e-6
    }

    static func parseTime(_ value: Any?) -> Date? {
        guard let s = value as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }

    /// The text of the first `<name>` element (any namespace prefix).
    static func firstElement(_ name: String, in xml: String) -> String? {
        guard let range = xml.range(of: "<([A-Za-z0-9_]+:)?\(name)>[^<]*<", options: .regularExpression) else { return nil }
        let element = xml[range]
        guard let open = element.firstIndex(of: ">") else { return nil }
        return String(element[element.index(after: open)..<element.index(before: element.endIndex)])
            .replacingOccurrences(of: "&amp;", with: "&").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let url = URL(fileURLWithPath: dir).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }
}

/// A long-running `vigil` child (`follow`) whose standard output is read line by line.
final class LineProcess: @unchecked Sendable {
    private let process = Process()
    private let condition = NSCondition()
    private var output: [String] = []
    private var closed = false
    private let errURL: URL

    init(_ arguments: [String]) throws {
        errURL = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-follow-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = try FederationHarness.vigil()
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errURL)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let reader = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    condition.lock(); output.append(line); condition.broadcast(); condition.unlock()
                }
            }
            condition.lock(); closed = true; condition.broadcast(); condition.unlock()
        }
        reader.start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: errURL)
    }

    func lines() -> [String] {
        condition.lock(); defer { condition.unlock() }
        return output
    }

    func errors() -> String { String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self) }

    /// The first line (printed so far or until `seconds` pass) that satisfies `predicate`.
    func waitForLine(seconds: Double = 20, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock(); defer { condition.unlock() }
        while true {
            if let line = output.first(where: predicate) { return line }
            if closed || !condition.wait(until: deadline) { return nil }
        }
    }

    /// SIGKILL: the child inherits the test threads' signal mask, in which SIGTERM is blocked, and
    /// `vigil follow` (unlike `vigil run`) does not take SIGTERM through a dispatch source.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
