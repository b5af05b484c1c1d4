import Foundation
import Testing
@testable import VigilCAP

@Suite("CAP 1.2 writer")
struct CAPWriterTests {
    @Test("xmllint is installed (the schema tests need it)")
    func xmllintPresent() {
        let found = XMLLint.candidates.contains { FileManager.default.isExecutableFile(atPath: $0) }
        #expect(found, "xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils)")
    }

    @Test("parse → write → xmllint-valid → parse gives an equal model", arguments: CAPFixtures.samples)
    func roundTrip(name: String) throws {
        let alert = try CAPParser.parse(try CAPFixtures.sample(name))
        let xml = CAPWriter.xml(alert)
        let problems = try XMLLint.problems(xml)
        #expect(problems == nil, "\(name): \(problems ?? "")")
        let again = try CAPParser.parse(xml)
        #expect(again == alert)
        #expect(CAPWriter.xml(again) == xml, "writing is deterministic and idempotent")
    }

    @Test("all five special characters are escaped, and survive a round trip")
    func escaping() throws {
        var alert = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA1.xml"))
        let nasty = "a & b < c > d \" e ' f ]]> g\r\nline\ttab </description><x>"
        alert.infos[0].description = nasty
        alert.infos[0].headline = "&amp; is not decoded twice"
        let xml = CAPWriter.xml(alert)
        let text = String(decoding: xml, as: UTF8.self)
        #expect(text.contains("a &amp; b &lt; c &gt; d &quot; e &apos; f ]]&gt; g&#13;\nline\ttab &lt;/description&gt;&lt;x&gt;"))
        #expect(try XMLLint.problems(xml) == nil)
        let again = try CAPParser.parse(xml)
        #expect(again.infos[0].description == nasty)
        #expect(again.infos[0].headline == "&amp; is not decoded twice")
    }

    @Test("characters XML cannot carry become U+FFFD")
    func controlCharacters() throws {
        var alert = try CAPParser.parse(try CAPFixtures.sample("oasis_spec_appendixA1.xml"))
        alert.infos[0].event = "bell\u{07}nul\u{00}"
        let xml = CAPWriter.xml(alert)
        #expect(try XMLLint.problems(xml) == nil)
        #expect(try CAPParser.parse(xml).infos[0].event == "bell\u{FFFD}nul\u{FFFD}")
    }

    @Test("elements come in schema order")
    func order() throws {
        let alert = try CAPParser.parse(try CAPFixtures.sample("google_canada_signed.xml"))
        let text = String(decoding: CAPWriter.xml(alert), as: UTF8.self)
        let names = ["<identifier>", "<sender>", "<sent>", "<status>", "<msgType>", "<source>", "<scope>", "<restriction>",
                     "<addresses>", "<code>", "<note>", "<references>", "<incidents>", "<info>", "<language>", "<category>",
                     "<event>", "<responseType>", "<urgency>", "<severity>", "<certainty>", "<audience>", "<eventCode>",
                     "<effective>", "<expires>", "<senderName>", "<headline>", "<description>", "<instruction>", "<web>",
                     "<contact>", "<parameter>", "<area>", "<areaDesc>", "<polygon>", "<geocode>"]
        let positions = names.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted())
    }

    @Test("decimals: micro-degrees written with up to six decimals, trailing zeros trimmed")
    func decimals() {
        #expect(CAPDecimal.format(micro: 38_470_000) == "38.47")
        #expect(CAPDecimal.format(micro: -120_140_000) == "-120.14")
        #expect(CAPDecimal.format(micro: 0) == "0")
        #expect(CAPDecimal.format(micro: -500_000) == "-0.5")
        #expect(CAPDecimal.format(micro: 1) == "0.000001")
        #expect(CAPDecimal.format(micro: 25_000_000) == "25")
        #expect(CAPDecimal.parseMicro("38.47") == 38_470_000)
        #expect(CAPDecimal.parseMicro("-0.0000005") == -1)
        #expect(CAPDecimal.parseMicro("-0.0000004") == 0)
        #expect(CAPDecimal.parseMicro("+.5") == 500_000)
        #expect(CAPDecimal.parseMicro("7.") == 7_000_000)
        #expect(CAPDecimal.parseMicro("-35.3888") == -35_388_800)
        #expect(CAPDecimal.parseMicro("179.999999") == 179_999_999)
        #expect(CAPDecimal.parseMicro("1e5") == nil)
        #expect(CAPDecimal.parseMicro(".") == nil)
        #expect(CAPDecimal.parseMicro("1.2.3") == nil)
        #expect(CAPDecimal.parseMicro("") == nil)
    }

    @Test("dates: CAP text to milliseconds and back")
    func dates() {
        #expect(CAPDateTime("2003-04-02T14:39:01-05:00")?.milliseconds == 1_049_312_341_000)
        #expect(CAPDateTime("1970-01-01T00:00:00+00:00")?.milliseconds == 0)
        #expect(CAPDateTime("1970-01-01T01:00:00+01:00")?.milliseconds == 0)
        #expect(CAPDateTime("2024-02-29T12:00:00-00:00") != nil)
        #expect(CAPDateTime("2023-02-29T12:00:00-00:00") == nil)
        #expect(CAPDateTime("2003-04-02T14:39:01Z") == nil)
        #expect(CAPDateTime("2003-04-02T14:39:01.5-05:00") == nil)
        #expect(CAPDateTime("2003-04-02T24:00:00-05:00") == nil)
        #expect(CAPDateTime(milliseconds: 1_049_312_341_999)?.text == "2003-04-02T19:39:01-00:00")
        #expect(CAPDateTime(milliseconds: -1)?.text == "1969-12-31T23:59:59-00:00")
        #expect(CAPDateTime(milliseconds: -62_135_596_800_000)?.text == "0001-01-01T00:00:00-00:00")
        #expect(CAPDateTime(milliseconds: -62_135_596_800_001) == nil)
        for ms: Int64 in [0, 951_782_400_000, 1_709_208_000_000, 253_402_300_799_000, -2_208_988_800_000] {
            let t = CAPDateTime(milliseconds: ms)
            #expect(t.flatMap { CAPDateTime($0.text) }?.milliseconds == ms)
        }
    }
}
