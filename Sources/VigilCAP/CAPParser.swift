import Foundation
import VigilModel

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

    /// Document text quoted in an error, cut to `limit` characters so that messages stay short.
    static func shown<S: StringProtocol>(_ text: S, limit: Int = 80) -> String {
        text.count <= limit ? String(text) : String(text.prefix(limit)) + "…"
    }

    // MARK: XML → element tree

    /// One element of the document.
    typealias Node = CAPXMLElement

    /// The element tree of a UTF-8 document.
    static func buildTree(_ utf8: [UInt8]) throws(CAPError) -> Node {
        try CAPXMLReader.read(utf8)
    }

    // MARK: Element tree → model

    static let alertOrder = ["identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction",
                             "addresses", "code", "note", "references", "incidents", "info"]
    static let infoOrder = ["language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience",
                            "eventCode", "effective", "onset", "expires", "senderName", "headline", "description",
                            "instruction", "web", "contact", "parameter", "resource", "area"]
    static let resourceOrder = ["resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"]
    static let areaOrder = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]

    /// The model of the document whose root element is `root`.
    static func alert(from root: Node) throws(CAPError) -> CAPAlert {
        try Reading(d: root.document).alert(root.index)
    }

    /// Reads the model from a `CAPXMLDocument`, element by element (elements are indices into it).
    private struct Reading {
        let d: CAPXMLDocument

        typealias Item = Int32

        @inline(__always) func record(_ e: Item) -> CAPXMLRecord { d.elements[Int(e)] }
        func name(_ e: Item) -> String { d.name(e) }
        func path(_ e: Item) -> String { d.path(e) }
        @inline(__always) func isCAP(_ e: Item) -> Bool { d.elements[Int(e)].namespace == d.capNamespace && d.capNamespace >= 0 }

        /// The children of one element, consumed in schema order.
        struct Sequence {
            let node: Item
            let order: [String]
            /// The next child to consume, -1 at the end.
            var next: Item
            /// Where the consumed children end: the first trailing XML signature, or -1.
            let stop: Item
            /// The XML signatures at the end (only when they are allowed).
            var trailing: [Item] = []
        }

        func sequence(_ node: Item, order: [String], allowTrailingSignatures: Bool = false) throws(CAPError) -> Sequence {
            guard d.textIsSpace(node) || d.text(node).unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
                throw CAPError(path: path(node), reason: "text is not allowed directly inside <\(name(node))>; it holds only the elements \(order.joined(separator: ", "))")
            }
            let first = record(node).firstChild
            var trailing: [Item] = []
            var stop: Item = -1
            var child = first
            while child >= 0 {
                if isCAP(child) {
                    if stop >= 0 {
                        throw CAPError(path: "\(path(node))/\(shown(name(child)))", reason: "element <\(shown(name(child)))> follows an XML signature; signatures must come last in <alert>")
                    }
                } else if allowTrailingSignatures && d.signatureNamespace >= 0 && record(child).namespace == d.signatureNamespace {
                    if stop < 0 { stop = child }
                    trailing.append(child)
                } else {
                    let ns = d.namespace(child).map { "namespace \(shown($0))" } ?? "no namespace"
                    throw CAPError(path: "\(path(node))/\(shown(name(child)))", reason: "element <\(shown(name(child)))> in \(ns) is not allowed in <\(name(node))>; CAP 1.2 elements are in \(CAPParser.namespace)")
                }
                child = record(child).nextSibling
            }
            return Sequence(node: node, order: order, next: first == stop ? -1 : first, stop: stop, trailing: trailing)
        }

        @inline(__always) private func take(_ s: inout Sequence) -> Item {
            let item = s.next
            let after = record(item).nextSibling
            s.next = after == s.stop ? -1 : after
            return item
        }

        /// The next element if it is `name`.
        @inline(__always) func optional(_ s: inout Sequence, _ name: CAPName) -> Item? {
            guard s.next >= 0, record(s.next).name == name else { return nil }
            return take(&s)
        }

        private func found(_ s: Sequence) -> String {
            s.next >= 0 ? "found <\(shown(name(s.next)))> in its place" : "<\(name(s.node))> ends first"
        }

        /// The next element, which must be `name`.
        func required(_ s: inout Sequence, _ name: CAPName, allowed: @autoclosure () -> String? = nil) throws(CAPError) -> Item {
            if let found = optional(&s, name) { return found }
            let what = allowed().map { " (\($0))" } ?? ""
            throw CAPError(path: "\(path(s.node))/\(name.text)", reason: "required element <\(name.text)>\(what) is missing: \(found(s))")
        }

        /// Consecutive children of one name, as `repeated` takes them: walked by their sibling links, without
        /// an array per run.
        struct Run: Swift.Sequence, IteratorProtocol {
            let d: CAPXMLDocument
            var item: Item
            /// How many are left.
            var count: Int

            mutating func next() -> Item? {
                guard count > 0 else { return nil }
                let current = item
                item = d.elements[Int(current)].nextSibling
                count -= 1
                return current
            }
        }

        /// All following elements named `name`, each with its indexed path.
        func repeated(_ s: inout Sequence, _ name: CAPName, min: Int = 0, allowed: @autoclosure () -> String? = nil) throws(CAPError) -> Run {
            let first = s.next
            var count = 0
            while optional(&s, name) != nil { count += 1 }
            if count < min {
                let what = allowed().map { " (\($0))" } ?? ""
                throw CAPError(path: "\(path(s.node))/\(name.text)[0]", reason: "at least \(min) <\(name.text)> element\(min == 1 ? " is" : "s are") required\(what): \(found(s))")
            }
            return Run(d: d, item: first, count: count)
        }

        /// Fails if any element is left over (unknown, repeated or out of order).
        func end(_ s: Sequence) throws(CAPError) {
            guard s.next >= 0 else { return }
            let extra = name(s.next)
            let at = "\(path(s.node))/\(shown(extra))"
            let parentName = name(s.node)
            if !s.order.contains(extra) {
                throw CAPError(path: at, reason: "<\(shown(extra))> is not a CAP 1.2 element of <\(parentName)>, which holds, in this order: \(s.order.joined(separator: ", "))")
            }
            throw CAPError(path: at, reason: "<\(shown(extra))> is out of order or repeated; <\(parentName)> holds, in this order: \(s.order.joined(separator: ", "))")
        }

        /// The text of a simple element (no child elements allowed).
        func text(_ item: Item) throws(CAPError) -> String {
            let child = record(item).firstChild
            if child >= 0 {
                throw CAPError(path: path(item), reason: "<\(name(item))> holds text only; found element <\(shown(name(child)))> inside")
            }
            return d.text(item)
        }

        func collapsed(_ item: Item) throws(CAPError) -> String {
            try text(item).trimmedWhitespace
        }

        func nonEmpty(_ item: Item) throws(CAPError) -> String {
            let value = try text(item)
            guard !value.isBlank else {
                throw CAPError(path: path(item), reason: "<\(name(item))> must not be empty")
            }
            return value
        }

        func enumeration<E: CAPCode>(_ item: Item, _ type: E.Type, _ what: String) throws(CAPError) -> E {
            // The usual text, exactly a value (no whitespace around it), found by its bytes; anything else
            // (whitespace to collapse, no value at all, child elements) the general way below, which explains.
            if record(item).firstChild < 0, let e = d.withText(item, { E.codes.value(of: $0) }) { return e }
            let value = try collapsed(item)
            if let e = E(rawValue: value) { return e }
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            let hint = E.allCases.first { $0.rawValue.lowercased() == value.lowercased() }.map { " (values are case-sensitive: \($0.rawValue))" } ?? ""
            throw CAPError(path: path(item), reason: "\"\(shown(value))\" is not a CAP \(what)\(hint); allowed: \(allowed)")
        }

        func dateTime(_ item: Item) throws(CAPError) -> CAPDateTime {
            // The usual text, exactly a dateTime (no whitespace around it), read from its bytes.
            if record(item).firstChild < 0, let date = d.withText(item, { CAPDateTime(utf8: $0) }) { return date }
            let value = try collapsed(item)
            guard let date = CAPDateTime(value) else {
                throw CAPError(path: path(item), reason: "\"\(shown(value))\" is not a CAP dateTime; the form is YYYY-MM-DDThh:mm:ss±hh:mm with a real date and time and an explicit offset (e.g. 2003-04-02T14:39:01-05:00; UTC is -00:00, \"Z\" and fractions are not allowed)")
            }
            return date
        }

        func valuePair(_ item: Item) throws(CAPError) -> CAPValuePair {
            // The usual form, <valueName>text</valueName><value>text</value> with nothing else but whitespace,
            // read directly; anything else goes through the general checks below, which also name the error.
            let r = record(item)
            if r.childCount == 2 {
                let a = r.firstChild, b = record(a).nextSibling
                let x = record(a), y = record(b)
                if x.name == .valueName, y.name == .value, isCAP(a), isCAP(b), x.firstChild < 0, y.firstChild < 0, d.textIsSpace(item) {
                    return CAPValuePair(valueName: d.text(a), value: d.text(b))
                }
            }
            var s = try sequence(item, order: ["valueName", "value"])
            let name = try text(required(&s, .valueName))
            let value = try text(required(&s, .value))
            try end(s)
            return CAPValuePair(valueName: name, value: value)
        }

        func alert(_ root: Item) throws(CAPError) -> CAPAlert {
            guard record(root).name == .alert else {
                throw CAPError(path: shown(name(root)), reason: "the root element is <\(shown(name(root)))>; a CAP 1.2 document is an <alert> in namespace \(namespace)")
            }
            guard isCAP(root) else {
                let reason: String
                switch d.namespace(root) {
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
            var s = try sequence(root, order: alertOrder + ["(XML signatures)"], allowTrailingSignatures: true)
            let identifier = try nonEmpty(required(&s, .identifier))
            let sender = try nonEmpty(required(&s, .sender))
            let sent = try dateTime(required(&s, .sent, allowed: "a dateTime such as 2003-04-02T14:39:01-05:00"))
            let status = try enumeration(required(&s, .status, allowed: CAPStatus.allCases.map(\.rawValue).joined(separator: ", ")), CAPStatus.self, "status")
            let msgType = try enumeration(required(&s, .msgType, allowed: CAPMsgType.allCases.map(\.rawValue).joined(separator: ", ")), CAPMsgType.self, "msgType")
            let source = try optional(&s, .source).map { (item) throws(CAPError) in try text(item) }
            let scope = try enumeration(required(&s, .scope, allowed: CAPScope.allCases.map(\.rawValue).joined(separator: ", ")), CAPScope.self, "scope")
            let restriction = try optional(&s, .restriction).map { (item) throws(CAPError) in try text(item) }
            let addresses = try optional(&s, .addresses).map { (item) throws(CAPError) in try text(item) }
            var codes: [String] = []
            for item in try repeated(&s, .code) { codes.append(try text(item)) }
            let note = try optional(&s, .note).map { (item) throws(CAPError) in try text(item) }
            let references = try optional(&s, .references).map { (item) throws(CAPError) in try text(item) }
            let incidents = try optional(&s, .incidents).map { (item) throws(CAPError) in try text(item) }
            var infos: [CAPInfo] = []
            let infoRun = try repeated(&s, .info)
            infos.reserveCapacity(infoRun.count)
            for item in infoRun { infos.append(try info(item)) }
            try end(s)
            let extensions = s.trailing.compactMap { (e: Item) -> String? in
                let k = record(e).extensionIndex
                return k < 0 ? nil : d.extensions[Int(k)]
            }
            return CAPAlert(identifier: identifier, sender: sender, sent: sent, status: status, msgType: msgType, source: source,
                            scope: scope, restriction: restriction, addresses: addresses, codes: codes, note: note,
                            references: references, incidents: incidents, infos: infos, extensions: extensions)
        }

        func info(_ item: Item) throws(CAPError) -> CAPInfo {
            var s = try sequence(item, order: infoOrder)
            var language: String?
            if let l = optional(&s, .language) {
                let value = try collapsed(l)
                guard isLanguageTag(value) else {
                    throw CAPError(path: path(l), reason: "\"\(shown(value))\" is not a language tag (RFC 3066, e.g. en-US, fr-CA)")
                }
                language = value
            }
            var categories: [CAPCategory] = []
            for c in try repeated(&s, .category, min: 1, allowed: CAPCategory.allCases.map(\.rawValue).joined(separator: ", ")) {
                categories.append(try enumeration(c, CAPCategory.self, "category"))
            }
            let event = try text(required(&s, .event))
            var responseTypes: [CAPResponseType] = []
            for r in try repeated(&s, .responseType) { responseTypes.append(try enumeration(r, CAPResponseType.self, "responseType")) }
            let urgency = try enumeration(required(&s, .urgency, allowed: CAPUrgency.allCases.map(\.rawValue).joined(separator: ", ")), CAPUrgency.self, "urgency")
            let severity = try enumeration(required(&s, .severity, allowed: CAPSeverity.allCases.map(\.rawValue).joined(separator: ", ")), CAPSeverity.self, "severity")
            let certainty = try enumeration(required(&s, .certainty, allowed: CAPCertainty.allCases.map(\.rawValue).joined(separator: ", ")), CAPCertainty.self, "certainty")
            let audience = try optional(&s, .audience).map { (i) throws(CAPError) in try text(i) }
            var eventCodes: [CAPValuePair] = []
            for e in try repeated(&s, .eventCode) { eventCodes.append(try valuePair(e)) }
            let effective = try optional(&s, .effective).map { (i) throws(CAPError) in try dateTime(i) }
            let onset = try optional(&s, .onset).map { (i) throws(CAPError) in try dateTime(i) }
            let expires = try optional(&s, .expires).map { (i) throws(CAPError) in try dateTime(i) }
            let senderName = try optional(&s, .senderName).map { (i) throws(CAPError) in try text(i) }
            let headline = try optional(&s, .headline).map { (i) throws(CAPError) in try text(i) }
            let description = try optional(&s, .description).map { (i) throws(CAPError) in try text(i) }
            let instruction = try optional(&s, .instruction).map { (i) throws(CAPError) in try text(i) }
            let web = try optional(&s, .web).map { (i) throws(CAPError) in try collapsed(i) }
            let contact = try optional(&s, .contact).map { (i) throws(CAPError) in try text(i) }
            var parameters: [CAPValuePair] = []
            for p in try repeated(&s, .parameter) { parameters.append(try valuePair(p)) }
            var resources: [CAPResource] = []
            for r in try repeated(&s, .resource) { resources.append(try resource(r)) }
            var areas: [CAPArea] = []
            let areaRun = try repeated(&s, .area)
            areas.reserveCapacity(areaRun.count)
            for a in areaRun { areas.append(try area(a)) }
            try end(s)
            return CAPInfo(language: language, categories: categories, event: event, responseTypes: responseTypes,
                           urgency: urgency, severity: severity, certainty: certainty, audience: audience, eventCodes: eventCodes,
                           effective: effective, onset: onset, expires: expires, senderName: senderName, headline: headline,
                           description: description, instruction: instruction, web: web, contact: contact,
                           parameters: parameters, resources: resources, areas: areas)
        }

        func resource(_ item: Item) throws(CAPError) -> CAPResource {
            var s = try sequence(item, order: resourceOrder)
            let desc = try text(required(&s, .resourceDesc))
            let mime = try text(required(&s, .mimeType))
            var size: Int64?
            if let z = optional(&s, .size) {
                let value = try collapsed(z)
                let digits = value.hasPrefix("+") ? String(value.dropFirst()) : value
                guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let n = Int64(digits) else {
                    throw CAPError(path: path(z), reason: "\"\(shown(value))\" is not a size in bytes (a non-negative integer)")
                }
                size = n
            }
            let uri = try optional(&s, .uri).map { (i) throws(CAPError) in try collapsed(i) }
            let deref = try optional(&s, .derefUri).map { (i) throws(CAPError) in try text(i) }
            let digest = try optional(&s, .digest).map { (i) throws(CAPError) in try text(i) }
            try end(s)
            return CAPResource(resourceDesc: desc, mimeType: mime, size: size, uri: uri, derefUri: deref, digest: digest)
        }

        func area(_ item: Item) throws(CAPError) -> CAPArea {
            var s = try sequence(item, order: areaOrder)
            let desc = try text(required(&s, .areaDesc))
            var polygons: [CAPPolygon] = []
            for p in try repeated(&s, .polygon) {
                switch polygon(try text(p)) {
                case .success(let polygon): polygons.append(polygon)
                case .failure(let e): throw CAPError(path: path(p), reason: e.reason)
                }
            }
            var circles: [CAPCircle] = []
            for c in try repeated(&s, .circle) {
                switch circle(try text(c)) {
                case .success(let circle): circles.append(circle)
                case .failure(let e): throw CAPError(path: path(c), reason: e.reason)
                }
            }
            var geocodes: [CAPValuePair] = []
            for g in try repeated(&s, .geocode) { geocodes.append(try valuePair(g)) }
            func decimal(_ name: CAPName) throws(CAPError) -> String? {
                guard let e = optional(&s, name) else { return nil }
                let value = try collapsed(e)
                guard CAPDecimal.parseMicro(value) != nil else {
                    throw CAPError(path: path(e), reason: "\"\(shown(value))\" is not a decimal number of feet")
                }
                return value
            }
            let altitude = try decimal(.altitude)
            let ceiling = try decimal(.ceiling)
            try end(s)
            return CAPArea(areaDesc: desc, polygons: polygons, circles: circles, geocodes: geocodes, altitude: altitude, ceiling: ceiling)
        }
    }

    /// Whether `s` is an RFC 3066 tag: 1–8 ASCII letters, then parts of 1–8 ASCII letters or digits, joined
    /// by `-`. Read on the UTF-8 bytes: any other byte refuses it, and for these bytes are characters.
    static func isLanguageTag(_ s: String) -> Bool {
        LocalizedText.isLanguageTag(s, primary: 1...8)
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
            points.reserveCapacity(u.count / 12 + 1)   // a point is usually 12–24 bytes: one allocation
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
                      let lat = CAPDecimal.parseMicro(bytes: UnsafeBufferPointer(rebasing: u[start..<comma])),
                      let lon = CAPDecimal.parseMicro(bytes: UnsafeBufferPointer(rebasing: u[(comma + 1)..<i])),
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
        if let circle = plainCircle(text) { return .success(circle) }
        return generalCircle(text)
    }

    /// `circle(_:)` for the usual text, `lat,lon radius` of digits, signs and points separated by spaces,
    /// tabs and line feeds, read straight from the UTF-8 bytes; nil for anything else (other characters, a
    /// value out of range), which `generalCircle` then reads and explains. Gives the circle the general
    /// code gives for the texts it accepts.
    static func plainCircle(_ text: String) -> CAPCircle? {
        var copy = text
        return copy.withUTF8 { (u: UnsafeBufferPointer<UInt8>) -> CAPCircle? in
            // The two tokens' ranges, kept in locals (an array of them was an allocation per circle).
            var first = 0..<0, second = 0..<0, tokens = 0
            var i = 0
            while i < u.count {
                let b = u[i]
                if b == 0x20 || b == 0x0A || b == 0x09 { i += 1; continue }
                let start = i
                while i < u.count, u[i] != 0x20, u[i] != 0x0A, u[i] != 0x09 {
                    switch u[i] {
                    case 0x30...0x39, 0x2B, 0x2C, 0x2D, 0x2E: break
                    default: return nil
                    }
                    i += 1
                }
                guard tokens < 2 else { return nil }
                if tokens == 0 { first = start..<i } else { second = start..<i }
                tokens += 1
            }
            guard tokens == 2, let comma = u[first].firstIndex(of: 0x2C),
                  !u[(comma + 1)..<first.upperBound].contains(0x2C), !u[second].contains(0x2C),
                  let lat = CAPDecimal.parseMicro(bytes: UnsafeBufferPointer(rebasing: u[first.lowerBound..<comma])),
                  let lon = CAPDecimal.parseMicro(bytes: UnsafeBufferPointer(rebasing: u[(comma + 1)..<first.upperBound])),
                  (-90_000_000...90_000_000).contains(lat), (-180_000_000...180_000_000).contains(lon),
                  let radius = CAPDecimal.parseMicro(bytes: UnsafeBufferPointer(rebasing: u[second])), radius >= 0 else { return nil }
            return CAPCircle(center: CAPPoint(latitude: lat, longitude: lon), radiusMillimetres: radius, written: text)
        }
    }

    /// `circle(_:)` for any text, with the reason when it is not a circle (what `plainCircle` leaves).
    static func generalCircle(_ text: String) -> Result<CAPCircle, CAPError> {
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
}
