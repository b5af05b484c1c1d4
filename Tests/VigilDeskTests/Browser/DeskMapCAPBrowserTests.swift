import Foundation
import Testing
import VigilAPI
import VigilBrowserTesting
import VigilCrypto
import VigilDesk
import VigilModel

/// The map, CAP and post-form label pages in headless Chromium, over the test host and an in-memory
/// backend: an alert polygon, an alert circle and a sitrep point drawn over the base map; a click on a
/// shape opens its entry; an incident arriving live is drawn without a reload; the kind filter; a CAP
/// sample previewed with its warnings, posted, in the feed, exported and valid against the OASIS schema;
/// a hostile CAP (DTD) refused with its reason; field labels in English, Dutch and French. Screenshots go
/// to `.build/desk-screenshots/` (map.png, map-filtered.png, cap-preview.png, cap-refused.png,
/// cap-entry.png, post-labels-en.png, post-labels-nl.png, post-labels-fr.png). The name starts with
/// DeskBrowserTests so that Scripts/test runs it with the other socket suites.
@Suite("Desk map and CAP in a browser", .serialized)
struct DeskBrowserTestsMapCAP {
    static let hostileTitle = #"<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Smoke over Zwijndrecht"#

    static func id(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    static func degrees(_ value: Double) -> JSONValue { .degrees(Int64((value * 1_000_000).rounded())) }

    @Test("the map draws an alert polygon and a sitrep point over the base map and a click opens the entry; CAP import, export and refusal; labels in three languages")
    func mapAndCAP() async throws {
        var accounts = OfficerAccounts()
        try accounts.add(name: "j.dupont", password: DeskBrowserTests.password, salt: SecureRandom.bytes(16), now: 0,
                         parameters: Scrypt.Parameters(n: 1024, r: 8, p: 1))
        let officers = accounts
        let backend = FakeDeskBackend()
        let base: UInt64 = 1_796_030_000_000
        let polygon: JSONValue = .array([[51.215, 4.30], [51.25, 4.36], [51.22, 4.42], [51.18, 4.37], [51.215, 4.30]].map { .array([Self.degrees($0[0]), Self.degrees($0[1])]) })
        await backend.add(FakeDeskBackend.detail("a", kind: "alert", tlp: "TLP:CLEAR", title: Self.hostileTitle, at: base, fields: [
            "areas": .array([.object(["description": .string("Zwijndrecht"), "polygons": .array([polygon])])]),
        ]))
        await backend.add(FakeDeskBackend.detail("b", kind: "alert", tlp: "TLP:GREEN", title: "Water cut in Namur", at: base + 1000, fields: [
            "areas": .array([.object(["description": .string("Namur"), "circles": .array([.object(["lat": Self.degrees(50.4669), "lon": Self.degrees(4.8675), "radius_m": .integer(8000)])])])]),
        ]))
        await backend.add(FakeDeskBackend.detail("c", kind: "sitrep", tlp: "TLP:AMBER", title: "Scheldt flooding — report 1", at: base + 2000,
                                                 fields: ["location": .object(["description": .string("Kallo"), "lat": Self.degrees(51.2611), "lon": Self.degrees(4.2905)])]))
        await backend.add(FakeDeskBackend.detail("d", kind: "message", tlp: "TLP:GREEN", title: "Shift hand-over at 07:00", at: base + 3000))
        let server = DeskServer(backend: backend, officers: { officers }, random: { SecureRandom.bytes($0) })
        let host = try DeskTestHost(server: server)
        defer { host.stop() }
        try await DeskTestHost.onThread { try Self.scenario(host: host, backend: backend, base: base) }
    }

    static func scenario(host: DeskTestHost, backend: FakeDeskBackend, base: UInt64) throws {
        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.go(host.baseURL + "/login")
        try browser.type("#name", "j.dupont")
        try browser.type("#password", DeskBrowserTests.password)
        try browser.click("#login-submit")
        #expect(try browser.text("#officer:not(:empty)") == "j.dupont")

        // The map: the base map's outlines, the alert's polygon, the circle and the sitrep's point; the
        // message (no geometry) is not on it. The hostile title is the shape's <title> text, inert.
        try browser.go(host.baseURL + "/#map")
        let alert = "#map g.feature[data-id=\"\(id("a"))\"]"
        _ = try browser.find(alert + " path.polygon")
        _ = try browser.find("#map g.feature[data-id=\"\(id("b"))\"] circle.circle")
        _ = try browser.find("#map g.feature[data-id=\"\(id("c"))\"] circle.point")
        #expect(try browser.script("return [...document.querySelectorAll('#map path.country')].map((p) => p.dataset.code).join(',')") == "BEL,NLD,LUX,DEU,FRA,GBR")
        #expect(try browser.script("return String(document.querySelectorAll('#map path.subdivision').length)") == "11")
        #expect(try browser.script("return String(document.querySelectorAll('#map g.feature').length)") == "3")
        #expect(try browser.script("return document.querySelector('\(alert) title').textContent") == "alert · " + hostileTitle)
        #expect(try browser.script("return String(window.pwned) + ':' + document.querySelectorAll('#view img, #view script').length") == "undefined:0")
        // The polygon lies inside Belgium's outline on the screen (the projection fits both).
        let inside = try browser.script("""
            const b = document.querySelector('#map path.country[data-code=BEL]').getBoundingClientRect();
            const a = document.querySelector('\(alert) path.polygon').getBoundingClientRect();
            return String(a.width > 2 && a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom);
            """)
        #expect(inside == "true")
        #expect(try browser.text("#map-list li[data-id=\"\(id("c"))\"] a") == "Scheldt flooding — report 1")

        // An incident arrives: drawn at once, without a reload (once the event stream is open).
        _ = try browser.find("#live[data-state=open]")
        _ = try browser.script("window.notReloaded = 'yes'; return 'ok'")
        host.blocking {
            await backend.add(FakeDeskBackend.detail("e", kind: "incident", tlp: "TLP:AMBER", title: "Drone above the tank farm", at: base + 4000,
                                                     fields: ["location": .object(["description": .string("Gate 3"), "lat": degrees(51.2611), "lon": degrees(4.2305)])]))
        }
        _ = try browser.find("#map g.feature[data-id=\"\(id("e"))\"] circle.point")
        #expect(try browser.script("return window.notReloaded") == "yes")
        try browser.screenshot("map")

        // A click on the sitrep's point opens its entry.
        try browser.click("#map g.feature[data-id=\"\(id("c"))\"] circle.point")
        #expect(try browser.text("#entry-title") == "Scheldt flooding — report 1")
        #expect(try browser.currentURL().hasSuffix("#entry/" + id("c")))

        // The kind filter, like the feed's.
        try browser.go(host.baseURL + "/#map")
        _ = try browser.find(alert)
        try browser.click("#map-filters select[name=kind] option[value=alert]")
        try browser.click("#map-filters button[type=submit]")
        _ = try browser.find("#map-list li[data-id=\"\(id("a"))\"]")
        #expect(try browser.script("return [...document.querySelectorAll('#map g.feature')].map((g) => g.dataset.id[0]).sort().join('')") == "ab")
        try browser.screenshot("map-filtered")

        // CAP: a sample file previewed (dry run) with its warning and references; nothing posted yet.
        try browser.go(host.baseURL + "/#cap")
        try browser.type("#cap-file", DeskCAPFiles.samplePath("google_wcatwc-warning.xml"))
        try browser.click("#cap-check")
        #expect(try browser.text("#cap-summary").hasPrefix("alert Tsunami Warning (actual, immediate, extreme, likely)"))
        #expect(try browser.text("#cap-warnings li").contains("headline has 173 characters"))
        #expect(try browser.text("#cap-references").contains("PAAQ,PAAQ-1-lqw6d6,2011-09-02T10:55:55-00:00"))
        #expect(host.blocking { await backend.composed.isEmpty })
        try browser.screenshot("cap-preview")
        // Posted: the entry page, then the feed holds it; its CAP download is the same message, schema-valid.
        try browser.click("#cap-post")
        let posted = try browser.text("#entry-title")
        #expect(posted.hasPrefix("The tsunami Warning continues"), "\(posted)")
        let postedID = try #require(try browser.currentURL().components(separatedBy: "#entry/").last)
        #expect(host.blocking { await backend.composed.map(\.officer) } == ["j.dupont"])
        #expect(try browser.script("return document.querySelector('#view .cap-download').getAttribute('href')") == "/api/cap/export?id=" + postedID)
        // Stored fields read by their labels: list positions counted from 1, the officer set by the node.
        #expect(try browser.script("return document.querySelector('dl.fields dt[title=\"cap.codes[0]\"]').textContent") == "CAP codes (1)")
        #expect(try browser.script("return document.querySelector('dl.fields dt[title=\"officer\"]').textContent") == "Officer")
        try browser.screenshot("cap-entry")
        let xml = try browser.script("""
            const x = new XMLHttpRequest(); x.open('GET', document.querySelector('#view .cap-download').href, false); x.send();
            return x.status + '\\n' + x.getResponseHeader('Content-Disposition') + '\\n' + x.responseText;
            """)
        let parts = xml.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts[0] == "200" && parts[1] == "attachment; filename=\"\(postedID.prefix(16)).xml\"")
        let document = Data((parts.count == 3 ? parts[2] : "").utf8)
        #expect(try DeskCAPFiles.schemaProblems(document) == nil)
        #expect(String(decoding: document, as: UTF8.self).contains("<identifier>PAAQ-2-lqw6d6</identifier>"))
        try browser.go(host.baseURL + "/#feed")
        #expect(try browser.text("li[data-id=\"\(postedID)\"] .title") == posted)
        // The CAP page lists the alert with its download.
        try browser.go(host.baseURL + "/#cap")
        _ = try browser.find("#cap-alerts li[data-id=\"\(postedID)\"] .cap-download")

        // A hostile document (a DTD with an external entity) is refused with the reason; nothing posted.
        try browser.type("#cap-text", String(decoding: DeskCAPFiles.hostile, as: UTF8.self))
        try browser.click("#cap-check")
        let refusal = try browser.text("#cap-error:not(:empty)")
        #expect(refusal.hasPrefix("Refused: the file is not an acceptable CAP 1.2 alert:") && refusal.contains("DOCTYPE"), "\(refusal)")
        #expect(try browser.script("return String(document.querySelector('#cap-post').disabled)") == "true")
        #expect(host.blocking { await backend.composed.count } == 1)
        try browser.screenshot("cap-refused")

        // The post form's labels in English, Dutch and French, each with the schema name in small print.
        try browser.go(host.baseURL + "/#post/sitrep")
        let label = "[data-field=\"location.description\"] label"
        #expect(try browser.text(label + " .field-label") == "Location")
        #expect(try browser.text(label + " .path") == "location.description")
        #expect(try browser.text("[data-field=incident_id] label .field-label") == "Incident ID")
        #expect(try browser.text("nav.kinds a.current") == "situation report")
        #expect(try browser.text("#post-form h2") == "situation report")
        try browser.screenshot("post-labels-en")
        try browser.click("#lang option[value=nl]")
        #expect(try browser.text("html[lang=nl] [data-field=incident_id] label .field-label") == "Incident-ID")
        #expect(try browser.text(label + " .field-label") == "Locatie")
        #expect(try browser.text(label + " .path") == "location.description")
        // The kinds' names follow the language too: the tabs and the form's heading.
        #expect(try browser.text("html[lang=nl] nav.kinds a.current") == "situatierapport")
        #expect(try browser.text("html[lang=nl] #post-form h2") == "situatierapport")
        #expect(try browser.script("return [...document.querySelectorAll('nav.kinds a')].map((a) => a.textContent).join('|')")
                == "situatierapport|dreigingsbericht|incident|alarm|bericht|verbindingstest")
        try browser.screenshot("post-labels-nl")
        try browser.click("#lang option[value=fr]")
        #expect(try browser.text("html[lang=fr] [data-field=incident_id] label .field-label") == "ID de l'incident")
        #expect(try browser.text(label + " .field-label") == "Lieu")
        #expect(try browser.text("html[lang=fr] #post-form h2") == "rapport de situation")
        try browser.screenshot("post-labels-fr")
        // The map's own text follows the language too.
        try browser.go(host.baseURL + "/#map")
        #expect(try browser.text("html[lang=fr] #view h1") == "Carte")
        _ = try browser.script("localStorage.removeItem('vigil-lang'); return 'ok'")
    }
}
