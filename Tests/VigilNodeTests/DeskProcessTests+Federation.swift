import Foundation
import Testing
import VigilAPI
import VigilBrowserTesting
import VigilCrypto
import VigilModel

extension DeskNodeProcessTests {
    /// The authority's desk on three real nodes: the federation page's peers going disconnected and
    /// connected again as a node stops and restarts (pushed over the event stream, no reload); the roster
    /// changed from the page (a refusal next to its field, an add, a key rotation, a revoke); a comm test with a stopped node
    /// silent on the board, then answering late once restarted, live; a reply and a follow-up through the
    /// entry page's shortcuts; an amendment made at the desk naming the officer in `vigil show` and the
    /// entry page. Screenshots `node-federation*.png`, `node-commtest-silent.png`, `node-commtest-late.png`,
    /// `node-federation-nl.png`, `node-reply.png`, `node-followup.png`, `node-amended-by.png`.
    @Test("federation page live, roster changes, a stopped node silent then late on the board, reply and follow-up, amendments name the officer")
    func federationAndShortcuts() async throws { try await offPool { try self.federationAndShortcutsBody() } }

    func federationAndShortcutsBody() throws {
        let fed = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov-antwerp", role: "government", organisation: "Governor of Antwerp", dials: ["ncc"]),
            .init(name: "gov-limburg", role: "government", organisation: "Governor of Limburg", dials: ["ncc"]),
        ])
        try Self.addOfficer("duty", dir: fed.nodeDir("ncc"))
        try fed.start("ncc", extraArguments: ["--desk", "127.0.0.1:0"])
        try fed.start("gov-antwerp")
        try fed.start("gov-limburg")
        let desk = try #require(fed.processes["ncc"]?.deskAddress)

        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.go(desk + "/")
        try browser.type("#name", "duty")
        try browser.type("#password", Self.password)
        try browser.click("#login-submit")
        #expect(try browser.text("#officer:not(:empty)") == "duty")
        _ = try browser.find("#live[data-state=open]")

        // The federation page: both governors connected (they dialed ncc), the roster with ncc as authority.
        try browser.go(desk + "/#federation")
        _ = try browser.find("#peers tr[data-peer=gov-antwerp].peer-connected")
        _ = try browser.find("#peers tr[data-peer=gov-limburg].peer-connected")
        #expect(try browser.text("#peers tr[data-peer=gov-antwerp] td:nth-child(3)") == "the peer dialed")
        #expect(try browser.text("#members tr[data-member=ncc]").contains("authority"))
        _ = try browser.script("window.notReloaded = 'yes'; return 'ok'")
        try browser.screenshot("node-federation")

        // gov-limburg stops: its row turns disconnected without a reload; it restarts: connected again.
        fed.stop("gov-limburg")
        _ = try browser.find("#peers tr[data-peer=gov-limburg].peer-disconnected")
        #expect(try browser.text("#peers tr[data-peer=gov-limburg] td:nth-child(6)").hasPrefix("session ended"))
        try browser.screenshot("node-federation-disconnected")
        try fed.start("gov-limburg")
        _ = try browser.find("#peers tr[data-peer=gov-limburg].peer-connected")
        #expect(try browser.script("return window.notReloaded") == "yes")

        // The roster from the authority's desk: a malformed node id is refused next to its field; a new
        // member is added, then revoked; the node's roster says the same.
        try browser.type("#add-node", "not-a-key")
        try browser.type("#add-name", "police-fed")
        try browser.type("#add-organisation", "Federal Police")
        try browser.click("#add-role option[value=police]")
        try browser.click("#roster-add-submit")
        let refusal = try browser.text("#roster-add [data-field=node] .field-error:not(:empty)")
        #expect(refusal.contains("64 hex digits"), "\(refusal)")
        try browser.screenshot("node-federation-refused")
        let newKey = try SigningKey.generate().publicKey
        _ = try browser.script("document.querySelector('#add-node').value = ''; return 'ok'")
        try browser.type("#add-node", NodeID(newKey).hex)
        try browser.type("#add-addresses", "127.0.0.1:1")
        try browser.click("#roster-add-submit")
        _ = try browser.find("#members tr[data-member=police-fed].member-active")
        // Its key rotated: the member keeps its identity, the page marks the rotation.
        let rotatedKey = try SigningKey.generate().publicKey
        try browser.click("#rotate-node option[value=\"\(NodeID(newKey).hex)\"]")
        try browser.type("#rotate-key", NodeID(rotatedKey).hex)
        try browser.click("#roster-rotate-submit")
        _ = try browser.find("#members tr[data-member=police-fed][data-rotated]")
        #expect(try browser.text("#members tr[data-member=police-fed] .member-state") == "active · key rotated")
        #expect(try fed.api("ncc").send(RosterRequest()).members.first { $0.name == "police-fed" }?.key == NodeID(rotatedKey))
        try browser.click("#revoke-node option[value=\"\(NodeID(newKey).hex)\"]")
        try browser.type("#revoke-reason", "test member")
        try browser.click("#roster-revoke-submit")
        _ = try browser.find("#members tr[data-member=police-fed].member-revoked")
        let police = try fed.api("ncc").send(RosterRequest()).members.first { $0.name == "police-fed" }
        #expect(police?.status == .revoked && police?.reason == "test member")
        _ = try browser.script("document.querySelector('#members').scrollIntoView(); return 'ok'")
        try browser.screenshot("node-federation-roster")
        // In Dutch: the page's own text translated (the officer's choice, kept by the browser).
        try browser.click("#lang option[value=nl]")
        #expect(try browser.text("#federation h1") == "Federatie")
        #expect(try browser.text("#peers tr[data-peer=gov-antwerp] .peer-state") == "verbonden")
        _ = try browser.script("window.scrollTo(0, 0); return 'ok'")
        try browser.screenshot("node-federation-nl")
        try browser.click("#lang option[value=en]")
        _ = try browser.find("#federation h1")
        #expect(try browser.text("#federation h1") == "Federation")

        // A comm test while gov-limburg is stopped: silent on the board. Its deadline is short (0.002
        // minutes); gov-limburg restarts only once an entry ncc signs is stamped after the deadline, so its
        // answer is late; the board shows it without a reload.
        fed.stop("gov-limburg")
        _ = try browser.find("#peers tr[data-peer=gov-limburg].peer-disconnected")
        try browser.go(desk + "/#commtests")
        _ = try browser.find("#ct-minutes")
        _ = try browser.script("document.querySelector('#ct-minutes').value = '0.002'; return 'ok'")
        try browser.click("#ct-submit")
        _ = try browser.find("#ct-board tr[data-member=gov-antwerp].ct-received")
        _ = try browser.find("#ct-board tr[data-member=gov-limburg].ct-silent")
        try browser.screenshot("node-commtest-silent")
        let testID = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#commtest/").last ?? ""))
        let test = try fed.api("ncc").send(ShowRequest(id: testID)).entry
        let deadline = try #require(test.summary.fields["deadline"]?.stringValue.flatMap { EntryJSON.milliseconds(iso8601: $0) }.map { UInt64($0) })
        var stampedAfter = false
        for attempt in 0..<200 where !stampedAfter {
            let marker = try fed.post("ncc", text: "clock check \(attempt)")
            stampedAfter = try fed.api("ncc").send(ShowRequest(id: marker)).entry.summary.timeMs > deadline
        }
        #expect(stampedAfter)
        try fed.start("gov-limburg")
        _ = try browser.find("#ct-board tr[data-member=gov-limburg].ct-received.ct-late")
        #expect(try browser.text("#ct-board tr[data-member=gov-limburg] .status") == "received · late")
        #expect(try browser.script("return window.notReloaded") == "yes")
        try browser.screenshot("node-commtest-late")

        // Reply to gov-antwerp's message: the message form with the subject and the ref filled in. The
        // message is TLP:AMBER to the authority only, so the reply reaches gov-antwerp only because the
        // desk widens its audience to the author (as `Audience.adding` does for acknowledgements).
        let message = try fed.post("gov-antwerp", text: "Road N12 closed", audience: Audience(tlp: .amber, roles: ["authority"]))
        #expect(try fed.waitFor("ncc", [message]).isEmpty)
        try browser.go(desk + "/#entry/\(message.hex)")
        try browser.click("#reply")
        _ = try browser.find("#post-context")
        #expect(try browser.script("return document.querySelector('[name=subject]').value") == "Re: Road N12 closed")
        try browser.type("[name=text]", "Noted; diversion via N74.")
        try browser.screenshot("node-reply")
        try browser.click("#post-submit")
        _ = try browser.find("#entry-title")
        let reply = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        let replied = try fed.api("ncc").send(ShowRequest(id: reply)).entry.summary
        #expect(replied.refs == [message] && replied.fields["officer"]?.stringValue == "duty" && replied.fields["subject"]?.stringValue == "Re: Road N12 closed")
        #expect(try fed.waitFor("gov-antwerp", [reply]).isEmpty)

        // A follow-up of a situation report: the same incident, report number 2, an update, the ref.
        let sitrep = try fed.api("ncc").send(ComposeRequest(kind: "sitrep", fields: .object([
            "incident_id": .string("FIRE-7"), "incident_name": .string("Industrial fire Genk"), "report_number": .integer(1),
            "report_type": .string("initial"), "severity": .string("severe"), "location": .object(["description": .string("Genk-Zuid")]),
            "summary": .string("Fire at a chemical depot."),
        ]))).id
        try browser.go(desk + "/#entry/\(sitrep.hex)")
        try browser.click("#followup")
        _ = try browser.find("#post-context")
        #expect(try browser.script("return document.querySelector('[name=report_number]').value") == "2")
        #expect(try browser.script("return document.querySelector('[name=report_type]').value") == "update")
        #expect(try browser.script("return document.querySelector('[name=incident_id]').value") == "FIRE-7")
        try browser.screenshot("node-followup")
        try browser.click("#post-submit")
        _ = try browser.find("#entry-title")
        let followUp = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        let second = try fed.api("ncc").send(ShowRequest(id: followUp)).entry
        #expect(second.summary.refs == [sitrep] && second.current["report_number"] == .integer(2) && second.current["incident_id"]?.stringValue == "FIRE-7")

        // Amended at the desk: the update names the officer, in `vigil show` on another node and on the entry page.
        try browser.click("#amend")
        try browser.click("select[name=severity] option[value=extreme]")
        try browser.click("#amend-submit")
        #expect(try browser.text(".diff ins") == "extreme")
        #expect(try browser.text("#view .amended-by").hasSuffix("by ncc (duty)"))
        try browser.screenshot("node-amended-by")
        let history = try fed.api("ncc").send(ShowRequest(id: followUp)).entry.history
        let update = try #require(history.first { $0.change == .amended })
        #expect(update.officer == "duty")
        #expect(try fed.waitFor("gov-antwerp", [update.entry]).isEmpty)
        let shown = try FederationHarness.run(FederationHarness.vigil(), ["show", followUp.hex, "--dir", fed.nodeDir("gov-antwerp")])
        #expect(shown.status == 0 && shown.output.contains("ncc (officer duty)  amended severity"), "\(shown.output)")
        // The node sets the officer: an update whose body names one itself (from the socket, or another
        // officer than the one amending) is refused with the field.
        for officer in [nil, "duty"] as [String?] {
            let named = ComposeRequest(kind: "update", fields: .object(["amend": .object(["severity": .string("minor")]), "officer": .string("someone-else")]),
                                       refs: [followUp], officer: officer)
            let refused = #expect(throws: APIFailure.self) { try fed.api("ncc").send(named) }
            #expect(refused?.refusal?.field == "officer", "\(String(describing: refused))")
        }
    }
}
