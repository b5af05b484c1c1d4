import Foundation
import Testing
import VigilAPI
import VigilDesk
import VigilModel

/// The incidents routes without sockets: they need a session, name the missing id, and refuse an entry
/// that is not an incident. (The queue and the assessments themselves: DeskNodeProcessTestsIncidents.)
@Suite("Desk server: incidents")
struct DeskIncidentsServerTests {
    @Test("GET /api/incidents and /api/incident need a session; a missing or malformed id and a non-incident are refused with the reason")
    func refusals() async throws {
        let (server, backend) = try DeskServerTests.server()
        for path in ["/api/incidents", "/api/incident?id=" + String(repeating: "a", count: 64)] {
            #expect(DeskServerTests.response(await server.handle(DeskServerTests.request(.get, path), client: "c", now: .zero)).status == .unauthorized)
        }
        let (token, _) = try await DeskServerTests.login(server)
        func get(_ path: String) async -> (Int, String) {
            let r = DeskServerTests.response(await server.handle(DeskServerTests.request(.get, path, cookie: token), client: "c", now: .zero))
            return (r.status.code, String(decoding: r.body, as: UTF8.self))
        }
        let missing = await get("/api/incident")
        #expect(missing.0 == 400 && missing.1.contains("\"field\":\"id\"") && missing.1.contains("give the incident's id"), "\(missing)")
        let malformed = await get("/api/incident?id=xyz")
        #expect(malformed.0 == 400 && malformed.1.contains("64 hex digits"), "\(malformed)")
        let id = EntryID(hex: String(repeating: "ab", count: 32))!
        let summary = EntrySummary(id: id, kind: "message", time: "2026-12-01T10:00:00.000Z", timeMs: 1_796_040_000_000, hlc: "1.0", author: "gov",
                                   organisation: "Governor", refs: [], audience: AudienceView(tlp: "TLP:GREEN", roles: [], organisations: [], nodes: []),
                                   fields: .object(["subject": .string("s"), "text": .string("t")]), summary: "message: s", amended: false, retracted: false)
        await backend.add(EntryDetail(summary: summary, current: .object([:]), history: [], retractedBy: nil, acknowledgements: [], results: nil))
        let notIncident = await get("/api/incident?id=" + id.hex)
        #expect(notIncident.0 == 404 && notIncident.1.contains("is a message, not an incident"), "\(notIncident)")
        let unknown = await get("/api/incident?id=" + String(repeating: "cd", count: 32))
        #expect(unknown.0 == 404, "\(unknown)")
    }

    @Test("the incidents page and its texts are served; every incidents text exists in English, Dutch and French")
    func files() async throws {
        let (server, _) = try DeskServerTests.server()
        for name in ["incidents.js", "i18n-incidents.js"] {
            let file = DeskServerTests.response(await server.handle(DeskServerTests.request(.get, "/static/\(name)"), client: "c", now: .zero))
            #expect(file.status == .ok && !file.body.isEmpty, "\(name)")
        }
        let texts = String(decoding: try #require(DeskFiles.files["i18n-incidents.js"]).bytes, as: UTF8.self)
        let blocks = texts.components(separatedBy: "\n  nl: {")
        let english = blocks[0], rest = blocks[1].components(separatedBy: "\n  fr: {")
        let keys = { (block: String) in Set(block.matches(of: /"((?:nav|inc)\.[\w.]+)":/).map { String($0.1) }) }
        #expect(!keys(english).isEmpty)
        #expect(keys(english) == keys(rest[0]) && keys(english) == keys(rest[1]))
        // Every key the page uses is defined.
        let page = String(decoding: try #require(DeskFiles.files["incidents.js"]).bytes, as: UTF8.self)
        for match in page.matches(of: /t\("(inc\.[\w.]+)"\)/) { #expect(keys(english).contains(String(match.1)), "\(match.1)") }
    }
}
