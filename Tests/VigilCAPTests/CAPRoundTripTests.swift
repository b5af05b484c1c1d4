import Foundation
import Testing
import VigilModel
@testable import VigilCAP

@Suite("CAP without loss: generated alerts, canonical comparison, languages")
struct CAPRoundTripTests {
    static let seeds: [UInt64] = Array(1...80)

    @Test("the generator writes every element of cap12.xsd")
    func generatorCoversSchema() throws {
        let xsd = try String(contentsOf: CAPFixtures.schema, encoding: .utf8)
        let schema = CAPGenerator.schemaElements(xsd)
        #expect(schema.count == 50)
        #expect(schema == CAPGenerator.elements)
        var used: Set<String> = []
        for seed in Self.seeds {
            var g = CAPGenerator(seed: seed)
            _ = g.document()
            used.formUnion(g.used)
        }
        #expect(schema.subtracting(used).isEmpty, "never generated: \(schema.subtracting(used).sorted())")
    }

    @Test("generated alerts, many seeds: schema-valid; import → other node → export is equivalent and schema-valid")
    func generatedRoundTrip() throws {
        var inputs: [Data] = [], exports: [Data] = []
        for seed in Self.seeds {
            var g = CAPGenerator(seed: seed)
            let data = Data(g.document().utf8)
            inputs.append(data)
            let body = try CAPImport.alertBody(fromXML: data)
            try KindSchemas.validate(.alert, body: try body.fields.encoded(), createdAt: nil)
            let crossed = try FieldMap(canonicalBytes: try body.fields.encoded())
            let exported = try CAPExport.xml(fields: crossed, identifier: "ignored", sender: "ignored", sentMilliseconds: 0)
            #expect(CAPCanonical.difference(data, exported) == nil, "seed \(seed)")
            exports.append(exported)
        }
        #expect(try XMLLint.problems(batch: inputs) == [:], "the generator wrote invalid CAP")
        #expect(try XMLLint.problems(batch: exports) == [:])
    }

    @Test("canonical form: prefixes, whitespace, free order and encodings do not count; content does")
    func canonical() throws {
        let a = Data(CAPFixtures.document(info: CAPFixtures.info() + CAPFixtures.info(event: "Storm")).utf8)
        let prefixed = CAPFixtures.document(info: CAPFixtures.info(event: "Storm") + CAPFixtures.info())
            .replacingOccurrences(of: "<alert xmlns=", with: "<c:alert xmlns:c=").replacingOccurrences(of: "</alert>", with: "</c:alert>")
            .replacingOccurrences(of: "<(/?)([a-zA-Z]+)>", with: "<$1c:$2>", options: .regularExpression)
            .replacingOccurrences(of: "<event>", with: "<event>\n  ")
        #expect(CAPCanonical.difference(a, Data(prefixed.utf8)) == nil)
        let latin1 = CAPFixtures.document(info: CAPFixtures.info(event: "Überschwemmung")).replacingOccurrences(of: "UTF-8", with: "ISO-8859-1")
        let utf8 = CAPFixtures.document(info: CAPFixtures.info(event: "Überschwemmung"))
        #expect(CAPCanonical.equivalent(try #require(latin1.data(using: .isoLatin1)), Data(utf8.utf8)))
        #expect(!CAPCanonical.equivalent(a, Data(CAPFixtures.document(info: CAPFixtures.info() + CAPFixtures.info(event: "Storms")).utf8)))
        #expect(!CAPCanonical.equivalent(a, Data(CAPFixtures.document(info: CAPFixtures.info()).utf8)))
        let inner = CAPFixtures.document(info: CAPFixtures.info(event: "a b"))
        #expect(!CAPCanonical.equivalent(Data(inner.utf8), Data(inner.replacingOccurrences(of: "a b", with: "a  b").utf8)))
        let polygon = { (p: String) in CAPFixtures.document(info: CAPFixtures.info(area: "<area><areaDesc>x</areaDesc><polygon>\(p)</polygon></area>")) }
        #expect(CAPCanonical.equivalent(Data(polygon("1,1 2,2 3,1 1,1").utf8), Data(polygon("\n 1,1\n2,2  3,1 1,1 ").utf8)))
        #expect(!CAPCanonical.equivalent(Data(polygon("1,1 2,2 3,1 1,1").utf8), Data(polygon("1,1 2,2 3,2 1,1").utf8)))
        let signature = { (v: String) in CAPFixtures.document().replacingOccurrences(of: "</alert>", with: "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignatureValue>\(v)</ds:SignatureValue></ds:Signature></alert>") }
        #expect(!CAPCanonical.equivalent(Data(signature("AAAA").utf8), Data(signature("AAAB").utf8)))
        #expect(CAPCanonical.equivalent(Data(signature("AAAA").utf8), Data(signature("AAAA").replacingOccurrences(of: "ds:", with: "sig:").replacingOccurrences(of: "xmlns:ds", with: "xmlns:sig").utf8)))
        #expect(CAPCanonical.difference(a, Data("<x/>".utf8)) != nil)
        #expect(!CAPCanonical.equivalent(Data("not xml".utf8), Data("not xml".utf8)))
    }

    static let threeLanguages = CAPFixtures.document(info: ["nl-BE": "Overstroming", "fr-BE": "Inondation", "de-BE": "Hochwasser"].sorted { $0.key > $1.key }.map { lang, event in
        "<info><language>\(lang)</language><category>Met</category><event>\(event)</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty><headline>\(event) Schelde</headline><area><areaDesc>Antwerpen</areaDesc></area></info>"
    }.joined())

    @Test("a three-language alert round-trips; the view picks a language and falls back")
    func threeLanguages() throws {
        let data = Data(Self.threeLanguages.utf8)
        let body = try CAPImport.alertBody(fromXML: data)
        #expect(body.fields["language"] == .text("nl-BE"))
        #expect(LocalizedText.languages(.alert, body.fields) == ["nl-BE", "fr-BE", "de-BE"])
        let crossed = try FieldMap(canonicalBytes: try body.fields.encoded())
        let exported = try CAPExport.xml(fields: crossed, identifier: "x", sender: "y", sentMilliseconds: 0)
        #expect(CAPCanonical.difference(data, exported) == nil)
        #expect(try XMLLint.problems(batch: [exported]) == [:])
        #expect(LocalizedText.localized(.alert, body.fields, preferred: ["fr"], fallback: "en").fields["event"] == .text("Inondation"))
        #expect(LocalizedText.localized(.alert, body.fields, preferred: ["de-DE"], fallback: "en").fields["headline"] == .text("Hochwasser Schelde"))
        let fallback = LocalizedText.localized(.alert, body.fields, preferred: ["it"], fallback: "fr-BE")
        #expect(fallback.language == "fr-BE" && fallback.fields["event"] == .text("Inondation"))
        let none = LocalizedText.localized(.alert, body.fields, preferred: ["it"], fallback: "en")
        #expect(none.language == "nl-BE" && none.fields["event"] == .text("Overstroming"))
    }

    @Test("a Vigil alert with translations exports one <info> per language, and reads back")
    func vigilTranslations() throws {
        let fields = try KindSchemas.fields(fromJSON: Data("""
            {"event": "Overstroming", "status": "actual", "urgency": "immediate", "severity": "severe", "certainty": "likely",
             "categories": ["met"], "areas": [{"description": "Antwerpen"}], "language": "nl-BE", "headline": "Blijf binnen",
             "translations": [{"language": "fr-BE", "event": "Inondation", "headline": "Restez à l'intérieur"},
                              {"language": "de-BE", "event": "Hochwasser"}]}
            """.utf8), kind: .alert)
        let alert = try CAPExport.capAlert(fields: fields, identifier: "v-1", sender: "ncc@vigil", sentMilliseconds: 1_764_000_000_000)
        #expect(alert.infos.map(\.language) == ["nl-BE", "fr-BE", "de-BE"])
        #expect(alert.infos.map(\.headline) == ["Blijf binnen", "Restez à l'intérieur", "Blijf binnen"])
        let xml = CAPWriter.xml(alert)
        #expect(try XMLLint.problems(batch: [xml]) == [:])
        let back = try CAPImport.alertBody(fromXML: xml)
        #expect(back.fields["translations"] == fields["translations"].map { _ in
            .list([.map(["language": .text("fr-BE"), "event": .text("Inondation"), "headline": .text("Restez à l'intérieur")]),
                   .map(["language": .text("de-BE"), "event": .text("Hochwasser"), "headline": .text("Blijf binnen")])])
        })
    }

    @Test("malformed CAP body fields are refused on export, naming the field")
    func malformedBodyFields() throws {
        let good = try CAPImport.alertBody(fromXML: try CAPFixtures.sample("oasis_spec_appendixA2.xml")).fields
        func refusal(_ change: (inout FieldMap) -> Void) -> String? {
            var f = good
            change(&f)
            do { _ = try CAPBody.alert(from: f); return nil } catch { return error.path }
        }
        #expect(refusal { _ in } == nil)
        #expect(refusal { $0["cap"] = .text("x") } == "cap")
        #expect(refusal { f in if case .map(var m)? = f["cap"] { m["msg_type"] = .text("Alarm"); f["cap"] = .map(m) } } == "cap.msg_type")
        #expect(refusal { f in if case .map(var m)? = f["cap"] { m["sent"] = .text("yesterday"); f["cap"] = .map(m) } } == "cap.sent")
        #expect(refusal { $0["cap_infos"] = .list([.integer(1)]) } == "cap_infos[0]")
        #expect(refusal { $0["cap_areas"] = .list([.map(["info": .integer(5), "area_desc": .text("x")])]) } == "cap_areas[0].info")
        #expect(refusal { $0["cap_areas"] = .list([.map(["info": .integer(0), "area_desc": .text("x"), "polygons": .list([.text("1,1 2,2")])])]) } == "cap_areas[0].polygons[0]")
        #expect(refusal { $0["cap_resources"] = .list([.map(["info": .integer(0), "resource_desc": .text("x")])]) } == "cap_resources[0].mime_type")
        #expect(refusal { f in
            guard case .list(var infos)? = f["cap_infos"], case .map(var info) = infos[0] else { return }
            info["categories"] = .list([.text("Weather")]); infos[0] = .map(info); f["cap_infos"] = .list(infos)
        } == "cap_infos[0].categories[0]")
        #expect(try CAPBody.alert(from: ["event": .text("no CAP here")]) == nil)
    }

    @Test("an imported alert amended in Vigil exports as an Update that carries the amendment, the rest unchanged")
    func amendedImport() throws {
        let data = try CAPFixtures.sample("oasis_spec_appendixA2.xml")
        var fields = try CAPImport.alertBody(fromXML: data).fields
        let original = try CAPExport.capAlert(fields: fields, identifier: "x", sender: "y", sentMilliseconds: 0, msgType: .update)
        #expect(try CAPParser.parse(data).infos == original.infos, "no amendment: the message is unchanged")
        fields["headline"] = .text("SEVERE THUNDERSTORM WARNING EXTENDED")
        fields["severity"] = .text("extreme")
        let update = try CAPExport.capAlert(fields: fields, identifier: "KSTO1055887203-2", sender: "KSTO@NWS.NOAA.GOV",
                                            sentMilliseconds: 1_055_890_000_000, msgType: .update,
                                            references: [CAPReference(sender: "KSTO@NWS.NOAA.GOV", identifier: "KSTO1055887203", sent: "2003-06-17T14:57:00-07:00")])
        #expect(update.msgType == .update && update.identifier == "KSTO1055887203-2")
        #expect(update.infos[0].headline == "SEVERE THUNDERSTORM WARNING EXTENDED" && update.infos[0].severity == .extreme)
        var expected = try CAPParser.parse(data).infos[0]
        expected.headline = update.infos[0].headline
        expected.severity = .extreme
        #expect(update.infos[0] == expected)
        #expect(try XMLLint.problems(batch: [CAPWriter.xml(update)]) == [:])
    }
}
