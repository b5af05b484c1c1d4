import Foundation
import Testing
@testable import VigilCAP

@Suite("CAP parser: malformed and invalid documents")
struct CAPMalformedTests {
    @Test("a sample truncated at many byte positions is always refused, never crashes")
    func truncated() throws {
        for name in ["oasis_spec_appendixA2.xml", "google_australia.xml"] {
            let data = try CAPFixtures.sample(name)
            let end = try #require(data.range(of: Data("alert>".utf8), options: .backwards)).lowerBound - 2
            var cuts = Array(stride(from: 0, to: end, by: 37))
            cuts += [1, 5, 38, 39, 40, 60, end - 1, end]
            for cut in cuts {
                let error = try #require(CAPFixtures.refusal(data.prefix(cut)), "cut at \(cut)")
                #expect(!error.reason.isEmpty)
                if cut > 200 { #expect(error.path.hasPrefix("alert"), "cut at \(cut): \(error)") }
            }
        }
        // A cut inside the A2 polygon names the open element and says the XML is not well-formed.
        let a2 = try CAPFixtures.sample("oasis_spec_appendixA2.xml")
        let polygon = try #require(a2.range(of: Data("38.34,-119.95".utf8))).lowerBound
        let error = try #require(CAPFixtures.refusal(a2.prefix(polygon)))
        #expect(error.path == "alert/info[0]/area[0]/polygon[0]")
        #expect(error.reason.hasPrefix("not well-formed XML"))
    }

    @Test("an empty document is refused")
    func empty() {
        #expect(CAPFixtures.refusal(Data()) == CAPError(path: "", reason: "the document is empty"))
    }

    @Test("wrong or missing namespace: CAP 1.1, CAP 1.0, none, another")
    func namespaces() throws {
        let doc = CAPFixtures.document()
        let v11 = doc.replacingOccurrences(of: "cap:1.2", with: "cap:1.1")
        #expect(CAPFixtures.refusal(v11) == CAPError(path: "alert", reason: "this is a CAP 1.1 alert (namespace urn:oasis:names:tc:emergency:cap:1.1); Vigil imports CAP 1.2 only (urn:oasis:names:tc:emergency:cap:1.2)"))
        let v10 = doc.replacingOccurrences(of: "urn:oasis:names:tc:emergency:cap:1.2", with: "http://www.incident.com/cap/1.0")
        #expect(CAPFixtures.refusal(v10)?.reason.hasPrefix("this is a CAP 1.0 alert") == true)
        let none = doc.replacingOccurrences(of: " xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"", with: "")
        #expect(CAPFixtures.refusal(none) == CAPError(path: "alert", reason: "<alert> has no namespace; CAP 1.2 requires xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\""))
        let other = doc.replacingOccurrences(of: "urn:oasis:names:tc:emergency:cap:1.2", with: "urn:example")
        #expect(CAPFixtures.refusal(other)?.reason.hasPrefix("namespace urn:example is not CAP 1.2") == true)
        let root = "<?xml version=\"1.0\"?><feed xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>"
        #expect(CAPFixtures.refusal(root)?.path == "feed")
        // A foreign element inside <info>.
        let foreign = CAPFixtures.document(info: CAPFixtures.info(area: "<x:y xmlns:x=\"urn:x\">1</x:y>"))
        #expect(CAPFixtures.refusal(foreign)?.path == "alert/info[0]/y")
    }

    @Test("bad enumeration values name the element and list what is allowed")
    func enumerations() throws {
        let urgency = CAPFixtures.document(info: CAPFixtures.info(urgency: "Soon"))
        #expect(CAPFixtures.refusal(urgency) == CAPError(path: "alert/info[0]/urgency", reason: "\"Soon\" is not a CAP urgency; allowed: Immediate, Expected, Future, Past, Unknown"))
        let lower = CAPFixtures.document(info: CAPFixtures.info(urgency: "immediate"))
        #expect(CAPFixtures.refusal(lower)?.reason.contains("values are case-sensitive: Immediate") == true)
        let status = CAPFixtures.document(alertFields: CAPFixtures.defaultAlertFields.replacingOccurrences(of: "<status>Actual", with: "<status>Real"))
        #expect(CAPFixtures.refusal(status) == CAPError(path: "alert/status", reason: "\"Real\" is not a CAP status; allowed: Actual, Exercise, System, Test, Draft"))
        let msgType = CAPFixtures.document(alertFields: CAPFixtures.defaultAlertFields.replacingOccurrences(of: "<msgType>Alert", with: "<msgType>Notice"))
        #expect(CAPFixtures.refusal(msgType)?.path == "alert/msgType")
        let scope = CAPFixtures.document(alertFields: CAPFixtures.defaultAlertFields.replacingOccurrences(of: "<scope>Public", with: "<scope>Everyone"))
        #expect(CAPFixtures.refusal(scope)?.reason.contains("allowed: Public, Restricted, Private") == true)
        let category = CAPFixtures.document(info: CAPFixtures.info().replacingOccurrences(of: "<category>Met", with: "<category>Weather"))
        #expect(CAPFixtures.refusal(category)?.path == "alert/info[0]/category[0]")
        let response = CAPFixtures.document(info: CAPFixtures.info().replacingOccurrences(of: "</event>", with: "</event><responseType>Run</responseType>"))
        #expect(CAPFixtures.refusal(response)?.path == "alert/info[0]/responseType[0]")
    }

    @Test("bad dates name the element and give the form")
    func dates() throws {
        for bad in ["2024-05-01 10:00:00+02:00", "2024-05-01T10:00:00Z", "2024-13-01T10:00:00+02:00", "2024-05-01T10:00:00", "yesterday"] {
            let doc = CAPFixtures.document(alertFields: CAPFixtures.defaultAlertFields.replacingOccurrences(of: "2024-05-01T10:00:00+02:00", with: bad))
            let error = try #require(CAPFixtures.refusal(doc))
            #expect(error.path == "alert/sent")
            #expect(error.reason.contains("is not a CAP dateTime; the form is YYYY-MM-DDThh:mm:ss±hh:mm"))
        }
        let expires = CAPFixtures.document(info: CAPFixtures.info().replacingOccurrences(of: "</certainty>", with: "</certainty><expires>2024-02-30T00:00:00-00:00</expires>"))
        #expect(CAPFixtures.refusal(expires)?.path == "alert/info[0]/expires")
    }

    @Test("bad polygons and circles name the element and say why")
    func geometry() throws {
        func area(_ inner: String) -> String { "<area><areaDesc>A</areaDesc>\(inner)</area>" }
        let cases: [(String, String, String)] = [
            (area("<polygon>1,1 2,2 3,3 1,1</polygon><polygon>1,1 2,2 3,3 4,4</polygon>"), "alert/info[0]/area[0]/polygon[1]", "not closed"),
            (area("<polygon>1,1 2,2 1,1</polygon>"), "alert/info[0]/area[0]/polygon[0]", "3 points"),
            (area("<polygon>91,1 2,2 3,3 91,1</polygon>"), "alert/info[0]/area[0]/polygon[0]", "latitude 91"),
            (area("<polygon>1 1 2 2 3 3 1 1</polygon>"), "alert/info[0]/area[0]/polygon[0]", "is not a lat,lon pair"),
            (area("<polygon>1,x 2,2 3,3 1,x</polygon>"), "alert/info[0]/area[0]/polygon[0]", "is not a decimal number"),
            (area("<polygon></polygon>"), "alert/info[0]/area[0]/polygon[0]", "0 points"),
            (area("<circle>1,1</circle>"), "alert/info[0]/area[0]/circle[0]", "has 1 part"),
            (area("<circle>1,181 5</circle>"), "alert/info[0]/area[0]/circle[0]", "longitude 181"),
            (area("<circle>1,1 -5</circle>"), "alert/info[0]/area[0]/circle[0]", "radius \"-5\""),
            (area("") + area("<altitude>high</altitude>"), "alert/info[0]/area[1]/altitude", "not a decimal"),
        ]
        for (inner, path, reason) in cases {
            let error = try #require(CAPFixtures.refusal(CAPFixtures.document(info: CAPFixtures.info(area: inner))))
            #expect(error.path == path, "\(inner): \(error)")
            #expect(error.reason.contains(reason), "\(inner): \(error)")
        }
        // In the second info block.
        let two = CAPFixtures.info() + CAPFixtures.info(area: area("<polygon>1,1 2,2 3,3 4,4</polygon>"))
        #expect(CAPFixtures.refusal(CAPFixtures.document(info: two))?.path == "alert/info[1]/area[0]/polygon[0]")
    }

    @Test("structure: missing, unknown, out-of-order elements, stray text, nested elements")
    func structure() throws {
        let noEvent = CAPFixtures.document(info: CAPFixtures.info().replacingOccurrences(of: "<event>Flood</event>", with: ""))
        #expect(CAPFixtures.refusal(noEvent) == CAPError(path: "alert/info[0]/event", reason: "required element <event> is missing: found <urgency> in its place"))
        let noCategory = CAPFixtures.document(info: CAPFixtures.info().replacingOccurrences(of: "<category>Met</category>", with: ""))
        #expect(CAPFixtures.refusal(noCategory)?.path == "alert/info[0]/category[0]")
        let unknown = CAPFixtures.document(info: CAPFixtures.info(area: "<colour>red</colour>"))
        let u = try #require(CAPFixtures.refusal(unknown))
        #expect(u.path == "alert/info[0]/colour")
        #expect(u.reason.hasPrefix("<colour> is not a CAP 1.2 element of <info>"))
        let order = CAPFixtures.document(info: CAPFixtures.info(area: "<area><areaDesc>A</areaDesc></area><headline>late</headline>"))
        let o = try #require(CAPFixtures.refusal(order))
        #expect(o.path == "alert/info[0]/headline")
        #expect(o.reason.hasPrefix("<headline> is out of order or repeated"))
        let stray = CAPFixtures.document(info: CAPFixtures.info(area: "stray words"))
        #expect(CAPFixtures.refusal(stray)?.reason.hasPrefix("text is not allowed directly inside <info>") == true)
        // A fuzzer finding: a combining mark after a space is text, though the grapheme " \u{820}" counts as whitespace.
        let mark = CAPFixtures.document(info: CAPFixtures.info(area: " \u{820} "))
        #expect(CAPFixtures.refusal(mark)?.reason.hasPrefix("text is not allowed directly inside <info>") == true)
        let nested = CAPFixtures.document(info: CAPFixtures.info(event: "<b>Flood</b>"))
        #expect(CAPFixtures.refusal(nested) == CAPError(path: "alert/info[0]/event", reason: "<event> holds text only; found element <b> inside"))
        let emptyId = CAPFixtures.document(alertFields: CAPFixtures.defaultAlertFields.replacingOccurrences(of: "<identifier>T-1</identifier>", with: "<identifier> </identifier>"))
        #expect(CAPFixtures.refusal(emptyId) == CAPError(path: "alert/identifier", reason: "<identifier> must not be empty"))
        let badLanguage = CAPFixtures.document(info: "<info><language>en_US</language>" + CAPFixtures.info().dropFirst(6))
        #expect(CAPFixtures.refusal(badLanguage)?.path == "alert/info[0]/language")
    }

    @Test("CDATA, character references and comments are read as text")
    func textForms() throws {
        let doc = CAPFixtures.document(info: CAPFixtures.info(event: "<![CDATA[Flood <big>]]> &#x26; &amp; <!-- c -->rain"))
        #expect(try CAPParser.parse(Data(doc.utf8)).infos[0].event == "Flood <big> & & rain")
    }
}

@Suite("CAP parser: error messages stay short")
struct CAPErrorLengthTests {
    @Test("document text quoted in errors is cut to 80 characters")
    func quotedTextIsCut() throws {
        let long = String(repeating: "9", count: 10_000)
        let doc = CAPFixtures.document(info: CAPFixtures.info(urgency: long))
        let error = try #require(CAPFixtures.refusal(doc))
        #expect(error.path == "alert/info[0]/urgency")
        #expect(error.description.count < 300)
        let name = String(repeating: "x", count: 5_000)
        let root = try #require(CAPFixtures.refusal("<\(name) xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>"))
        #expect(root.description.count < 400)
    }

    @Test("a fuzzer finding: UTF-16 garbage with a CJK element name is refused with a short message")
    func fuzzFinding() throws {
        let data = try #require(Data(base64Encoded: "//48AD8wADJkZWM8L2FkZHJlc3Nlcz5pcGludHMAADoFPj4ACgA="))
        let error = try #require(CAPFixtures.refusal(data))
        #expect(!error.reason.isEmpty)
    }
}
