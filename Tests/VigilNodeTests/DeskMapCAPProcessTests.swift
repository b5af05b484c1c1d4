import Foundation
import Testing
import VigilAPI
import VigilBrowserTesting
import VigilModel

/// The map and CAP pages of a real `vigil run` desk, in headless Chromium, with a second node: a CAP
/// sample checked and posted at the ncc desk (the preview says what `vigil import --cap --dry-run` says),
/// drawn on the map, exported byte for byte as `vigil export --cap` writes it; a CAP Cancel pasted at the
/// desk retracts it on both nodes through its <references>, as one imported with the CLI does; a sitrep
/// posted on the other node appears on the open map without a reload; a 95 KB document passes the node's
/// HTTP host and one over 1 MiB is refused with 413 and the reason. Screenshots:
/// `.build/desk-screenshots/node-cap-preview.png`, `node-map-live.png`. The name starts with
/// DeskNodeProcessTests so that Scripts/test runs it with the other socket suites.
@Suite("Desk map and CAP on real nodes", .serialized)
struct DeskNodeProcessTestsMapCAP {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/testdata/cap/samples")

    /// A CAP Cancel of OASIS sample A2 (same sender; its <references> names A2's sender, identifier and sent).
    static let cancel = """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>KSTO1055887203-cancel</identifier>
          <sender>KSTO@NWS.NOAA.GOV</sender>
          <sent>2003-06-17T15:30:00-07:00</sent>
          <status>Actual</status>
          <msgType>Cancel</msgType>
          <scope>Public</scope>
          <references>KSTO@NWS.NOAA.GOV,KSTO1055887203,2003-06-17T14:57:00-07:00</references>
        </alert>
        """

    @Test("a CAP sample imported at the desk as the CLI would, on the map, exported as the CLI does; a CAP Cancel retracts it; a sitrep arrives on the map live")
    func mapAndCAP() async throws { try await offPool { try self.mapAndCAPBody() } }

    func mapAndCAPBody() throws {
        let fed = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov-antwerp", role: "government", organisation: "Governor of Antwerp", dials: ["ncc"]),
        ])
        try DeskNodeProcessTests.addOfficer("duty", dir: fed.nodeDir("ncc"))
        try fed.start("ncc", extraArguments: ["--desk", "127.0.0.1:0"])
        try fed.start("gov-antwerp")
        let desk = try #require(fed.processes["ncc"]?.deskAddress)
        let vigil = try FederationHarness.vigil()
        let a2 = Self.samples.appendingPathComponent("oasis_spec_appendixA2.xml").path

        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.go(desk + "/login")
        try browser.type("#name", "duty")
        try browser.type("#password", DeskNodeProcessTests.password)
        try browser.click("#login-submit")
        #expect(try browser.text("#officer:not(:empty)") == "duty")

        // The dry run says what the CLI's says.
        try browser.go(desk + "/#cap")
        try browser.type("#cap-file", a2)
        try browser.click("#cap-check")
        let summary = try browser.text("#cap-summary")
        let dryRun = try FederationHarness.run(vigil, ["import", "--cap", a2, "--dir", fed.nodeDir("ncc"), "--dry-run", "--json"])
        #expect(dryRun.status == 0)
        let cli = try JSONDecoder().decode(DryRun.self, from: Data(dryRun.output.utf8))
        #expect(summary == cli.alert.summary && cli.dryRun)
        #expect(try browser.text("#cap-warnings") == "None: the alert shows the CAP message as it is." && cli.alert.warnings.isEmpty)
        try browser.screenshot("node-cap-preview")
        try browser.click("#cap-post")
        _ = try browser.find("#entry-title")
        let id = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        let held = try fed.api("ncc").send(ShowRequest(id: id)).entry
        #expect(held.summary.kind == "alert" && held.summary.fields["officer"]?.stringValue == "duty")
        #expect(try fed.waitFor("gov-antwerp", [id]).isEmpty)

        // The desk's download is what `vigil export --cap` writes.
        let downloaded = try browser.script("return fetch(document.querySelector('#view .cap-download').href).then((r) => r.text())")
        let exported = try FederationHarness.run(vigil, ["export", "--cap", "--dir", fed.nodeDir("ncc"), id.hex])
        #expect(exported.status == 0)
        #expect(downloaded.trimmingCharacters(in: .whitespacesAndNewlines) == exported.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(downloaded.contains("<identifier>KSTO1055887203</identifier>"))

        // On the map: its polygon is in California, outside the base map, so the map stays on Belgium and
        // the list below says so.
        try browser.go(desk + "/#map")
        _ = try browser.find("#map g.feature[data-id=\"\(id.hex)\"] path.polygon")
        _ = try browser.find("#map path.country[data-code=BEL]")
        #expect(try browser.text("#map-list li[data-id=\"\(id.hex)\"] .outside") == "— outside the base map")

        // A sitrep posted on gov-antwerp arrives on the open map.
        _ = try browser.script("window.notReloaded = 'yes'; return 'ok'")
        let sitrep: JSONValue = .object([
            "incident_id": .string("FLOOD-7"), "incident_name": .string("Scheldt flooding"), "report_number": .integer(1),
            "report_type": .string("initial"), "severity": .string("moderate"), "summary": .string("River above alarm level."),
            "location": .object(["description": .string("Kallo, Beveren"), "lat": .number(51.2611), "lon": .number(4.2905)]),
        ])
        let posted = try fed.api("gov-antwerp").send(ComposeRequest(kind: "sitrep", fields: sitrep)).id
        _ = try browser.find("#map g.feature[data-id=\"\(posted.hex)\"] circle.point")
        #expect(try browser.script("return window.notReloaded") == "yes")
        try browser.screenshot("node-map-live")

        // A large document through the node's own HTTP host: about 95 KB of XML whose body still fits an
        // entry (the view's description is cut, with a warning; the CAP message keeps it whole); one over
        // 1 MiB is refused by the page before sending, and by the node with 413 and the reason.
        let large = Self.cancel.replacingOccurrences(of: "<msgType>Cancel</msgType>", with: "<msgType>Alert</msgType>")
            .replacingOccurrences(of: "-cancel", with: "-large")
            .replacingOccurrences(of: "  <references>KSTO@NWS.NOAA.GOV,KSTO1055887203,2003-06-17T14:57:00-07:00</references>\n", with: "")
            .replacingOccurrences(of: "</alert>", with: "  <info><category>Met</category><event>Storm</event><urgency>Expected</urgency><severity>Moderate</severity>"
                + "<certainty>Likely</certainty><description>\(String(repeating: "Heavy rain expected. ", count: 4500))</description></info>\n</alert>")
        #expect(large.utf8.count > 90_000)
        try browser.go(desk + "/#cap")
        _ = try browser.find("#cap-text")
        let literal = String(decoding: try JSONEncoder().encode(large), as: UTF8.self)
        _ = try browser.script("document.querySelector('#cap-text').value = \(literal); return 'ok'")
        try browser.click("#cap-check")
        #expect(try browser.text("#cap-warnings li").contains("description has 94500 characters"))
        _ = try browser.script("document.querySelector('#cap-text').value = 'x'.repeat(1048577); return 'ok'")
        try browser.click("#cap-check")
        #expect(try browser.text("#cap-error:not(:empty)") == "Refused: The document is 1048577 bytes; the desk accepts CAP documents up to 1 MiB (1048576 bytes).")
        let tooLarge = try browser.script("""
            return fetch('/api/me').then((r) => r.json()).then((me) => fetch('/api/cap/preview', { method: 'POST',
              headers: { 'Content-Type': 'application/xml', 'X-CSRF-Token': me.csrfToken }, body: 'x'.repeat(1048577) }))
              .then((r) => r.text().then((t) => r.status + ' ' + t));
            """)
        #expect(tooLarge.hasPrefix("413 ") && tooLarge.contains("a CAP file to import is at most 1 MiB"), "\(tooLarge)")
        // The node goes on serving.
        #expect(try fed.api("ncc").send(StatusRequest()).status.name == "ncc")
        _ = try browser.script("document.querySelector('#cap-text').value = ''; return 'ok'")

        // A CAP Cancel pasted at the desk: posted like any alert, it retracts A2 on both nodes.
        try browser.go(desk + "/#cap")
        try browser.type("#cap-text", Self.cancel)
        try browser.click("#cap-check")
        #expect(try browser.text("#cap-references").contains("becomes a retraction"))
        try browser.click("#cap-post")
        _ = try browser.find("#entry-title")
        let cancelID = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        #expect(try fed.waitFor("gov-antwerp", [cancelID]).isEmpty)
        for node in ["ncc", "gov-antwerp"] {
            let alert = try fed.api(node).send(ShowRequest(id: id)).entry
            #expect(alert.retractedBy != nil && alert.summary.retracted, "\(node)")
        }
        // Exported now, A2 is the Cancel message, on the desk as with the CLI.
        let cancelled = try browser.script("return fetch('/api/cap/export?id=\(id.hex)').then((r) => r.text())")
        #expect(cancelled.contains("<msgType>Cancel</msgType>") && cancelled.contains("<identifier>KSTO1055887203-cancel</identifier>"))
        let cliCancelled = try FederationHarness.run(vigil, ["export", "--cap", "--dir", fed.nodeDir("ncc"), id.hex])
        #expect(cancelled.trimmingCharacters(in: .whitespacesAndNewlines) == cliCancelled.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// What `vigil import --cap --dry-run --json` prints (the parts compared).
    struct DryRun: Decodable {
        struct Alert: Decodable {
            let summary: String
            let warnings: [String]
        }
        let dryRun: Bool
        let alert: Alert
    }
}
