import Foundation
import Testing
import VigilAPI
import VigilBrowserTesting
import VigilModel

/// Early-warning incidents on the desks of real `vigil run` processes, in headless Chromium: a company
/// files an incident on its desk; the authority's desk shows it in the queue (a second incident arrives
/// live, without a reload), records "assessing" and then "closed" with an answer, and sends an alert
/// from the incident; the company's desk shows the status and the answer. The two desks are opened as
/// `localhost` and `127.0.0.1` so that their session cookies stay apart. Screenshots go to
/// `.build/desk-screenshots/node-incident-*.png`.
@Suite("Desk on real nodes: incidents", .serialized)
struct DeskNodeProcessTestsIncidents {
    @Test("a company files an incident, the authority assesses and answers it, the company reads the answer")
    func incidents() async throws { try await offPool { try self.incidentsBody() } }

    func incidentsBody() throws {
        let fed = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "corp", role: "company", organisation: "Kallo Tank Terminal", dials: ["ncc"]),
        ])
        try DeskNodeProcessTests.addOfficer("duty", dir: fed.nodeDir("ncc"))
        try DeskNodeProcessTests.addOfficer("guard", dir: fed.nodeDir("corp"))
        try fed.start("ncc", extraArguments: ["--desk", "127.0.0.1:0"])
        try fed.start("corp", extraArguments: ["--desk", "127.0.0.1:0"])
        let nccDesk = try #require(fed.processes["ncc"]?.deskAddress)
        let corpDesk = try #require(fed.processes["corp"]?.deskAddress).replacingOccurrences(of: "127.0.0.1", with: "localhost")

        let browser = try WebDriver()
        defer { browser.quit() }
        func logIn(_ desk: String, _ officer: String) throws {
            try browser.go(desk + "/")
            try browser.type("#name", officer)
            try browser.type("#password", DeskNodeProcessTests.password)
            try browser.click("#login-submit")
            #expect(try browser.text("#officer:not(:empty)") == officer)
        }

        // The company files an incident through the form generated from the incident schema.
        try logIn(corpDesk, "guard")
        try browser.go(corpDesk + "/#incidents")
        #expect(try browser.text("#view h1") == "Our incidents")
        try browser.click("#inc-file")
        try browser.click("select[name=category] option[value=drone]")
        for (name, value) in [("observed_at", "2026-11-24T02:40:00+01:00"), ("location.description", "Tank farm, gate 3, Kallo"),
                              ("location.lat", "51.2611"), ("location.lon", "4.2905"),
                              ("description", "Drone hovering above the tank farm for ten minutes, no lights."), ("reporter.name", "Security desk")] {
            try browser.type("[name=\"\(name)\"]", value)
        }
        try browser.click("#post-submit")
        _ = try browser.find("#entry-title")
        let incident = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        #expect(try fed.waitFor("ncc", [incident]).isEmpty)

        // The authority's queue: the incident under "New". A second incident filed meanwhile appears live.
        try logIn(nccDesk, "duty")
        try browser.go(nccDesk + "/#incidents")
        _ = try browser.find("#inc-group-new li[data-id=\"\(incident.hex)\"]")
        _ = try browser.find("#live[data-state=open]")
        _ = try browser.script("window.notReloaded = 'yes'; return 'ok'")
        let second = try fed.api("corp").send(ComposeRequest(kind: "incident", fields: .object([
            "category": .string("suspicious-vehicle"), "observed_at": .string("2026-11-24T03:10:00Z"),
            "location": .object(["description": .string("Parking lot B")]), "description": .string("Van parked at the fence, engine running."),
            "reporter": .object(["name": .string("Security desk")]),
        ]))).id
        #expect(try fed.waitFor("ncc", [second]).isEmpty)
        _ = try browser.find("#inc-group-new li[data-id=\"\(second.hex)\"]")
        #expect(try browser.script("return window.notReloaded") == "yes")
        #expect(try browser.script("return [...document.querySelectorAll('#inc-group-new li')].map((li) => li.dataset.id).join(',')")
                == [second.hex, incident.hex].joined(separator: ","))
        try browser.screenshot("node-incident-queue")

        // Its page: record "assessing", then "closed" with the outcome, the protective action and the answer.
        try browser.click("#inc-group-new li[data-id=\"\(incident.hex)\"] a")
        _ = try browser.find("#assess-form")
        #expect(try browser.text("#inc-now .inc-status") == "NEW" || browser.text("#inc-now .inc-status").lowercased() == "new")
        try browser.click("#a-status option[value=assessing]")
        try browser.click("#assess-submit")
        _ = try browser.find("#inc-now .inc-assessing")
        // A closed assessment without an answer is refused, the reason next to the field.
        try browser.click("#a-status option[value=closed]")
        try browser.click("#a-outcome option[value=unfounded]")
        try browser.click("#assess-submit")
        let refusal = try browser.text("[data-error=answer]:not(:empty)")
        #expect(refusal.contains("status is closed"), "\(refusal)")
        try browser.type("#a-action", "Extra patrol at gate 3 tonight.")
        try browser.type("#a-answer", "A survey flight with a permit. No further action needed; thank you for reporting.")
        try browser.click("#assess-submit")
        _ = try browser.find("#inc-now .inc-closed")
        #expect(try browser.text("#inc-answer").contains("A survey flight with a permit"))
        #expect(try browser.script("return String(document.querySelectorAll('.inc-assessment').length)") == "2")
        try browser.screenshot("node-incident-assessed")

        // Send an alert from the incident: the alert form, prefilled, with the incident as its ref.
        try browser.click("#inc-send-alert")
        _ = try browser.find("#post-note")
        #expect(try browser.script("return document.querySelector('[name=event]').value") == "Incident: drone")
        #expect(try browser.script("return document.querySelector('[name=areas]').value").contains("Tank farm, gate 3, Kallo"))
        try browser.screenshot("node-incident-alert-form")
        try browser.click("#post-submit")
        _ = try browser.find("#entry-title")
        let alert = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        let alertEntry = try fed.api("ncc").send(ShowRequest(id: alert)).entry
        #expect(alertEntry.summary.kind == "alert" && alertEntry.summary.refs == [incident])

        // The company reads the status and the answer on its own desk, from the entries it received.
        let assessments = try #require(try fed.api("ncc").send(ShowRequest(id: incident)).entry.incident).assessments.map(\.id)
        #expect(assessments.count == 2)
        #expect(try fed.waitFor("corp", assessments).isEmpty)
        try browser.go(corpDesk + "/#incidents")
        _ = try browser.find("#inc-mine li[data-id=\"\(incident.hex)\"][data-status=closed]")
        #expect(try browser.text("#inc-mine li[data-id=\"\(incident.hex)\"] .inc-answer-line").contains("A survey flight with a permit"))
        #expect(try browser.script("return String(document.querySelector('#inc-mine li[data-id=\"\(second.hex)\"]').dataset.status)") == "new")
        try browser.screenshot("node-incident-company-queue")
        try browser.click("#inc-mine li[data-id=\"\(incident.hex)\"] a")
        #expect(try browser.text("#inc-answer").contains("No further action needed"))
        #expect(try browser.script("return String(document.querySelector('#assess-form'))") == "null")
        try browser.screenshot("node-incident-company-answer")

        // The same status on both nodes through the local API (what `vigil show` prints).
        let there = try #require(try fed.api("corp").send(ShowRequest(id: incident)).entry.incident)
        #expect(there.status == "closed" && there.assessments.last?.answer?.contains("survey flight") == true)
        #expect(there.assessments.last?.officer == "duty")
        // The CLI: `vigil show` prints the status and the answer; `vigil post assessment` goes through the kind's flags.
        let vigil = try FederationHarness.vigil()
        let shown = try FederationHarness.run(vigil, ["show", incident.hex, "--dir", fed.nodeDir("corp")])
        #expect(shown.status == 0 && shown.output.contains("status: closed") && shown.output.contains("outcome: unfounded")
                && shown.output.contains("answer: A survey flight with a permit"), "\(shown.output)")
        let posted = try FederationHarness.run(vigil, ["post", "assessment", "--dir", fed.nodeDir("ncc"), "--ref", second.hex, "--status", "assessing",
                                                       "--protective_action", "Patrol sent to parking lot B"])
        #expect(posted.status == 0, "\(posted.output)")
        let secondStatus = try #require(try fed.api("ncc").send(ShowRequest(id: second)).entry.incident)
        #expect(secondStatus.status == "assessing" && secondStatus.assessments.last?.protectiveAction == "Patrol sent to parking lot B")
        let noRef = try FederationHarness.run(vigil, ["post", "assessment", "--dir", fed.nodeDir("ncc"), "--status", "assessing"])
        #expect(noRef.status != 0 && noRef.output.contains("the incident it assesses"), "\(noRef.output)")

        // The company may not assess; the authority may not leave the reporter out of an assessment's audience.
        do {
            _ = try fed.api("corp").send(ComposeRequest(kind: "assessment", fields: .object(["status": .string("closed"), "outcome": .string("confirmed"),
                                                                                              "answer": .string("x")]), refs: [incident]))
            Issue.record("a company's assessment was accepted")
        } catch {
            let failure = error
            #expect(failure.error.contains("may not author assessment entries"), "\(failure.error)")
        }
        do {
            _ = try fed.api("ncc").send(ComposeRequest(kind: "assessment", fields: .object(["status": .string("assessing")]),
                                                       audience: AudienceSpec(tlp: "amber", roles: ["police"]), refs: [incident]))
            Issue.record("an assessment that leaves the reporter out was accepted")
        } catch {
            let failure = error
            #expect(failure.refusal?.field == "audience" && failure.error.contains("leaves out corp"), "\(failure.error)")
        }
    }
}
