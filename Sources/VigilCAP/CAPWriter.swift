import Foundation

/// Writes `CAPAlert` as a CAP 1.2 XML document: UTF-8, elements in schema order, two-space indentation.
///
/// Text is escaped (`&amp; &lt; &gt; &quot; &apos;`, and carriage returns as `&#13;` so they survive
/// parsing); characters XML 1.0 cannot carry (most C0 controls, U+FFFE, U+FFFF) become U+FFFD.
/// Dates are written as their original text, coordinates as decimal degrees with up to six decimals.
public enum CAPWriter {
    /// The document's bytes.
    public static func xml(_ alert: CAPAlert) -> Data {
        Data(string(alert).utf8)
    }

    /// The document as a string.
    public static func string(_ alert: CAPAlert) -> String {
        var w = Writer()
        w.out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"\(CAPParser.namespace)\">\n"
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
        w.out += "</alert>\n"
        return w.out
    }

    /// `text` escaped for element content or attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private struct Writer {
        var out = ""
        var level = 0

        var indent: String { String(repeating: "  ", count: level) }

        mutating func element(_ name: String, _ value: String?) {
            guard let value else { return }
            out += "\(indent)<\(name)>\(CAPWriter.escape(value))</\(name)>\n"
        }

        mutating func open(_ name: String) {
            out += "\(indent)<\(name)>\n"
            level += 1
        }

        mutating func close(_ name: String) {
            level -= 1
            out += "\(indent)</\(name)>\n"
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
