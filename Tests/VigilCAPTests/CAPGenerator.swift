import Foundation
import VigilModel

/// Seeded generator of schema-valid CAP 1.2 documents that use every element of the schema. It writes
/// the XML itself (not through `CAPWriter`), with a random namespace prefix, random whitespace, texts in
/// several languages with characters that need escaping, and sometimes an XML signature.
///
/// `elements` lists the elements it can write; the tests compare it with the element list of cap12.xsd.
struct CAPGenerator {
    var rng: SeededRandom
    var used: Set<String> = []
    private var prefix = ""

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    /// Every element the generator writes.
    static let elements: Set<String> = [
        "alert", "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses", "code",
        "note", "references", "incidents", "info", "language", "category", "event", "responseType", "urgency", "severity",
        "certainty", "audience", "eventCode", "valueName", "value", "effective", "onset", "expires", "senderName", "headline",
        "description", "instruction", "web", "contact", "parameter", "resource", "resourceDesc", "mimeType", "size", "uri",
        "derefUri", "digest", "area", "areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling",
    ]

    /// The element names declared in an XSD (`<element name="…"`).
    static func schemaElements(_ xsd: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(xsd)
        while let r = rest.range(of: "<element name=\"") {
            rest = rest[r.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            names.insert(String(rest[..<end]))
            rest = rest[end...]
        }
        return names
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    private mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    private mutating func maybe(_ p: Double = 0.6) -> Bool { rng.chance(p) }

    private mutating func space() -> String { pick(["", "\n  ", " ", "\n\t"]) }

    private mutating func text() -> String {
        let words = ["Hochwasser", "inondation", "overstroming", "flood", "Brüssel", "Liège", "<&>", "\"quoted\" 'single'",
                     "Ω≈ç√", "emoji 🌊", "a  b", "line\nbreak", "tab\there", "x", "Gemeente Sint-Niklaas", "5 > 3 & 2 < 4"]
        return (0..<count(1...4)).map { _ in pick(words) }.joined(separator: " ")
    }

    private mutating func escaped(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += pick([">", "&gt;"])
            case "\"": out += pick(["\"", "&quot;"])
            case "'": out += pick(["'", "&apos;", "&#39;"])
            default: out.append(c)
            }
        }
        return out
    }

    private mutating func element(_ name: String, _ raw: String) -> String {
        used.insert(name)
        return "\(space())<\(prefix)\(name)>\(raw)</\(prefix)\(name)>"
    }

    private mutating func textElement(_ name: String, _ value: String? = nil) -> String {
        let v = value ?? text()
        let wrapped = maybe(0.1) ? "<![CDATA[\(v.replacingOccurrences(of: "]]>", with: ""))]]>" : escaped(v)
        return element(name, wrapped)
    }

    private mutating func dateTime() -> String {
        let y = count(1971...2037), mo = count(1...12), d = count(1...28), h = count(0...23), mi = count(0...59), s = count(0...59)
        let offset = pick(["-00:00", "+01:00", "+02:00", "-05:00", "+05:30", "+14:00"])
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(mo))-\(two(d))T\(two(h)):\(two(mi)):\(two(s))\(offset)"
    }

    private mutating func decimal(_ limit: Int) -> String {
        let whole = count(-limit + 1...limit - 1)
        let decimals = count(0...8)
        let fraction = (0..<decimals).map { _ in String(count(0...9)) }.joined()
        return decimals == 0 ? "\(whole)" : "\(whole).\(fraction)"
    }

    private mutating func pair(_ name: String) -> String {
        element(name, textElement("valueName") + textElement("value") + space())
    }

    /// One document.
    mutating func document() -> String {
        prefix = pick(["", "cap:"])
        let ns = prefix.isEmpty ? "xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"" : "xmlns:cap=\"urn:oasis:names:tc:emergency:cap:1.2\""
        used.insert("alert")
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(prefix)alert \(ns)>"
        x += textElement("identifier", "id-\(count(1...1_000_000))")
        x += textElement("sender", pick(["ops@example.org", "urn:oid:2.49.0.1.56", "KSTO@NWS.NOAA.GOV"]))
        x += element("sent", dateTime())
        x += element("status", pick(["Actual", "Exercise", "System", "Test", "Draft"]))
        let msgType = pick(["Alert", "Update", "Cancel", "Ack", "Error"])
        x += element("msgType", msgType)
        if maybe() { x += textElement("source") }
        let scope = pick(["Public", "Restricted", "Private"])
        x += element("scope", scope)
        if scope == "Restricted" || maybe(0.2) { x += textElement("restriction") }
        if scope == "Private" || maybe(0.2) { x += textElement("addresses", "a@example.org \"Crisis Centre\" b@example.org") }
        for _ in 0..<count(0...2) { x += textElement("code", pick(["IPAWSv1.0", "profile:CAP-BE:1.0", "x y"])) }
        if maybe() { x += textElement("note") }
        if msgType != "Alert" || maybe(0.3) {
            x += element("references", (0..<count(1...3)).map { _ in "ops@example.org,id-\(count(1...99)),\(dateTime())" }.joined(separator: pick([" ", "\n  "])))
        }
        if maybe() { x += textElement("incidents", "inc-\(count(1...9)) inc-\(count(10...99))") }
        let infos = msgType == "Ack" || msgType == "Error" ? count(0...1) : count(0...3)
        let languages = ["nl-BE", "fr-BE", "de-BE", "en", "en-US", "es-US"]
        for _ in 0..<infos { x += info(language: maybe(0.85) ? pick(languages) : nil) }
        if maybe(0.3) {
            x += "\(space())<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"s\(count(1...9))\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:SignedInfo><ds:SignatureValue>\(String(repeating: "QUJD", count: count(1...40)))</ds:SignatureValue></ds:Signature>"
        }
        return x + "\n</\(prefix)alert>\n"
    }

    private mutating func info(language: String?) -> String {
        var x = ""
        if let language { x += element("language", language) }
        let categories = ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"]
        for _ in 0..<count(1...3) { x += element("category", pick(categories)) }
        x += textElement("event")
        for _ in 0..<count(0...2) { x += element("responseType", pick(["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"])) }
        x += element("urgency", pick(["Immediate", "Expected", "Future", "Past", "Unknown"]))
        x += element("severity", pick(["Extreme", "Severe", "Moderate", "Minor", "Unknown"]))
        x += element("certainty", pick(["Observed", "Likely", "Possible", "Unlikely", "Unknown"]))
        if maybe() { x += textElement("audience") }
        for _ in 0..<count(0...2) { x += pair("eventCode") }
        let onset = dateTime()
        if maybe() { x += element("effective", dateTime()) }
        if maybe() { x += element("onset", onset) }
        if maybe() { x += element("expires", maybe(0.3) ? onset : dateTime()) }
        if maybe() { x += textElement("senderName") }
        if maybe() { x += textElement("headline", maybe(0.2) ? String(repeating: "long headline ", count: 20) : text()) }
        if maybe() { x += textElement("description") }
        if maybe() { x += textElement("instruction") }
        if maybe() { x += element("web", pick(["https://example.org/alert?id=1&amp;lang=nl", "http://crisis.be/nl", "urn:x-cap:web"])) }
        if maybe() { x += textElement("contact") }
        for _ in 0..<count(0...3) { x += pair("parameter") }
        for _ in 0..<count(0...2) {
            var r = textElement("resourceDesc") + textElement("mimeType", pick(["image/png", "text/plain", "application/pdf"]))
            if maybe() { r += element("size", pick(["\(count(0...99_999))", "+\(count(1...9))", "007"])) }
            if maybe() { r += element("uri", pick(["https://example.org/map.png", "http://x.be/a%20b"])) }
            if maybe() { r += element("derefUri", String(repeating: "aGVsbG8g", count: count(1...200))) }
            if maybe() { r += element("digest", "da39a3ee5e6b4b0d3255bfef95601890afd80709") }
            x += element("resource", r + space())
        }
        for _ in 0..<count(0...3) {
            var a = textElement("areaDesc")
            for _ in 0..<count(0...2) {
                let first = "\(decimal(90)),\(decimal(180))"
                let points = [first] + (0..<count(2...6)).map { _ in "\(decimal(90)),\(decimal(180))" } + [first]
                a += element("polygon", points.joined(separator: pick([" ", "\n", "  "])))
            }
            for _ in 0..<count(0...2) { a += element("circle", "\(decimal(90)),\(decimal(180)) \(abs(Double(count(0...500_000)) / 1000))") }
            for _ in 0..<count(0...3) { a += pair("geocode") }
            if maybe() { a += element("altitude", decimal(30_000)) }
            if maybe(0.4) { a += element("ceiling", decimal(40_000)) }
            x += element("area", a + space())
        }
        return element("info", x + space())
    }
}
