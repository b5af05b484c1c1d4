import Foundation
import Testing
import VigilModel
@testable import VigilCAP

@Suite("CAP ↔ Vigil alert bodies")
struct AlertMappingTests {
    @Test("every sample → bodies → export → xmllint-valid → import gives the same body", arguments: CAPFixtures.samples)
    func exportEverySample(name: String) throws {
        let alert = try CAPParser.parse(try CAPFixtures.sample(name))
        let bodies = try CAPImport.alertBodies(from: alert)
        #expect(bodies.count == alert.infos.count)
        for body in bodies {
            _ = try body.fields.encoded()
            let xml = try CAPExport.xml(fields: body.fields, identifier: alert.identifier, sender: alert.sender,
                                        sentMilliseconds: alert.sent.milliseconds, msgType: body.msgType, references: body.references)
            let problems = try XMLLint.problems(xml)
            #expect(problems == nil, "\(name) info \(body.infoIndex): \(problems ?? "")")
            let back = try CAPImport.alertBodies(fromXML: xml)
            #expect(back.count == 1)
            #expect(back.first?.fields == body.fields)
            #expect(back.first?.references == body.references)
        }
    }

    @Test("the A2 thunderstorm warning maps field by field")
    func fieldByField() throws {
        let bodies = try CAPImport.alertBodies(fromXML: try CAPFixtures.sample("oasis_spec_appendixA2.xml"))
        let f = try #require(bodies.first).fields
        #expect(f["event"] == .text("SEVERE THUNDERSTORM"))
        #expect(f["status"] == .text("actual"))
        #expect(f["urgency"] == .text("immediate"))
        #expect(f["severity"] == .text("severe"))
        #expect(f["certainty"] == .text("observed"))
        #expect(f["categories"] == .list([.text("met")]))
        #expect(f["expires"] == .integer(1_055_890_800_000))   // 2003-06-17T23:00:00Z
        #expect(f["cap_identifier"] == .text("KSTO1055887203"))
        #expect(f["cap_sender"] == .text("KSTO@NWS.NOAA.GOV"))
        #expect(f["cap_sent"] == .integer(1_055_887_020_000))
        #expect(f["sender_name"] == .text("NATIONAL WEATHER SERVICE SACRAMENTO CA"))
        #expect(f["headline"] == .text("SEVERE THUNDERSTORM WARNING"))
        guard case .list(let areas)? = f["areas"], case .map(let area)? = areas.first else {
            Issue.record("no areas")
            return
        }
        #expect(areas.count == 1)
        let polygon: [Int64] = [38_470_000, -120_140_000, 38_340_000, -119_950_000, 38_520_000, -119_740_000,
                                38_620_000, -119_890_000, 38_470_000, -120_140_000]
        #expect(area["polygons"] == .list([.list(polygon.map { .integer($0) })]))
        #expect(bodies[0].warnings.contains { $0.contains("3 <geocode>") && $0.contains("<contact>") })
    }

    @Test("categories, circles in metres, Geo → geo")
    func circlesAndCategories() throws {
        let au = try CAPImport.alertBodies(fromXML: try CAPFixtures.sample("google_australia.xml"))[0].fields
        #expect(au["categories"] == .list([.text("fire"), .text("met")]))
        guard case .list(let areas)? = au["areas"], case .map(let area)? = areas.first else { Issue.record("no area"); return }
        #expect(area["circles"] == .list([.map(["lat": .integer(-35_388_800), "lon": .integer(147_059_800), "radius_m": .integer(25_000)])]))
        let wc = try CAPImport.alertBodies(fromXML: try CAPFixtures.sample("google_wcatwc-warning.xml"))[0]
        #expect(wc.fields["categories"] == .list([.text("geo")]))
        #expect(wc.msgType == .update)
        #expect(wc.references == [CAPReference(sender: "PAAQ", identifier: "PAAQ-1-lqw6d6", sent: "2011-09-02T10:55:55-00:00")])
    }

    @Test("a headline over 160 characters is truncated with a warning")
    func longHeadline() throws {
        let wc = try CAPImport.alertBodies(fromXML: try CAPFixtures.sample("google_wcatwc-warning.xml"))[0]
        guard case .text(let headline)? = wc.fields["headline"] else { Issue.record("no headline"); return }
        #expect(headline.count == 160)
        #expect(headline.hasPrefix("The tsunami Warning continues in effect"))
        #expect(wc.warnings.contains { $0.contains("headline") && $0.contains("truncated to 160") })
    }

    @Test("one body per info, each in its own language")
    func twoInfos() throws {
        let bodies = try CAPImport.alertBodies(fromXML: try CAPFixtures.sample("oasis_spec_appendixA4.xml"))
        #expect(bodies.map(\.infoIndex) == [0, 1])
        #expect(bodies.map { $0.fields["language"] } == [.text("en-US"), .text("es-US")])
        #expect(bodies[1].fields["event"] == .text("Abducción de Niño"))
    }

    @Test("status Draft and System are refused; Exercise and Test import")
    func statuses() throws {
        var alert = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA1.xml"))
        alert.status = .draft
        #expect(throws: CAPError(path: "alert/status", reason: "status Draft is not an alert to send; Vigil imports Actual, Exercise and Test")) {
            try CAPImport.alertBodies(from: alert)
        }
        alert.status = .system
        #expect(throws: CAPError(path: "alert/status", reason: "status System is not an alert to send; Vigil imports Actual, Exercise and Test")) {
            try CAPImport.alertBodies(from: alert)
        }
        alert.status = .exercise
        #expect(try CAPImport.alertBodies(from: alert)[0].fields["status"] == .text("exercise"))
        alert.status = .test
        #expect(try CAPImport.alertBodies(from: alert)[0].fields["status"] == .text("test"))
        alert.msgType = .ack
        #expect(throws: CAPError.self) { try CAPImport.alertBodies(from: alert) }
    }

    @Test("a Cancel imports and reports msgType and references")
    func cancel() throws {
        var alert = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA3.xml"))
        alert.msgType = .cancel
        let body = try CAPImport.alertBodies(from: alert)[0]
        #expect(body.msgType == .cancel)
        #expect(body.references.map(\.identifier) == ["TRI13970876.1"])
    }

    @Test("an info without area gets \"unspecified area\" and a warning")
    func noArea() throws {
        let doc = CAPFixtures.document(info: CAPFixtures.info(area: ""))
        let body = try CAPImport.alertBodies(fromXML: Data(doc.utf8))[0]
        #expect(body.fields["areas"] == .list([.map(["description": .text("unspecified area")])]))
        #expect(body.warnings.contains { $0.contains("has no <area>") })
    }

    @Test("more than 32 areas are refused")
    func tooManyAreas() throws {
        let areas = String(repeating: "<area><areaDesc>x</areaDesc></area>", count: 33)
        let doc = CAPFixtures.document(info: CAPFixtures.info(area: areas))
        #expect(throws: CAPError(path: "alert/info[0]/area[32]", reason: "33 areas; a Vigil alert holds 1-32 areas")) {
            try CAPImport.alertBodies(fromXML: Data(doc.utf8))
        }
    }

    @Test("export: enumerations capitalised, micro-degrees to decimals, radius in km, open polygons closed")
    func export() throws {
        let fields: FieldMap = [
            "event": .text("Chemical release"), "status": .text("exercise"), "urgency": .text("expected"),
            "severity": .text("moderate"), "certainty": .text("possible"), "categories": .list([.text("cbrne"), .text("env")]),
            "headline": .text("Shelter <now> & \"close\" windows"), "effective": .integer(1_764_000_000_123),
            "language": .text("de-CH"), "web": .text("https://example.org/a b"),
            "areas": .list([.map(["description": .text("Plant & surroundings"),
                                  "polygons": .list([.list([47_000_000, 8_000_000, 47_000_000, 8_100_001, 47_100_000, 8_100_001].map { .integer($0) })]),
                                  "circles": .list([.map(["lat": .integer(-1_500_000), "lon": .integer(0), "radius_m": .integer(2_500)])])])]),
        ]
        let alert = try CAPExport.capAlert(fields: fields, identifier: "vigil-1", sender: "node@example.org",
                                           sentMilliseconds: 1_764_000_000_999, references: [])
        #expect(alert.status == .exercise && alert.scope == .public && alert.msgType == .alert)
        #expect(alert.sent.text == "2025-11-24T16:00:00-00:00")
        let info = alert.infos[0]
        #expect(info.categories == [.cbrne, .env])
        #expect(info.urgency == .expected && info.severity == .moderate && info.certainty == .possible)
        #expect(info.web == "https://example.org/a%20b")
        #expect(info.areas[0].polygons[0].text == "47,8 47,8.100001 47.1,8.100001 47,8")
        #expect(info.areas[0].circles[0].text == "-1.5,0 2.5")
        let xml = CAPWriter.xml(alert)
        #expect(try XMLLint.problems(xml) == nil)
        #expect(try CAPParser.parse(xml) == alert)
    }

    @Test("export refuses bodies CAP cannot express, naming the field")
    func exportRefusals() {
        let base: FieldMap = ["event": .text("x"), "status": .text("actual"), "urgency": .text("past"),
                              "severity": .text("minor"), "certainty": .text("unlikely")]
        func refusal(_ f: FieldMap) -> CAPError? {
            do { _ = try CAPExport.capAlert(fields: f, identifier: "i", sender: "s", sentMilliseconds: 0); return nil } catch { return error }
        }
        #expect(refusal(base) == nil)
        var f = base; f["event"] = nil
        #expect(refusal(f)?.path == "event")
        f = base; f["status"] = .text("draft")
        #expect(refusal(f) == CAPError(path: "status", reason: "\"draft\" is not allowed; allowed: actual, exercise, test"))
        f = base; f["urgency"] = .text("Immediate")
        #expect(refusal(f)?.path == "urgency")
        f = base; f["categories"] = .list([.text("weather")])
        #expect(refusal(f)?.path == "categories[0]")
        f = base; f["areas"] = .list([.map(["description": .text("a"), "polygons": .list([.list([.integer(91_000_000), .integer(0)])])])])
        #expect(refusal(f)?.path == "areas[0].polygons[0][0]")
        f = base; f["areas"] = .list([.map(["description": .text("a"), "circles": .list([.map(["lat": .integer(0), "lon": .integer(0)])])])])
        #expect(refusal(f)?.path == "areas[0].circles[0]")
        f = base; f["expires"] = .integer(Int64.max)
        #expect(refusal(f)?.path == "expires")
        f = base; f["language"] = .text("English (UK)")
        #expect(refusal(f)?.path == "language")
    }
}
