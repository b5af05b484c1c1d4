import Foundation
import Testing
import VigilAPI
import VigilCAP
import VigilDesk
import VigilModel

/// The map and CAP routes of the desk server, without sockets: the shapes of alerts, sitreps and
/// incidents; a CAP document checked, refused or posted through `compose`; an alert exported as CAP.
@Suite("Desk map and CAP routes")
struct DeskMapCAPServerTests {
    typealias S = DeskServerTests

    static func get(_ server: DeskServer, _ target: String, token: String) async -> HTTPResponse {
        S.response(await server.handle(S.request(.get, target, cookie: token), client: "c", now: .zero))
    }

    static func post(_ server: DeskServer, _ target: String, token: String, csrf: String?, body: Data) async -> HTTPResponse {
        var request = S.request(.post, target, cookie: token, csrf: csrf)
        request.body = Array(body)
        return S.response(await server.handle(request, client: "c", now: .zero))
    }

    static func reason(_ response: HTTPResponse) throws -> DeskRefusal {
        try JSONDecoder().decode(DeskRefusal.self, from: Data(response.body))
    }

    @Test("the map answers the shapes of alerts, sitreps and incidents in degrees; entries without any are left out")
    func map() async throws {
        let (server, backend) = try S.server()
        let polygon: JSONValue = .array([[51.2, 4.3], [51.3, 4.4], [51.2, 4.5], [51.2, 4.3]].map { .array([.degrees(Int64($0[0] * 1e6)), .degrees(Int64($0[1] * 1e6))]) })
        await backend.add(FakeDeskBackend.detail("1", kind: "alert", tlp: "TLP:CLEAR", title: "Smoke", at: 10, fields: [
            "areas": .array([.object(["description": .string("Zwijndrecht"), "polygons": .array([polygon]),
                                      "circles": .array([.object(["lat": .degrees(51_220_000), "lon": .degrees(4_330_000), "radius_m": .integer(2000)])])])]),
        ]))
        await backend.add(FakeDeskBackend.detail("2", kind: "sitrep", tlp: "TLP:AMBER", title: "Flood", at: 20,
                                                 fields: ["location": .object(["description": .string("Kallo"), "lat": .degrees(51_261_100), "lon": .degrees(4_290_500)])]))
        await backend.add(FakeDeskBackend.detail("3", kind: "sitrep", tlp: "TLP:AMBER", title: "No place", at: 30,
                                                 fields: ["location": .object(["description": .string("somewhere")])]))
        await backend.add(FakeDeskBackend.detail("4", kind: "message", tlp: "TLP:GREEN", title: "Chat", at: 40))
        await backend.add(FakeDeskBackend.detail("5", kind: "incident", tlp: "TLP:AMBER", title: "Drone", at: 50,
                                                 fields: ["location": .object(["description": .string("Gate 3"), "lat": .number(51.25), "lon": .integer(4)])]))
        let (token, _) = try await S.login(server)
        let all = try JSONDecoder().decode(DeskMapPage.self, from: Data(await Self.get(server, "/api/map", token: token).body))
        #expect(all.features.map(\.entry.title) == ["Drone", "Flood", "Smoke"])
        let smoke = try #require(all.features.last)
        #expect(smoke.polygons == [[.init(lat: 51.2, lon: 4.3), .init(lat: 51.3, lon: 4.4), .init(lat: 51.2, lon: 4.5), .init(lat: 51.2, lon: 4.3)]])
        #expect(smoke.circles == [.init(lat: 51.22, lon: 4.33, radiusMetres: 2000)] && smoke.points.isEmpty)
        #expect(all.features[1].points == [.init(lat: 51.2611, lon: 4.2905)])
        #expect(all.features[0].points == [.init(lat: 51.25, lon: 4)])
        // Kind and time, like the feed.
        let sitreps = try JSONDecoder().decode(DeskMapPage.self, from: Data(await Self.get(server, "/api/map?kind=sitrep", token: token).body))
        #expect(sitreps.features.map(\.entry.title) == ["Flood"])
        let recent = try JSONDecoder().decode(DeskMapPage.self, from: Data(await Self.get(server, "/api/map?since=15&until=45", token: token).body))
        #expect(recent.features.map(\.entry.title) == ["Flood"])
        let message = await Self.get(server, "/api/map?kind=message", token: token)
        #expect(message.status == .badRequest)
        #expect(try Self.reason(message) == DeskRefusal(.badRequest, field: "kind", "the map shows alert, sitrep, incident; message has no geometry"))
    }

    @Test("a CAP sample's dry run shows what would be posted and its warnings, the same as the CLI's check; nothing is posted")
    func preview() async throws {
        let (server, backend) = try S.server()
        let (token, csrf) = try await S.login(server)
        for name in ["oasis_spec_appendixA1.xml", "oasis_spec_appendixA3.xml", "google_canada_signed.xml"] {
            let data = try DeskCAPFiles.sample(name)
            let answer = await Self.post(server, "/api/cap/preview", token: token, csrf: csrf, body: data)
            #expect(answer.status == .ok, "\(name)")
            let preview = try JSONDecoder().decode(DeskCAPPreview.self, from: Data(answer.body))
            let check = try CAPImportCheck.check(data)
            #expect(preview.summary == check.summary && preview.warnings == check.imported.warnings && preview.identifier == check.alert.identifier, "\(name)")
            #expect(preview.references == check.imported.references.map(\.text), "\(name)")
            #expect(preview.fields.contains { $0.path == "event" } && !preview.fields.contains { $0.path.hasPrefix("cap_infos") }, "\(name)")
        }
        let a3 = try JSONDecoder().decode(DeskCAPPreview.self, from: Data(await Self.post(server, "/api/cap/preview", token: token, csrf: csrf,
                                                                                        body: try DeskCAPFiles.sample("oasis_spec_appendixA3.xml")).body))
        #expect(a3.msgType == "Update" && a3.references == ["trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00"])
        #expect(await backend.composed.isEmpty)
        // A write: without the CSRF token it is refused.
        #expect(await Self.post(server, "/api/cap/preview", token: token, csrf: nil, body: try DeskCAPFiles.sample("oasis_spec_appendixA1.xml")).status == .forbidden)
    }

    @Test("a DTD, XML that is not well-formed, invalid CAP and an empty body are refused with the reason")
    func refusals() async throws {
        let (server, backend) = try S.server()
        let (token, csrf) = try await S.login(server)
        for path in ["/api/cap/preview", "/api/cap/import"] {
            let hostile = await Self.post(server, path, token: token, csrf: csrf, body: DeskCAPFiles.hostile)
            #expect(hostile.status == .unprocessableContent)
            let reason = try Self.reason(hostile)
            #expect(reason.field == "cap" && reason.reason.hasPrefix("the file is not an acceptable CAP 1.2 alert: ") && reason.reason.contains("DOCTYPE"), "\(reason.reason)")
            let broken = try Self.reason(await Self.post(server, path, token: token, csrf: csrf, body: Data("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</alert>".utf8)))
            #expect(broken.reason.contains("not well-formed XML"), "\(broken.reason)")
            let invalid = await Self.post(server, path, token: token, csrf: csrf,
                                          body: try Data(contentsOf: DeskCAPFiles.directory.appendingPathComponent("invalid/google_invalid.xml")))
            #expect(invalid.status == .unprocessableContent)
            let empty = await Self.post(server, path, token: token, csrf: csrf, body: Data())
            #expect(empty.status == .badRequest)
            #expect(try Self.reason(empty).reason == "send the CAP 1.2 XML document as the request body")
        }
        #expect(await backend.composed.isEmpty)
    }

    @Test("import posts the checked alert through compose with the officer and the audience named; export serves it as schema-valid CAP 1.2")
    func importAndExport() async throws {
        let (server, backend) = try S.server()
        let (token, csrf) = try await S.login(server)
        let data = try DeskCAPFiles.sample("oasis_spec_appendixA2.xml")
        let posted = await Self.post(server, "/api/cap/import?tlp=amber&role=authority&role=government", token: token, csrf: csrf, body: data)
        #expect(posted.status == .ok)
        let id = try JSONDecoder().decode(DeskPosted.self, from: Data(posted.body)).id
        let composed = try #require(await backend.composed.first)
        #expect(composed == ComposeRequest(kind: "alert", fields: try CAPImportCheck.check(data).fields,
                                           audience: AudienceSpec(tlp: "amber", roles: ["authority", "government"]), officer: "j.dupont"))
        // Recipients without a TLP label are refused.
        let noLabel = await Self.post(server, "/api/cap/import?role=authority", token: token, csrf: csrf, body: data)
        #expect(noLabel.status == .badRequest)
        #expect(try Self.reason(noLabel).field == "tlp")

        let export = await Self.get(server, "/api/cap/export?id=\(id)", token: token)
        #expect(export.status == .ok && export.headers["content-type"] == "application/xml; charset=utf-8")
        #expect(export.headers["content-disposition"] == "attachment; filename=\"\(id.prefix(16)).xml\"" && export.headers["cache-control"] == "no-store")
        #expect(try DeskCAPFiles.schemaProblems(Data(export.body)) == nil)
        // The CAP message comes back unchanged (the same export as `vigil export --cap`).
        #expect(CAPCanonical.difference(Data(export.body), data) == nil)
        // Not an alert; not an id.
        await backend.add(FakeDeskBackend.detail("e", kind: "message", tlp: "TLP:GREEN", title: "m", at: 1))
        let message = await Self.get(server, "/api/cap/export?id=\(String(repeating: "e", count: 64))", token: token)
        #expect(message.status == .unprocessableContent)
        #expect(try Self.reason(message).reason == "\(String(repeating: "e", count: 64)) is not an alert")
        #expect(await Self.get(server, "/api/cap/export?id=zz", token: token).status == .badRequest)
    }

    @Test("the map and CAP pages' files are served with their media types; the base map is small and holds the six countries")
    func files() async throws {
        let (server, _) = try S.server()
        for (name, type) in [("map.js", "text/javascript; charset=utf-8"), ("cap.js", "text/javascript; charset=utf-8"),
                             ("labels.js", "text/javascript; charset=utf-8"), ("i18n-map.js", "text/javascript; charset=utf-8"),
                             ("desk-map.css", "text/css; charset=utf-8"), ("basemap.json", "application/json")] {
            let file = S.response(await server.handle(S.request(.get, "/static/\(name)"), client: "c", now: .zero))
            #expect(file.status == .ok && file.headers["content-type"] == type && !file.body.isEmpty, "\(name)")
        }
        struct BaseMap: Decodable {
            struct Outline: Decodable { let code: String; let rings: [[[Double]]] }
            let countries: [Outline]
            let subdivisions: [Outline]
        }
        let bytes = try #require(DeskFiles.files["basemap.json"]).bytes
        #expect(bytes.count < 64 * 1024)
        let map = try JSONDecoder().decode(BaseMap.self, from: Data(bytes))
        #expect(map.countries.map(\.code) == ["BEL", "NLD", "LUX", "DEU", "FRA", "GBR"])
        #expect(map.countries.allSatisfy { !$0.rings.isEmpty })
        // Belgium's ten provinces and the Brussels-Capital Region, by ISO 3166-2 code.
        #expect(map.subdivisions.map(\.code) == ["BE-BRU", "BE-VAN", "BE-VBR", "BE-VLI", "BE-VOV", "BE-VWV",
                                                  "BE-WBR", "BE-WHT", "BE-WLG", "BE-WLX", "BE-WNA"])
        // Each city lies in its own province and in no other (even-odd over all rings: Flemish Brabant's
        // ring around Brussels is a hole).
        func inside(_ point: (lon: Double, lat: Double), _ outline: BaseMap.Outline) -> Bool {
            var crossings = 0
            for ring in outline.rings {
                for (a, b) in zip(ring, ring.dropFirst()) where (a[1] > point.lat) != (b[1] > point.lat) {
                    let t: Double = (point.lat - a[1]) / (b[1] - a[1])
                    let x: Double = a[0] + t * (b[0] - a[0])
                    if point.lon < x { crossings += 1 }
                }
            }
            return crossings % 2 == 1
        }
        let cities: [(code: String, at: (lon: Double, lat: Double))] = [
            ("BE-BRU", (4.352, 50.847)), ("BE-VAN", (4.402, 51.219)), ("BE-VBR", (4.701, 50.879)), ("BE-VLI", (5.338, 50.931)),
            ("BE-VOV", (3.726, 51.054)), ("BE-VWV", (3.225, 51.209)), ("BE-WBR", (4.612, 50.668)), ("BE-WHT", (3.952, 50.454)),
            ("BE-WLG", (5.571, 50.633)), ("BE-WLX", (5.567, 49.683)), ("BE-WNA", (4.867, 50.467)),
        ]
        for city in cities {
            let holders: [String] = map.subdivisions.filter { inside(city.at, $0) }.map(\.code)
            #expect(holders == [city.code], "\(city.code)")
        }
        // Every ring is closed, in [lon, lat] order, near Belgium.
        for outline in map.countries + map.subdivisions {
            for ring in outline.rings {
                #expect(ring.count >= 4 && ring.first == ring.last, "\(outline.code)")
                #expect(ring.allSatisfy { $0.count == 2 && (-11...20).contains($0[0]) && (40...61).contains($0[1]) }, "\(outline.code)")
            }
        }
    }

    @Test("the desk's body limit takes any CAP document the parser takes; a larger one gets a 413 that says so")
    func sizeLimit() throws {
        // CAPParser reads at most 1 MiB; the desk's body limit is the same, so every acceptable document fits.
        #expect(HTTPLimits.desk.maxBodyBytes >= 1 << 20)
        var parser = HTTPRequestParser(limits: .desk)
        parser.append(Array("POST /api/cap/preview HTTP/1.1\r\nHost: a\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n".utf8))
        do {
            _ = try parser.next()
            Issue.record("a body over 1 MiB was accepted")
        } catch {
            #expect(error.status == .contentTooLarge)
            #expect(error.reason.contains("1 MiB") && error.reason.contains("CAP"), "\(error.reason)")
        }
    }
}
