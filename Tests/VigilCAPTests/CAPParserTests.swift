import Foundation
import Testing
@testable import VigilCAP

@Suite("CAP 1.2 parser")
struct CAPParserTests {
    @Test("every sample parses", arguments: CAPFixtures.samples)
    func samplesParse(name: String) throws {
        let alert = try CAPParser.parse(try CAPFixtures.sample(name))
        #expect(!alert.identifier.isEmpty)
        #expect(!alert.infos.isEmpty)
    }

    @Test("values checked by hand against the files")
    func handChecked() throws {
        let a1 = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA1.xml"))
        #expect(a1.identifier == "43b080713727")
        #expect(a1.sender == "hsas@dhs.gov")
        #expect(a1.sent.text == "2003-04-02T14:39:01-05:00")
        #expect(a1.sent.milliseconds == 1_049_312_341_000)   // 2003-04-02T19:39:01Z
        #expect(a1.status == .actual && a1.msgType == .alert && a1.scope == .public)
        #expect(a1.infos.count == 1)
        #expect(a1.infos[0].event == "Homeland Security Advisory System Update")
        #expect(a1.infos[0].categories == [.security])
        #expect(a1.infos[0].parameters == [CAPValuePair(valueName: "HSAS", value: "ORANGE")])
        #expect(a1.infos[0].resources.first?.mimeType == "image/gif")
        #expect(a1.infos[0].areas.map(\.areaDesc) == ["U.S. nationwide and interests worldwide"])

        let a2 = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA2.xml"))
        #expect(a2.identifier == "KSTO1055887203")
        #expect(a2.infos[0].event == "SEVERE THUNDERSTORM")
        #expect(a2.infos[0].responseTypes == [.shelter])
        #expect(a2.infos[0].expires?.text == "2003-06-17T16:00:00-07:00")
        let polygon = try #require(a2.infos[0].areas.first?.polygons.first)
        #expect(polygon.points.count == 5)
        #expect(polygon.points[0] == CAPPoint(latitude: 38_470_000, longitude: -120_140_000))
        #expect(a2.infos[0].areas[0].geocodes.count == 3)

        let a3 = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA3.xml"))
        #expect(a3.msgType == .update)
        #expect(a3.parsedReferences == [CAPReference(sender: "trinet@caltech.edu", identifier: "TRI13970876.1", sent: "2003-06-11T20:30:00-07:00")])
        #expect(a3.infos[0].areas[0].circles == [CAPCircle(center: CAPPoint(latitude: 32_952_500, longitude: -115_552_700), radiusMillimetres: 0)])

        let a4 = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA4.xml"))
        #expect(a4.infos.map(\.language) == ["en-US", "es-US"])
        #expect(a4.infos[1].event == "Abducción de Niño")
        #expect(a4.source == "SW")

        let au = try CAPParser.parse(try CAPFixtures.sample("google_australia.xml"))
        #expect(au.identifier == "tag:www.rfs.nsw.gov.au2011-10-06:40184")
        #expect(au.codes == ["urn:oasis:names:tc:emergency:cap:1.2:profile:CAP-AU:1.0"])
        #expect(au.infos[0].categories == [.fire, .met])
        #expect(au.infos[0].description?.hasPrefix("ALERT LEVEL: Not Applicable<br />LOCATION") == true)
        #expect(au.infos[0].parameters.first { $0.valueName == "AllocatedResources" }?.value == "")
        #expect(au.infos[0].areas[0].circles == [CAPCircle(center: CAPPoint(latitude: -35_388_800, longitude: 147_059_800), radiusMillimetres: 25_000_000)])

        let ca = try CAPParser.parse(try CAPFixtures.sample("google_canada_signed.xml"))
        #expect(ca.identifier == "2.49.0.1.124.f2c83f5f.2013")
        #expect(ca.sender == "cap-pac@ec.gc.ca")
        #expect(ca.sent.milliseconds == 1_359_062_760_000)   // 2013-01-24T21:26:00Z
        #expect(ca.restriction == "" && ca.addresses == "" && ca.note == "" && ca.incidents == "")
        #expect(ca.parsedReferences.count == 9)
        #expect(ca.infos[0].event == "snowfall")
        #expect(ca.infos[0].instruction == "\"Please monitor for further updates to this alert.\"")

        let wc = try CAPParser.parse(try CAPFixtures.sample("google_wcatwc-warning.xml"))
        #expect(wc.identifier == "PAAQ-2-lqw6d6")
        #expect(wc.infos[0].event == "Tsunami Warning")
        #expect(wc.infos[0].categories == [.geo])
        #expect(wc.infos[0].severity == .extreme && wc.infos[0].urgency == .immediate)
    }

    @Test("the invalid sample is refused: scope is missing")
    func invalidSample() throws {
        let error = try #require(CAPFixtures.refusal(try CAPFixtures.invalid()))
        #expect(error.path == "alert/scope")
        #expect(error.reason.contains("required element <scope>"))
        #expect(error.reason.contains("Public, Restricted, Private"))
        #expect(error.reason.contains("found <info>"))
    }
}
