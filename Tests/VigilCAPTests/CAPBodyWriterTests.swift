import Foundation
import Testing
@testable import VigilModel
@testable import VigilCAP

/// The import's fast paths for the entry body: the bytes written straight from the model
/// (`CAPBodyWriter`) against the general path (`CAPBody.store` into the view's `FieldMap`, then
/// `FieldMap.encoded()`), and validation of the view only (`CAPImportedAlert.validate()`) against the
/// schema's validation of the whole body.
@Suite("CAP import: body written from the model, validation by construction")
struct CAPBodyWriterTests {
    static let seeds: [UInt64] = Array(1...400)

    static let sent = CAPDateTime("2024-05-01T10:00:00+02:00")!

    /// Messages made by hand: what the parser never gives (texts as computed, empty lists, an empty
    /// identifier, a negative size) and every optional element at once.
    static var handMade: [(String, CAPAlert)] {
        let point = { (lat: Int64, lon: Int64) in CAPPoint(latitude: lat, longitude: lon) }
        func alert(area: CAPArea) -> CAPAlert {
            CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                     infos: [CAPInfo(categories: [.met], event: "e", urgency: .past, severity: .minor, certainty: .likely, areas: [area])])
        }
        let polygon = CAPPolygon(points: [CAPPoint(latitude: 1, longitude: 2), CAPPoint(latitude: 3, longitude: 4),
                                          CAPPoint(latitude: 5, longitude: 6), CAPPoint(latitude: 1, longitude: 2)])
        let circle = CAPCircle(center: CAPPoint(latitude: 50_500_000, longitude: 4_250_000), radiusMillimetres: 2_500_000)
        let pair = CAPValuePair(valueName: "NIS", value: "11002")
        let full = CAPInfo(language: "nl-BE", categories: [.met, .safety, .met], event: "Overstroming", responseTypes: [.shelter, .monitor],
                           urgency: .immediate, severity: .severe, certainty: .likely, audience: "iedereen", eventCodes: [pair],
                           effective: sent, onset: sent, expires: CAPDateTime("2024-05-01T12:00:00+02:00"), senderName: "NCC",
                           headline: "Water", description: "Het water stijgt.", instruction: "Blijf binnen.", web: "https://x.be",
                           contact: "112", parameters: [pair, pair],
                           resources: [CAPResource(resourceDesc: "map", mimeType: "image/png", size: 7, uri: "https://x.be/m.png",
                                                   derefUri: "aGVsbG8=", digest: "da39"),
                                       CAPResource(resourceDesc: "", mimeType: "")],
                           areas: [CAPArea(areaDesc: "Antwerpen", polygons: [polygon], circles: [circle], geocodes: [pair, pair],
                                           altitude: "0", ceiling: "1500"),
                                   CAPArea(areaDesc: "")])
        let bare = CAPInfo(categories: [], event: "", urgency: .unknown, severity: .unknown, certainty: .unknown)
        var everything = CAPAlert(identifier: "A-1", sender: "ncc@example.be", sent: sent, status: .exercise, msgType: .update,
                                  source: "desk", scope: .restricted, restriction: "officers", addresses: "a b", codes: ["x", ""],
                                  note: "", references: "s,i,2024-05-01T09:00:00+02:00", incidents: "inc-1",
                                  infos: [full, bare, full], extensions: ["<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>"])
        everything.infos[2].language = "fr-BE"
        return [
            ("every element", everything),
            ("no info", CAPAlert(identifier: "A-2", sender: "s", sent: sent, status: .actual, msgType: .ack)),
            ("a bare info", CAPAlert(identifier: "A-3", sender: "s", sent: sent, status: .draft, msgType: .alert, infos: [bare])),
            ("an empty identifier", CAPAlert(identifier: "", sender: "s", sent: sent, status: .actual, msgType: .alert, infos: [full])),
            ("an empty sender", CAPAlert(identifier: "i", sender: "", sent: sent, status: .actual, msgType: .alert, infos: [full])),
            ("a negative size", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                                         infos: [CAPInfo(categories: [.met], event: "e", urgency: .past, severity: .minor, certainty: .likely,
                                                         resources: [CAPResource(resourceDesc: "r", mimeType: "m", size: -1)])])),
            ("65 signatures", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                                       extensions: Array(repeating: "<ds:Signature/>", count: 65))),
            ("64 signatures", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                                       extensions: Array(repeating: "<ds:Signature/>", count: 64))),
            ("an empty signature", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert, extensions: [""])),
            ("a signature of 32,769 characters", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                                                          extensions: [String(repeating: "x", count: 32_769)])),
            ("a signature of 32,768 characters", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                                                          extensions: [String(repeating: "x", count: 32_768)])),
            // What the view's by-construction check (AlertView.meetsSchema) looks at: the parser never gives these.
            ("an open polygon", alert(area: CAPArea(areaDesc: "a", polygons: [CAPPolygon(points: [point(1, 2), point(3, 4), point(5, 6), point(7, 8)])]))),
            ("a polygon of 3 points", alert(area: CAPArea(areaDesc: "a", polygons: [CAPPolygon(points: [point(1, 2), point(3, 4), point(1, 2)])]))),
            ("a polygon point out of range", alert(area: CAPArea(areaDesc: "a", polygons: [CAPPolygon(points: [point(1, 2), point(91_000_000, 4), point(5, 6), point(1, 2)])]))),
            ("a circle centre out of range", alert(area: CAPArea(areaDesc: "a", circles: [CAPCircle(center: point(0, 181_000_000), radiusMillimetres: 1000)]))),
            ("a negative radius", alert(area: CAPArea(areaDesc: "a", circles: [CAPCircle(center: point(0, 0), radiusMillimetres: -2000)]))),
            ("a signature of 20,000 two-byte characters", CAPAlert(identifier: "i", sender: "s", sent: sent, status: .actual, msgType: .alert,
                                                                   extensions: [String(repeating: "é", count: 20_000)])),
        ]
    }

    /// Documents whose view the alert schema refuses, or that reach the schema's limits of the CAP fields.
    static var documents: [(String, Data)] {
        func document(sent: String = "2024-05-01T10:00:00+02:00", info: String) -> Data {
            Data(CAPFixtures.document(alertFields: """
                <identifier>T-1</identifier><sender>ops@example.org</sender><sent>\(sent)</sent>
                  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
                """, info: info).utf8)
        }
        let late = "9999-12-31T23:59:59-14:00"
        let signature = "<ds:Signature Id=\"s\">\(String(repeating: "Q", count: 32_700))</ds:Signature>"
        return [
            ("effective after 9999", document(info: CAPFixtures.info().replacingOccurrences(of: "<certainty>Likely</certainty>", with: "<certainty>Likely</certainty><effective>\(late)</effective>"))),
            ("onset and expires after 9999", document(info: CAPFixtures.info().replacingOccurrences(of: "<certainty>Likely</certainty>", with: "<certainty>Likely</certainty><onset>\(late)</onset><expires>\(late)</expires>"))),
            ("sent after 9999", document(sent: late, info: CAPFixtures.defaultInfo)),
            ("a signature that grows past 32,768 bytes with its inherited declaration",
             Data("""
                <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\
                <identifier>T</identifier><sender>s</sender><sent>2024-05-01T10:00:00+02:00</sent><status>Actual</status>\
                <msgType>Alert</msgType><scope>Public</scope>\(signature)</alert>
                """.utf8)),
        ]
    }

    /// Every sample, the generated alerts, the documents above and the hand-made messages.
    static func alerts() throws -> [(String, CAPAlert)] {
        var result: [(String, CAPAlert)] = []
        for name in CAPFixtures.samples { result.append((name, try CAPParser.parse(try CAPFixtures.sample(name)))) }
        for seed in seeds {
            var g = CAPGenerator(seed: seed)
            result.append(("seed \(seed)", try CAPParser.parse(Data(g.document().utf8))))
        }
        for (name, data) in documents { result.append((name, try CAPParser.parse(data))) }
        return result + handMade
    }

    @Test("the body written from the model is byte for byte the general path's, on samples, 400 generated alerts and edge cases")
    func sameBytes() throws {
        var written = 0
        for (name, alert) in try Self.alerts() + Self.warned {
            let view = CAPImport.alertView(of: alert)
            let general = try CAPImport.generalBody(view: view.fields, alert: alert)
            let fast = CAPBodyWriter.body(view: view, alert: alert, capacity: 0)
            #expect(fast == general, "\(name)")
            if fast != nil { written += 1 }
            if general.count <= EntryLimits.maxBodyBytes {
                let imported = try CAPImport.alertBody(from: alert)
                #expect(imported.body == general, "\(name)")
                #expect(try imported.fields.encoded() == general, "\(name)")
            }
        }
        #expect(written == CAPFixtures.samples.count + Self.seeds.count + Self.documents.count + Self.handMade.count + Self.warned.count)
    }

    /// Messages whose view is cut, left out or warned about in every way `CAPImport.view(of:)` knows.
    static var warned: [(String, CAPAlert)] {
        let point = { (lat: Int64, lon: Int64) in CAPPoint(latitude: lat, longitude: lon) }
        let ring = [point(1, 2), point(3, 4), point(5, 6), point(1, 2)]
        let big = CAPPolygon(points: (0..<600).map { point(Int64($0), 7) } + [point(0, 7)])
        let far = CAPCircle(center: point(0, 0), radiusMillimetres: 30_000_000_000)
        let near = CAPCircle(center: point(50_000_000, 4_000_000), radiusMillimetres: 1_499)
        let old = CAPDateTime("1969-12-31T23:59:59-00:00")!
        let late = CAPDateTime("2024-05-01T12:00:00+02:00")!, early = CAPDateTime("2024-05-01T08:00:00+02:00")!
        var info = CAPInfo(language: "x-klingon-tlhIngan", categories: [.met, .met, .fire, .met], event: "   ", urgency: .future,
                           severity: .moderate, certainty: .possible, effective: late, onset: old, expires: early,
                           senderName: String(repeating: "s", count: 201), headline: String(repeating: "h", count: 161),
                           description: "\n", instruction: String(repeating: "ï", count: 20_001), web: String(repeating: "w", count: 1001))
        info.areas = (0..<40).map { k in
            CAPArea(areaDesc: k == 1 ? "" : String(repeating: "a", count: k == 2 ? 1001 : 5),
                    polygons: k == 0 ? [big] + Array(repeating: CAPPolygon(points: ring), count: 33) : [CAPPolygon(points: ring)],
                    circles: k == 0 ? [far] + Array(repeating: near, count: 33) : [near])
        }
        var second = info
        second.language = "fr-BE"
        second.event = "Inondation"
        var third = info
        third.language = "FR-be"
        var fourth = info
        fourth.language = "nl"
        fourth.headline = "Overstroming"
        let ids = String(repeating: "i", count: 300)
        var many = CAPAlert(identifier: ids, sender: ids, sent: old, status: .test, msgType: .cancel, scope: .private, infos: [info, second, third, fourth])
        many.infos += (0..<20).map { k in var t = fourth; t.language = "de-\(k)"; return t }
        var plain = CAPAlert(identifier: "i", sender: "s", sent: Self.sent, status: .system, msgType: .error, scope: .restricted,
                             infos: [CAPInfo(language: "en-US", categories: [.other], event: "e", urgency: .expected, severity: .extreme,
                                             certainty: .observed, effective: early, onset: early, expires: early)])
        plain.infos.append(CAPInfo(language: "EN-us", categories: [.cbrne], event: "x", urgency: .past, severity: .minor, certainty: .unlikely))
        return [("everything warned", many), ("expires equal to onset, a repeated language", plain),
                ("no language", CAPAlert(identifier: "i", sender: "s", sent: Self.sent, status: .actual, msgType: .alert,
                                         infos: [CAPInfo(categories: [.geo], event: "e", urgency: .past, severity: .minor, certainty: .likely),
                                                 CAPInfo(language: "en-us", categories: [.geo], event: "f", urgency: .past, severity: .minor, certainty: .likely)]))]
    }

    @Test("the view, set in name order, is the view as it was set before, warnings and their order included")
    func sameView() throws {
        for (name, alert) in try Self.alerts() + Self.warned {
            let (view, warnings) = CAPImport.view(of: alert)
            let (reference, referenceWarnings) = ReferenceView.view(of: alert)
            #expect(view == reference, "\(name)")
            #expect(warnings == referenceWarnings, "\(name)")
        }
        let (_, warnings) = CAPImport.view(of: Self.warned[0].1)
        #expect(warnings.count > 20)
    }

    @Test("a list over 1,024 items: the writer leaves it to the general path, which names the field")
    func overLimits() throws {
        let pair = CAPValuePair(valueName: "n", value: "v")
        let info = CAPInfo(categories: [.met], event: "e", urgency: .past, severity: .minor, certainty: .likely)
        func alert(_ change: (inout CAPAlert) -> Void) -> CAPAlert {
            var a = CAPAlert(identifier: "i", sender: "s", sent: Self.sent, status: .actual, msgType: .alert, infos: [info])
            change(&a)
            return a
        }
        let cases: [(String, CAPAlert, String)] = [
            ("geocodes", alert { $0.infos[0].areas = [CAPArea(areaDesc: "a", geocodes: Array(repeating: pair, count: 1025))] }, "body.cap_areas[0].geocodes"),
            ("codes", alert { $0.codes = Array(repeating: "c", count: 1025) }, "body.cap.codes"),
            ("categories", alert { $0.infos[0].categories = Array(repeating: .met, count: 1025) }, "body.cap_infos[0].categories"),
            ("infos", alert { $0.infos = Array(repeating: info, count: 1025) }, "body.cap_infos"),
            ("areas over infos", alert { $0.infos = Array(repeating: info, count: 2); $0.infos[0].areas = Array(repeating: CAPArea(areaDesc: "a"), count: 600); $0.infos[1].areas = Array(repeating: CAPArea(areaDesc: "a"), count: 600) }, "body.cap_areas"),
            ("parameters", alert { $0.infos[0].parameters = Array(repeating: pair, count: 1025) }, "body.cap_infos[0].parameters"),
        ]
        for (name, a, field) in cases {
            let view = CAPImport.alertView(of: a)
            #expect(CAPBodyWriter.body(view: view, alert: a, capacity: 0) == nil, "\(name)")
            var general: CAPError?
            do { _ = try CAPImport.generalBody(view: view.fields, alert: a) } catch { general = error }
            var imported: CAPError?
            do { _ = try CAPImport.alertBody(from: a) } catch { imported = error }
            #expect(general != nil && imported == general, "\(name)")
            #expect(imported?.reason.contains(field) == true, "\(name): \(imported.map { "\($0)" } ?? "accepted")")
        }
    }

    static func outcome(_ check: () throws(KindValidationError) -> Void) -> KindValidationError? {
        do { try check() } catch { return error }
        return nil
    }

    @Test("validating the view gives the schema's result for the whole body, refusals included")
    func sameValidation() throws {
        var refused: [String: String] = [:]
        for (name, alert) in try Self.alerts() + Self.warned {
            guard let imported = try? CAPImport.alertBody(from: alert) else { continue }
            let full = Self.outcome { () throws(KindValidationError) in try KindSchemas.validate(.alert, imported.fields, createdAt: nil) }
            let fast = Self.outcome { () throws(KindValidationError) in try imported.validate() }
            #expect(fast == full, "\(name)")
            if let full { refused[name] = full.field }
        }
        #expect(refused == [
            "a bare info": "categories",
            "an open polygon": "areas[0].polygons[0]", "a polygon of 3 points": "areas[0].polygons[0]",
            "a polygon point out of range": "areas[0].polygons[0][2]", "a circle centre out of range": "areas[0].circles[0].lon",
            "a negative radius": "areas[0].circles[0].radius_m",
            "a signature that grows past 32,768 bytes with its inherited declaration": "cap.extensions[0]",
            "an empty identifier": "cap.identifier", "an empty sender": "cap.sender", "a negative size": "cap_resources[0].size",
            "65 signatures": "cap.extensions", "an empty signature": "cap.extensions[0]",
            "a signature of 32,769 characters": "cap.extensions[0]",
        ])
    }

    @Test("every parsed document's view meets the schema by construction, so validate() checks nothing more for it")
    func parsedViewsMeetSchema() throws {
        for (name, alert) in try Self.alerts() where !Self.handMade.contains(where: { $0.0 == name }) {
            let imported = try CAPImport.alertBody(from: alert)
            #expect(imported.viewMeetsSchema, "\(name)")
        }
    }

    @Test("a CAP time after 9999 in UTC (the year 9999 with a negative offset) imports, left out of the view with a warning")
    func afterYear9999() throws {
        for (name, data) in Self.documents where name.contains("9999") {
            let imported = try CAPImport.alertBody(fromXML: data)
            try imported.validate()
            #expect(imported.warnings.contains { $0.contains("is after 9999 in UTC; the Vigil view leaves it out") }, "\(name)")
            #expect(try CAPBody.alert(from: imported.fields) == imported.alert, "\(name)")
        }
    }

    @Test("the view's enumeration values are the CAP values in lower case")
    func vigilNames() {
        #expect(CAPStatus.allCases.allSatisfy { $0.vigilName == $0.rawValue.lowercased() })
        #expect(CAPUrgency.allCases.allSatisfy { $0.vigilName == $0.rawValue.lowercased() })
        #expect(CAPSeverity.allCases.allSatisfy { $0.vigilName == $0.rawValue.lowercased() })
        #expect(CAPCertainty.allCases.allSatisfy { $0.vigilName == $0.rawValue.lowercased() })
        #expect(CAPCategory.allCases.allSatisfy { $0.vigilName == $0.rawValue.lowercased() })
    }

    /// A field type with everything validation looks at: ranges, checks, required fields, nesting.
    static func shape(_ type: FieldType) -> String {
        switch type {
        case let .text(range, check): "text \(range)\(check == nil ? "" : " checked")"
        case let .integer(range, _): "integer \(range)"
        case let .list(item, count, unique): "list \(count)\(unique ? " unique" : "") of \(shape(item))"
        case .map(let schema): "{" + schema.fields.map { "\($0.name)\($0.required ? "" : "?") \(shape($0.type))" }.joined(separator: ", ") + "}"
        default: "\(type)"
        }
    }

    @Test("the alert schema's CAP fields and rules are those CAPImportedAlert.validate() was written for (if this fails, revisit capFieldsMeetSchema)")
    func capSchemaAssumptions() throws {
        let schema = KindCatalog.alert.body
        let shapes = CAPBody.fieldNames.map { name in "\(name)\(schema.spec(name)!.required ? "" : "?") \(Self.shape(schema.spec(name)!.type))" }
        #expect(shapes == Self.capShapes)
        #expect(schema.rules.map(\.doc) == [
            "expires is not before effective: an alert must not expire before it takes effect",
            "expires is not before onset: an alert must not expire before the event's onset",
            "each translation has its own language, other than the body's language",
            "cap_infos, cap_resources and cap_areas come with cap; each resource and area names one of the cap_infos",
        ])
        #expect(EntryLimits.maxBodyBytes == 122_880 && FieldMap.Limits.maxListItems == 1024)
    }

    static let capShapes = [
        "cap? {identifier text 1...122880, sender text 1...122880, sent text 0...122880, status text 1...16, msg_type text 1...16, "
            + "source? text 0...122880, scope text 1...16, restriction? text 0...122880, addresses? text 0...122880, "
            + "codes? list 0...1024 of text 0...122880, note? text 0...122880, references? text 0...122880, incidents? text 0...122880, "
            + "extensions? list 0...64 of text 1...32768}",
        "cap_infos? list 0...1024 of {language? text 0...122880, categories list 0...1024 of text 1...16, event text 0...122880, "
            + "response_types? list 0...1024 of text 1...16, urgency text 1...16, severity text 1...16, certainty text 1...16, "
            + "audience? text 0...122880, event_codes? list 0...1024 of {name text 0...122880, value text 0...122880}, "
            + "effective? text 0...122880, onset? text 0...122880, expires? text 0...122880, sender_name? text 0...122880, "
            + "headline? text 0...122880, description? text 0...122880, instruction? text 0...122880, web? text 0...122880, "
            + "contact? text 0...122880, parameters? list 0...1024 of {name text 0...122880, value text 0...122880}}",
        "cap_resources? list 0...1024 of {info integer 0...1023, resource_desc text 0...122880, mime_type text 0...122880, "
            + "size? integer 0...9223372036854775807, uri? text 0...122880, deref_uri? text 0...122880, digest? text 0...122880}",
        "cap_areas? list 0...1024 of {info integer 0...1023, area_desc text 0...122880, polygons? list 0...1024 of text 0...122880, "
            + "circles? list 0...1024 of text 0...122880, geocodes? list 0...1024 of {name text 0...122880, value text 0...122880}, "
            + "altitude? text 0...122880, ceiling? text 0...122880}",
    ]
}
