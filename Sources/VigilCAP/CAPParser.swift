import Foundation

/// Reads CAP 1.2 documents into `CAPAlert`, refusing anything the CAP 1.2 schema would refuse (and a
/// little more: DTDs, unknown encodings, documents over 1 MiB) with the element path and the reason.
///
/// The XML is read by Vigil's own `CAPXMLReader`, which has no DTD support at all: documents with a
/// DOCTYPE or ENTITY declaration are refused, and nothing is ever fetched or expanded.
public enum CAPParser {
    /// The CAP 1.2 namespace.
    public static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"
    /// The XML signature namespace, whose elements CAP allows at the end of `<alert>`.
    static let xmldsig = "http://www.w3.org/2000/09/xmldsig#"
    /// Elements nested deeper than this are refused (CAP itself needs 5; signatures need a few more).
    static let maxDepth = 32
    /// The largest element of another namespace (an XML signature) kept, as XML text in bytes.
    public static let maxExtensionBytes = 32 * 1024

    /// Parses and checks a CAP 1.2 document (any supported encoding, at most 1 MiB).
    public static func parse(_ data: Data) throws(CAPError) -> CAPAlert {
        let utf8 = try CAPInput.utf8Document(data)
        let root = try buildTree(utf8)
        return try alert(from: root)
    }

    /// Elements that may repeat, whose paths carry an index.
    static let repeatable: Set<String> = ["code", "info", "category", "responseType", "eventCode", "parameter", "resource",
                                          "area", "polygon", "circle", "geocode"]

    /// Document text quoted in an error, cut to `limit` characters so that messages stay short.
    static func shown<S: StringProtocol>(_ text: S, limit: Int = 80) -> String {
        text.count <= limit ? String(text) : String(text.prefix(limit)) + "…"
    }

    // MARK: XML → element tree

    /// One element of the document.
    typealias Node = CAPXMLNode

    /// The element tree of a UTF-8 document.
    static func buildTree(_ utf8: [UInt8]) throws(CAPError) -> Node {
        try CAPXMLReader.read(utf8)
    }

    // MARK: Element tree → model

    /// The children of one element, consumed in schema order.
    private struct Sequence {
        let node: Node
        var path: String { node.path }
        let parentName: String
        let order: [String]
        var items: [Node]
        /// The XML signatures at the end (only when they are allowed).
        var trailing: [Node] = []
        var index = 0

        init(_ node: Node, order: [String], allowTrailingSignatures: Bool = false) throws(CAPError) {
            self.node = node
            self.parentName = node.name
            self.order = order
            guard node.text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) || node.text.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
                throw CAPError(path: node.path, reason: "text is not allowed directly inside <\(node.name)>; it holds only the elements \(order.joined(separator: ", "))")
            }
            // The usual case, every child a CAP element: the children as they are, without a copy.
            if node.children.allSatisfy({ $0.namespace == CAPParser.namespace }) {
                self.items = node.children
                return
            }
            var items: [Node] = []
            var signatures = false
            for child in node.children {
                if allowTrailingSignatures && child.namespace == CAPParser.xmldsig {
                    signatures = true
                    trailing.append(child)
                    continue
                }
                guard child.namespace == CAPParser.namespace else {
                    let ns = child.namespace.map { "namespace \(shown($0))" } ?? "no namespace"
                    throw CAPError(path: "\(node.path)/\(shown(child.name))", reason: "element <\(shown(child.name))> in \(ns) is not allowed in <\(node.name)>; CAP 1.2 elements are in \(CAPParser.namespace)")
                }
                if signatures {
                    throw CAPError(path: "\(node.path)/\(shown(child.name))", reason: "element <\(shown(child.name))> follows an XML signature; signatures must come last in <alert>")
                }
                items.append(child)
            }
            self.items = items
        }

        private var next: Node? { index < items.count ? items[index] : nil }

        private mutating func take() -> Node {
            let node = items[index]
            index += 1
            return node
        }

        /// The next element if it is `name`.
        mutating func optional(_ name: String) -> Node? {
            guard next?.name == name else { return nil }
            return take()
        }

        /// The next element, which must be `name`.
        mutating func required(_ name: String, allowed: @autoclosure () -> String? = nil) throws(CAPError) -> Node {
            if let found = optional(name) { return found }
            let what = allowed().map { " (\($0))" } ?? ""
            let found = next.map { "found <\(shown($0.name))> in its place" } ?? "<\(parentName)> ends first"
            throw CAPError(path: "\(path)/\(name)", reason: "required element <\(name)>\(what) is missing: \(found)")
        }

        /// All following elements named `name`, each with its indexed path.
        mutating func repeated(_ name: String, min: Int = 0, allowed: @autoclosure () -> String? = nil) throws(CAPError) -> [Node] {
            var result: [Node] = []
            while next?.name == name {
                result.append(take())
            }
            if result.count < min {
                let what = allowed().map { " (\($0))" } ?? ""
                let found = next.map { "found <\(shown($0.name))> in its place" } ?? "<\(parentName)> ends first"
                throw CAPError(path: "\(path)/\(name)[0]", reason: "at least \(min) <\(name)> element\(min == 1 ? " is" : "s are") required\(what): \(found)")
            }
            return result
        }

        /// Fails if any element is left over (unknown, repeated or out of order).
        func end() throws(CAPError) {
            guard let extra = next else { return }
            let at = "\(path)/\(shown(extra.name))"
            if !order.contains(extra.name) {
                throw CAPError(path: at, reason: "<\(shown(extra.name))> is not a CAP 1.2 element of <\(parentName)>, which holds, in this order: \(order.joined(separator: ", "))")
            }
            throw CAPError(path: at, reason: "<\(shown(extra.name))> is out of order or repeated; <\(parentName)> holds, in this order: \(order.joined(separator: ", "))")
        }
    }

    static let alertOrder = ["identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction",
                             "addresses", "code", "note", "references", "incidents", "info"]
    static let infoOrder = ["language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience",
                            "eventCode", "effective", "onset", "expires", "senderName", "headline", "description",
                            "instruction", "web", "contact", "parameter", "resource", "area"]
    static let resourceOrder = ["resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"]
    static let areaOrder = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]

    /// The text of a simple element (no child elements allowed).
    private static func text(_ item: Node) throws(CAPError) -> String {
        if let child = item.children.first {
            throw CAPError(path: item.path, reason: "<\(item.name)> holds text only; found element <\(shown(child.name))> inside")
        }
        return item.text
    }

    private static func collapsed(_ item: Node) throws(CAPError) -> String {
        try text(item).trimmedWhitespace
    }

    private static func nonEmpty(_ item: Node) throws(CAPError) -> String {
        let value = try text(item)
        guard !value.isBlank else {
            throw CAPError(path: item.path, reason: "<\(item.name)> must not be empty")
        }
        return value
    }

    private static func enumeration<E: RawRepresentable & CaseIterable>(_ item: Node, _ type: E.Type, _ what: String) throws(CAPError) -> E where E.RawValue == String {
        let value = try collapsed(item)
        if let e = E(rawValue: value) { return e }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        let hint = E.allCases.first { $0.rawValue.lowercased() == value.lowercased() }.map { " (values are case-sensitive: \($0.rawValue))" } ?? ""
        throw CAPError(path: item.path, reason: "\"\(shown(value))\" is not a CAP \(what)\(hint); allowed: \(allowed)")
    }

    private static func dateTime(_ item: Node) throws(CAPError) -> CAPDateTime {
        let value = try collapsed(item)
        guard let date = CAPDateTime(value) else {
            throw CAPError(path: item.path, reason: "\"\(shown(value))\" is not a CAP dateTime; the form is YYYY-MM-DDThh:mm:ss±hh:mm with a real date and time and an explicit offset (e.g. 2003-04-02T14:39:01-05:00; UTC is -00:00, \"Z\" and fractions are not allowed)")
        }
        return date
    }

    private static func valuePair(_ item: Node) throws(CAPError) -> CAPValuePair {
        // The usual form, <valueName>text</valueName><value>text</value> with nothing else but whitespace,
        // read directly; anything else goes through the general checks below, which also name the error.
        let c = item.children
        if c.count == 2, c[0].name == "valueName", c[1].name == "value", c[0].namespace == namespace, c[1].namespace == namespace,
           c[0].children.isEmpty, c[1].children.isEmpty, item.text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
            return CAPValuePair(valueName: c[0].text, value: c[1].text)
        }
        var s = try Sequence(item, order: ["valueName", "value"])
        let name = try text(s.required("valueName"))
        let value = try text(s.required("value"))
        try s.end()
        return CAPValuePair(valueName: name, value: value)
    }

    static func alert(from root: Node) throws(CAPError) -> CAPAlert {
        guard root.name == "alert" else {
            throw CAPError(path: shown(root.name), reason: "the root element is <\(shown(root.name))>; a CAP 1.2 document is an <alert> in namespace \(namespace)")
        }
        guard root.namespace == namespace else {
            let reason: String
            switch root.namespace {
            case nil:
                reason = "<alert> has no namespace; CAP 1.2 requires xmlns=\"\(namespace)\""
            case "urn:oasis:names:tc:emergency:cap:1.1":
                reason = "this is a CAP 1.1 alert (namespace urn:oasis:names:tc:emergency:cap:1.1); Vigil imports CAP 1.2 only (\(namespace))"
            case "http://www.incident.com/cap/1.0":
                reason = "this is a CAP 1.0 alert (namespace http://www.incident.com/cap/1.0); Vigil imports CAP 1.2 only (\(namespace))"
            case let other?:
                reason = "namespace \(shown(other)) is not CAP 1.2; Vigil imports CAP 1.2 only (\(namespace))"
            }
            throw CAPError(path: "alert", reason: reason)
        }
        var s = try Sequence(root, order: alertOrder + ["(XML signatures)"], allowTrailingSignatures: true)
        let identifier = try nonEmpty(s.required("identifier"))
        let sender = try nonEmpty(s.required("sender"))
        let sent = try dateTime(s.required("sent", allowed: "a dateTime such as 2003-04-02T14:39:01-05:00"))
        let status = try enumeration(s.required("status", allowed: CAPStatus.allCases.map(\.rawValue).joined(separator: ", ")), CAPStatus.self, "status")
        let msgType = try enumeration(s.required("msgType", allowed: CAPMsgType.allCases.map(\.rawValue).joined(separator: ", ")), CAPMsgType.self, "msgType")
        let source = try s.optional("source").map { (item) throws(CAPError) in try text(item) }
        let scope = try enumeration(s.required("scope", allowed: CAPScope.allCases.map(\.rawValue).joined(separator: ", ")), CAPScope.self, "scope")
        let restriction = try s.optional("restriction").map { (item) throws(CAPError) in try text(item) }
        let addresses = try s.optional("addresses").map { (item) throws(CAPError) in try text(item) }
        var codes: [String] = []
        for item in try s.repeated("code") { codes.append(try text(item)) }
        let note = try s.optional("note").map { (item) throws(CAPError) in try text(item) }
        let references = try s.optional("references").map { (item) throws(CAPError) in try text(item) }
        let incidents = try s.optional("incidents").map { (item) throws(CAPError) in try text(item) }
        var infos: [CAPInfo] = []
        for item in try s.repeated("info") { infos.append(try info(item)) }
        try s.end()
        return CAPAlert(identifier: identifier, sender: sender, sent: sent, status: status, msgType: msgType, source: source,
                        scope: scope, restriction: restriction, addresses: addresses, codes: codes, note: note,
                        references: references, incidents: incidents, infos: infos, extensions: s.trailing.compactMap(\.xml))
    }

    private static func isLanguageTag(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...8).contains(first.count), first.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else { return false }
        return parts.dropFirst().allSatisfy { p in
            (1...8).contains(p.count) && p.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        }
    }

    private static func info(_ item: Node) throws(CAPError) -> CAPInfo {
        var s = try Sequence(item, order: infoOrder)
        var language: String?
        if let l = s.optional("language") {
            let value = try collapsed(l)
            guard isLanguageTag(value) else {
                throw CAPError(path: l.path, reason: "\"\(shown(value))\" is not a language tag (RFC 3066, e.g. en-US, fr-CA)")
            }
            language = value
        }
        var categories: [CAPCategory] = []
        for c in try s.repeated("category", min: 1, allowed: CAPCategory.allCases.map(\.rawValue).joined(separator: ", ")) {
            categories.append(try enumeration(c, CAPCategory.self, "category"))
        }
        let event = try text(s.required("event"))
        var responseTypes: [CAPResponseType] = []
        for r in try s.repeated("responseType") { responseTypes.append(try enumeration(r, CAPResponseType.self, "responseType")) }
        let urgency = try enumeration(s.required("urgency", allowed: CAPUrgency.allCases.map(\.rawValue).joined(separator: ", ")), CAPUrgency.self, "urgency")
        let severity = try enumeration(s.required("severity", allowed: CAPSeverity.allCases.map(\.rawValue).joined(separator: ", ")), CAPSeverity.self, "severity")
        let certainty = try enumeration(s.required("certainty", allowed: CAPCertainty.allCases.map(\.rawValue).joined(separator: ", ")), CAPCertainty.self, "certainty")
        let audience = try s.optional("audience").map { (i) throws(CAPError) in try text(i) }
        var eventCodes: [CAPValuePair] = []
        for e in try s.repeated("eventCode") { eventCodes.append(try valuePair(e)) }
        let effective = try s.optional("effective").map { (i) throws(CAPError) in try dateTime(i) }
        let onset = try s.optional("onset").map { (i) throws(CAPError) in try dateTime(i) }
        let expires = try s.optional("expires").map { (i) throws(CAPError) in try dateTime(i) }
        let senderName = try s.optional("senderName").map { (i) throws(CAPError) in try text(i) }
        let headline = try s.optional("headline").map { (i) throws(CAPError) in try text(i) }
        let description = try s.optional("description").map { (i) throws(CAPError) in try text(i) }
        let instruction = try s.optional("instruction").map { (i) throws(CAPError) in try text(i) }
        let web = try s.optional("web").map { (i) throws(CAPError) in try collapsed(i) }
        let contact = try s.optional("contact").map { (i) throws(CAPError) in try text(i) }
        var parameters: [CAPValuePair] = []
        for p in try s.repeated("parameter") { parameters.append(try valuePair(p)) }
        var resources: [CAPResource] = []
        for r in try s.repeated("resource") { resources.append(try resource(r)) }
        var areas: [CAPArea] = []
        for a in try s.repeated("area") { areas.append(try area(a)) }
        try s.end()
        return CAPInfo(language: language, categories: categories, event: event, responseTypes: responseTypes,
                       urgency: urgency, severity: severity, certainty: certainty, audience: audience, eventCodes: eventCodes,
                       effective: effective, onset: onset, expires: expires, senderName: senderName, headline: headline,
                       description: description, instruction: instruction, web: web, contact: contact,
                       parameters: parameters, resources: resources, areas: areas)
    }

    private static func resource(_ item: Node) throws(CAPError) -> CAPResource {
        var s = try Sequence(item, order: resourceOrder)
        let desc = try text(s.required("resourceDesc"))
        let mime = try text(s.required("mimeType"))
        var size: Int64?
        if let z = s.optional("size") {
            let value = try collapsed(z)
            let digits = value.hasPrefix("+") ? String(value.dropFirst()) : value
            guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int64(digits) else {
                throw CAPError(path: z.path, reason: "\"\(shown(value))\" is not a size in bytes (a non-negative integer)")
            }
            size = n
        }
        let uri = try s.optional("uri").map { (i) throws(CAPError) in try collapsed(i) }
        let deref = try s.optional("derefUri").map { (i) throws(CAPError) in try text(i) }
        let digest = try s.optional("digest").map { (i) throws(CAPError) in try text(i) }
        try s.end()
        return CAPResource(resourceDesc: desc, mimeType: mime, size: size, uri: uri, derefUri: deref, digest: digest)
    }

    private static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    /// `lat,lon` in decimal degrees → a point, or the reason it is not one.
    static func point(_ token: Substring) -> Result<CAPPoint, CAPError> {
        let parts = token.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(CAPError(path: "", reason: "\"\(shown(token))\" is not a lat,lon pair")) }
        guard let lat = CAPDecimal.parseMicro(parts[0]) else { return .failure(CAPError(path: "", reason: "latitude \"\(shown(parts[0]))\" in \"\(shown(token))\" is not a decimal number")) }
        guard let lon = CAPDecimal.parseMicro(parts[1]) else { return .failure(CAPError(path: "", reason: "longitude \"\(shown(parts[1]))\" in \"\(shown(token))\" is not a decimal number")) }
        guard (-90_000_000...90_000_000).contains(lat) else { return .failure(CAPError(path: "", reason: "latitude \(shown(parts[0])) in \"\(shown(token))\" is outside -90…90")) }
        guard (-180_000_000...180_000_000).contains(lon) else { return .failure(CAPError(path: "", reason: "longitude \(shown(parts[1])) in \"\(shown(token))\" is outside -180…180")) }
        return .success(CAPPoint(latitude: lat, longitude: lon))
    }

    /// The points of `lat,lon` pairs separated by spaces, tabs and line feeds, read straight from the
    /// UTF-8 bytes; nil for anything else (other characters, a point that is not valid), which the general
    /// code then reads and explains. Gives the points the general code gives for the texts it accepts.
    static func plainPoints(_ text: String) -> [CAPPoint]? {
        var text = text
        return text.withUTF8 { (u: UnsafeBufferPointer<UInt8>) -> [CAPPoint]? in
            var points: [CAPPoint] = []
            var i = 0
            while i < u.count {
                let b = u[i]
                if b == 0x20 || b == 0x0A || b == 0x09 { i += 1; continue }
                let start = i
                var comma = -1
                while i < u.count, u[i] != 0x20, u[i] != 0x0A, u[i] != 0x09 {
                    switch u[i] {
                    case 0x2C:
                        guard comma < 0 else { return nil }
                        comma = i
                    case 0x30...0x39, 0x2B, 0x2D, 0x2E: break
                    default: return nil
                    }
                    i += 1
                }
                guard comma >= 0,
                      let lat = CAPDecimal.parseMicro(utf8: u[start..<comma]),
                      let lon = CAPDecimal.parseMicro(utf8: u[(comma + 1)..<i]),
                      (-90_000_000...90_000_000).contains(lat), (-180_000_000...180_000_000).contains(lon) else { return nil }
                points.append(CAPPoint(latitude: lat, longitude: lon))
            }
            return points
        }
    }

    /// Parses polygon text: whitespace-separated `lat,lon` pairs, at least 4, the first equal to the last.
    public static func polygon(_ text: String) -> Result<CAPPolygon, CAPError> {
        if let points = plainPoints(text), points.count >= 4, points.first == points.last {
            return .success(CAPPolygon(points: points, written: text))
        }
        return generalPolygon(text)
    }

    /// `polygon(_:)` for any text, with the reason when it is not a polygon (what `plainPoints` leaves).
    static func generalPolygon(_ text: String) -> Result<CAPPolygon, CAPError> {
        let syntax = "a polygon is \"lat,lon lat,lon …\": at least 4 pairs of WGS 84 decimal degrees separated by spaces, the first equal to the last"
        var points: [CAPPoint] = []
        for token in text.split(whereSeparator: isSpace) {
            switch point(token) {
            case .success(let p): points.append(p)
            case .failure(let why): return .failure(CAPError(path: "", reason: "\(why.reason); \(syntax)"))
            }
        }
        guard points.count >= 4 else { return .failure(CAPError(path: "", reason: "\(points.count) point\(points.count == 1 ? "" : "s"); \(syntax)")) }
        guard points.first == points.last else {
            return .failure(CAPError(path: "", reason: "the polygon is not closed: the first point \(points[0].text) differs from the last \(points[points.count - 1].text); \(syntax)"))
        }
        return .success(CAPPolygon(points: points, written: text))
    }

    /// Parses circle text: `lat,lon radius` with the radius in kilometres.
    public static func circle(_ text: String) -> Result<CAPCircle, CAPError> {
        let syntax = "a circle is \"lat,lon radius\": a WGS 84 centre in decimal degrees, a space, and a radius in kilometres ≥ 0"
        let tokens = text.split(whereSeparator: isSpace)
        guard tokens.count == 2 else { return .failure(CAPError(path: "", reason: "\"\(shown(text))\" has \(tokens.count) part\(tokens.count == 1 ? "" : "s"), not 2; \(syntax)")) }
        let center: CAPPoint
        switch point(tokens[0]) {
        case .success(let p): center = p
        case .failure(let why): return .failure(CAPError(path: "", reason: "\(why.reason); \(syntax)"))
        }
        guard let radius = CAPDecimal.parseMicro(tokens[1]), radius >= 0 else {
            return .failure(CAPError(path: "", reason: "radius \"\(shown(tokens[1]))\" is not a non-negative decimal number of kilometres; \(syntax)"))
        }
        return .success(CAPCircle(center: center, radiusMillimetres: radius, written: text))
    }

    private static func area(_ item: Node) throws(CAPError) -> CAPArea {
        var s = try Sequence(item, order: areaOrder)
        let desc = try text(s.required("areaDesc"))
        var polygons: [CAPPolygon] = []
        for p in try s.repeated("polygon") {
            switch polygon(try text(p)) {
            case .success(let polygon): polygons.append(polygon)
            case .failure(let e): throw CAPError(path: p.path, reason: e.reason)
            }
        }
        var circles: [CAPCircle] = []
        for c in try s.repeated("circle") {
            switch circle(try text(c)) {
            case .success(let circle): circles.append(circle)
            case .failure(let e): throw CAPError(path: c.path, reason: e.reason)
            }
        }
        var geocodes: [CAPValuePair] = []
        for g in try s.repeated("geocode") { geocodes.append(try valuePair(g)) }
        func decimal(_ name: String) throws(CAPError) -> String? {
            guard let d = s.optional(name) else { return nil }
            let value = try collapsed(d)
            guard CAPDecimal.parseMicro(value) != nil else {
                throw CAPError(path: d.path, reason: "\"\(shown(value))\" is not a decimal number of feet")
            }
            return value
        }
        let altitude = try decimal("altitude")
        let ceiling = try decimal("ceiling")
        try s.end()
        return CAPArea(areaDesc: desc, polygons: polygons, circles: circles, geocodes: geocodes, altitude: altitude, ceiling: ceiling)
    }
}
