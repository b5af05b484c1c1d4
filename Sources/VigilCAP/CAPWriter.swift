import Foundation

/// Writes `CAPAlert` as a CAP 1.2 XML document: UTF-8, elements in schema order, two-space indentation.
///
/// Text is escaped (`&amp; &lt; &gt; &quot; &apos;`, and carriage returns as `&#13;` so they survive
/// parsing); characters XML 1.0 cannot carry (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
/// Dates are written as their original text, coordinates as decimal degrees with up to six decimals.
public enum CAPWriter {
    /// The document's bytes.
    public static func xml(_ alert: CAPAlert) -> Data {
        Data(bytes(alert))
    }

    /// The document as a string.
    public static func string(_ alert: CAPAlert) -> String {
        String(decoding: bytes(alert), as: UTF8.self)
    }

    static func bytes(_ alert: CAPAlert) -> [UInt8] {
        var w = Writer()
        w.out = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"\(CAPParser.namespace)\">\n".utf8)
        w.level = 1
        w.element("identifier", alert.identifier)
        w.element("sender", alert.sender)
        w.element("sent", alert.sent.text)
        w.element("status", alert.status.rawValue)
        w.element("msgType", alert.msgType.rawValue)
        w.element("source", alert.source)
        w.element("scope", alert.scope.rawValue)
        w.element("restriction", alert.restriction)
        w.element("addresses", alert.addresses)
        for code in alert.codes { w.element("code", code) }
        w.element("note", alert.note)
        w.element("references", alert.references)
        w.element("incidents", alert.incidents)
        for info in alert.infos { w.info(info) }
        for x in alert.extensions {
            w.indent()
            w.out += Array(x.utf8)
            w.out.append(0x0A)
        }
        w.out += Array("</alert>\n".utf8)
        return w.out
    }

    /// `text` escaped for element content or attribute values.
    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        appendEscaped(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &out) }
    }

    /// Whether `b` needs more than copying: markup characters, C0 controls, and 0xEF (which starts
    /// U+FFFE and U+FFFF).
    @inline(__always) private static func special(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 || b == 0xEF
    }

    static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]   // U+FFFD
        var i = 0
        var run = 0   // start of the bytes copied as they are
        while i < utf8.count {
            let b = utf8[i]
            guard special(b) else { i += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
            switch b {
            case 0x26: out += "&amp;".utf8
            case 0x3C: out += "&lt;".utf8
            case 0x3E: out += "&gt;".utf8
            case 0x22: out += "&quot;".utf8
            case 0x27: out += "&apos;".utf8
            case 0x0D: out += "&#13;".utf8
            case 0x09, 0x0A: out.append(b)
            case ..<0x20: out += replacement
            case 0xEF where i + 2 < utf8.count && utf8[i + 1] == 0xBF && (utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF):
                // U+FFFE and U+FFFF are not XML characters.
                out += replacement
                i += 2
            default: out.append(b)
            }
            i += 1
            run = i
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<utf8.count]))
    }

    private struct Writer {
        var out: [UInt8] = []
        var level = 0

        mutating func indent() { out += repeatElement(0x20, count: 2 * level) }

        mutating func element(_ name: String, _ value: String?) {
            guard let value else { return }
            indent()
            out.append(0x3C); out += name.utf8; out.append(0x3E)
            CAPWriter.appendEscaped(value, to: &out)
            out += [0x3C, 0x2F]; out += name.utf8; out += [0x3E, 0x0A]
        }

        mutating func open(_ name: String) {
            indent()
            out.append(0x3C); out += name.utf8; out += [0x3E, 0x0A]
            level += 1
        }

        mutating func close(_ name: String) {
            level -= 1
            indent()
            out += [0x3C, 0x2F]; out += name.utf8; out += [0x3E, 0x0A]
        }

        mutating func pair(_ name: String, _ pair: CAPValuePair) {
            open(name)
            element("valueName", pair.valueName)
            element("value", pair.value)
            close(name)
        }

        mutating func info(_ info: CAPInfo) {
            open("info")
            element("language", info.language)
            for c in info.categories { element("category", c.rawValue) }
            element("event", info.event)
            for r in info.responseTypes { element("responseType", r.rawValue) }
            element("urgency", info.urgency.rawValue)
            element("severity", info.severity.rawValue)
            element("certainty", info.certainty.rawValue)
            element("audience", info.audience)
            for e in info.eventCodes { pair("eventCode", e) }
            element("effective", info.effective?.text)
            element("onset", info.onset?.text)
            element("expires", info.expires?.text)
            element("senderName", info.senderName)
            element("headline", info.headline)
            element("description", info.description)
            element("instruction", info.instruction)
            element("web", info.web)
            element("contact", info.contact)
            for p in info.parameters { pair("parameter", p) }
            for r in info.resources {
                open("resource")
                element("resourceDesc", r.resourceDesc)
                element("mimeType", r.mimeType)
                element("size", r.size.map { String($0) })
                element("uri", r.uri)
                element("derefUri", r.derefUri)
                element("digest", r.digest)
                close("resource")
            }
            for a in info.areas {
                open("area")
                element("areaDesc", a.areaDesc)
                for p in a.polygons { element("polygon", p.text) }
                for c in a.circles { element("circle", c.text) }
                for g in a.geocodes { pair("geocode", g) }
                element("altitude", a.altitude)
                element("ceiling", a.ceiling)
                close("area")
            }
            close("info")
        }
    }
}
