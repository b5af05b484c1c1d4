import Foundation
import Testing
import VigilModel
@testable import VigilCAP

@Suite("CAP ↔ Vigil alert bodies")
struct AlertMappingTests {
    /// import → signed-body bytes → decoded on another node → export.
    static func crossed(_ data: Data) throws -> (body: CAPImportedAlert, exported: Data) {
        let body = try CAPImport.alertBody(fromXML: data)
        try KindSchemas.validate(.alert, body: try body.fields.encoded(), createdAt: nil)
        let other = try FieldMap(canonicalBytes: try body.fields.encoded())
        let alert = try CAPParser.parse(data)
        return (body, try CAPExport.xml(fields: other, identifier: alert.identifier, sender: alert.sender, sentMilliseconds: 0))
    }

    @Test("every sample: import → entry body on another node → export is equivalent and xmllint-valid")
    func everySample() throws {
        var exports: [Data] = []
        for name in CAPFixtures.samples {
            let data = try CAPFixtures.sample(name)
            let (_, exported) = try Self.crossed(data)
            #expect(CAPCanonical.difference(data, exported) == nil, "\(name)")
            exports.append(exported)
        }
        #expect(try XMLLint.problems(batch: exports) == [:])
    }

    @Test("the signed sample keeps both XML signatures, opaque and whole")
    func signatures() throws {
        let data = try CAPFixtures.sample("google_canada_signed.xml")
        let alert = try CAPParser.parse(data)
        #expect(alert.extensions.count == 2)
        #expect(alert.extensions.allSatisfy { $0.contains("SignatureValue") && $0.contains("http://www.w3.org/2000/09/xmldsig#") })
        let (body, exported) = try Self.crossed(data)
        guard case .map(let cap)? = body.fields["cap"] else { Issue.record("no cap"); return }
        #expect(cap["extensions"] == .list(alert.extensions.map(FieldValue.text)))
        #expect(try CAPParser.parse(exported).extensions == alert.extensions)
    }

    @Test("the A2 thunderstorm warning: the view field by field; geocodes and contact kept")
    func fieldByField() throws {
        let body = try CAPImport.alertBody(fromXML: try CAPFixtures.sample("oasis_spec_appendixA2.xml"))
        let f = body.fields
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
        guard case .list(let capAreas)? = f["cap_areas"], case .map(let capArea)? = capAreas.first,
              case .list(let geocodes)? = capArea["geocodes"], case .list(let infos)? = f["cap_infos"], case .map(let info)? = infos.first else {
            Issue.record("no CAP fields")
            return
        }
        #expect(geocodes.count == 3)
        #expect(capArea["polygons"] == .list([.text("38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14")]))
        #expect(info["contact"] == .text("BARUFFALDI/JUSKIE"))
        #expect(body.warnings.isEmpty)
    }

    @Test("categories, circles in metres, Geo → geo; Update keeps its references")
    func circlesAndCategories() throws {
        let au = try CAPImport.alertBody(fromXML: try CAPFixtures.sample("google_australia.xml")).fields
        #expect(au["categories"] == .list([.text("fire"), .text("met")]))
        guard case .list(let areas)? = au["areas"], case .map(let area)? = areas.first else { Issue.record("no area"); return }
        #expect(area["circles"] == .list([.map(["lat": .integer(-35_388_800), "lon": .integer(147_059_800), "radius_m": .integer(25_000)])]))
        let wc = try CAPImport.alertBody(fromXML: try CAPFixtures.sample("google_wcatwc-warning.xml"))
        #expect(wc.fields["categories"] == .list([.text("geo")]))
        #expect(wc.msgType == .update)
        #expect(wc.references == [CAPReference(sender: "PAAQ", identifier: "PAAQ-1-lqw6d6", sent: "2011-09-02T10:55:55-00:00")])
    }

    @Test("a headline over 160 characters is cut in the view, kept whole in the CAP fields")
    func longHeadline() throws {
        let wc = try CAPImport.alertBody(fromXML: try CAPFixtures.sample("google_wcatwc-warning.xml"))
        guard case .text(let headline)? = wc.fields["headline"] else { Issue.record("no headline"); return }
        #expect(headline.count == 160)
        #expect(headline.hasPrefix("The tsunami Warning continues in effect"))
        #expect(wc.warnings.contains { $0.contains("headline") && $0.contains("shows the first 160") })
        guard case .list(let infos)? = wc.fields["cap_infos"], case .map(let info)? = infos.first,
              case .text(let full)? = info["headline"] else { Issue.record("no cap headline"); return }
        #expect(full.count > 160)
    }

    @Test("two infos in two languages: one entry, the second language a translation")
    func twoInfos() throws {
        let body = try CAPImport.alertBody(fromXML: try CAPFixtures.sample("oasis_spec_appendixA4.xml"))
        #expect(body.fields["language"] == .text("en-US"))
        guard case .list(let translations)? = body.fields["translations"], case .map(let es)? = translations.first else {
            Issue.record("no translation"); return
        }
        #expect(translations.count == 1)
        #expect(es["language"] == .text("es-US"))
        #expect(es["event"] == .text("Abducción de Niño"))
    }

    @Test("every status, msgType and scope imports")
    func statuses() throws {
        var alert = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA1.xml"))
        for status in CAPStatus.allCases {
            alert.status = status
            #expect(try CAPImport.alertBody(from: alert).fields["status"] == .text(status.rawValue.lowercased()))
        }
        for msgType in CAPMsgType.allCases {
            alert.msgType = msgType
            #expect(try CAPImport.alertBody(from: alert).msgType == msgType)
        }
        for scope in CAPScope.allCases {
            alert.scope = scope
            let body = try CAPImport.alertBody(from: alert)
            #expect(body.warnings.contains { $0.contains("CAP scope") } == (scope != .public))
        }
    }

    @Test("schema-valid variants import and export equivalently: expires = onset, no <info>, Ack, Error, Restricted, Private")
    func schemaValidVariants() throws {
        let header = { (msgType: String, scope: String) in
            """
            <identifier>V-1</identifier><sender>ops@example.org</sender><sent>2024-05-01T10:00:00+02:00</sent>
              <status>Actual</status><msgType>\(msgType)</msgType><scope>\(scope)</scope>
            """
        }
        let onsetIsExpiry = CAPFixtures.info(area: "<onset>2024-05-01T12:00:00+02:00</onset><expires>2024-05-01T12:00:00+02:00</expires><area><areaDesc>Town</areaDesc></area>")
            .replacingOccurrences(of: "<certainty>Likely</certainty><onset>", with: "<certainty>Likely</certainty><onset>")
        let variants = [
            CAPFixtures.document(info: CAPFixtures.info(area: "")).replacingOccurrences(of: "<certainty>Likely</certainty>", with: "<certainty>Likely</certainty><onset>2024-05-01T12:00:00+02:00</onset><expires>2024-05-01T12:00:00+02:00</expires>"),
            CAPFixtures.document(info: ""),
            CAPFixtures.document(alertFields: header("Ack", "Public") + "<references>ops@example.org,T-1,2024-05-01T09:00:00+02:00</references>", info: ""),
            CAPFixtures.document(alertFields: header("Error", "Public") + "<note>unknown area code</note>", info: ""),
            CAPFixtures.document(alertFields: header("Cancel", "Public") + "<references>ops@example.org,T-1,2024-05-01T09:00:00+02:00</references>", info: ""),
            CAPFixtures.document(alertFields: header("Alert", "Restricted") + "<restriction>police only</restriction>"),
            CAPFixtures.document(alertFields: header("Alert", "Private") + "<addresses>a@example.org \"b c\"</addresses>"),
        ]
        _ = onsetIsExpiry
        var exports: [Data] = []
        for (i, doc) in variants.enumerated() {
            let data = Data(doc.utf8)
            #expect(try XMLLint.problems(batch: [data]) == [:], "variant \(i) is not schema-valid itself")
            let (_, exported) = try Self.crossed(data)
            #expect(CAPCanonical.difference(data, exported) == nil, "variant \(i)")
            exports.append(exported)
        }
        #expect(try XMLLint.problems(batch: exports) == [:])
        let first = try CAPImport.alertBody(fromXML: Data(variants[0].utf8)).fields
        #expect(first["onset"] != nil && first["onset"] == first["expires"])
    }

    @Test("a derefUri larger than an entry body is refused with the reason")
    func largeResource() throws {
        let big = String(repeating: "QUFB", count: 40_000)
        let info = CAPFixtures.info(area: "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><derefUri>\(big)</derefUri></resource>")
        #expect(throws: CAPError.self) { try CAPImport.alertBody(fromXML: Data(CAPFixtures.document(info: info).utf8)) }
        do { _ = try CAPImport.alertBody(fromXML: Data(CAPFixtures.document(info: info).utf8)) } catch {
            #expect(error.reason.contains("alert/info[0]/resource[0]/derefUri") && error.reason.contains("attachments"))
        }
        let small = CAPFixtures.info(area: "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><derefUri>\(big.prefix(40_000))</derefUri></resource>")
        let data = Data(CAPFixtures.document(info: small).utf8)
        #expect(CAPCanonical.difference(data, try Self.crossed(data).exported) == nil)
    }

    @Test("a Cancel imports and reports msgType and references")
    func cancel() throws {
        var alert = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA3.xml"))
        alert.msgType = .cancel
        let body = try CAPImport.alertBody(from: alert)
        #expect(body.msgType == .cancel)
        #expect(body.references.map(\.identifier) == ["TRI13970876.1"])
    }

    @Test("an info without area gets \"unspecified area\" in the view and a warning")
    func noArea() throws {
        let doc = CAPFixtures.document(info: CAPFixtures.info(area: ""))
        let body = try CAPImport.alertBody(fromXML: Data(doc.utf8))
        #expect(body.fields["areas"] == .list([.map(["description": .text("unspecified area")])]))
        #expect(body.warnings.contains { $0.contains("has no <area>") })
        #expect(body.fields["cap_areas"] == nil)
    }

    @Test("more than 32 areas: the view shows 32, the export all 33")
    func manyAreas() throws {
        let areas = String(repeating: "<area><areaDesc>x</areaDesc></area>", count: 33)
        let data = Data(CAPFixtures.document(info: CAPFixtures.info(area: areas)).utf8)
        let (body, exported) = try Self.crossed(data)
        guard case .list(let view)? = body.fields["areas"] else { Issue.record("no areas"); return }
        #expect(view.count == 32)
        #expect(body.warnings.contains { $0.contains("33 areas") })
        #expect(CAPCanonical.difference(data, exported) == nil)
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
        f = base; f["status"] = .text("urgent")
        #expect(refusal(f) == CAPError(path: "status", reason: "\"urgent\" is not allowed; allowed: actual, exercise, system, test, draft"))
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
