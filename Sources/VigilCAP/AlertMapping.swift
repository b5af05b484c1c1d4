import Foundation
import VigilModel

// CAP alert ↔ Vigil alert body (a FieldMap). Field names, enumerations and units are fixed and shared
// with the alert schema (docs/cap.md has the table):
//   event, status, urgency, severity, certainty, categories, areas[{description, polygons, circles}],
//   headline, description, instruction, effective, onset, expires, sender_name, web, language,
//   cap_identifier, cap_sender, cap_sent.
// Enumerations are lowercase, timestamps integer milliseconds since the epoch, coordinates integer
// micro-degrees, circle radii integer metres.

/// One Vigil alert body made from one CAP `<info>` block.
public struct CAPImportedAlert: Hashable, Sendable {
    /// The alert body.
    public var fields: FieldMap
    /// What was changed or left out on the way (truncated headline, dropped parameters, …), for the operator.
    public var warnings: [String]
    /// Which `<info>` of the CAP alert this body comes from (0-based).
    public var infoIndex: Int
    /// The CAP message type: for `.update` and `.cancel` the caller decides what to do (a Cancel may become
    /// a retraction of the alert entries imported from the `references`).
    public var msgType: CAPMsgType
    /// The earlier CAP messages this one refers to (`<references>`).
    public var references: [CAPReference]

    /// An imported body.
    public init(fields: FieldMap, warnings: [String], infoIndex: Int, msgType: CAPMsgType, references: [CAPReference]) {
        self.fields = fields
        self.warnings = warnings
        self.infoIndex = infoIndex
        self.msgType = msgType
        self.references = references
    }
}

/// CAP → Vigil alert bodies.
public enum CAPImport {
    /// Areas in one Vigil alert.
    public static let maxAreas = 32
    /// Characters (grapheme clusters) in a Vigil headline; longer CAP headlines are truncated with a warning.
    public static let maxHeadlineCharacters = 160
    /// Points in one polygon: its flat list of integers must fit a field-map list.
    public static let maxPolygonPoints = FieldMap.Limits.maxListItems / 2
    /// The description given to an `<info>` without any `<area>`.
    public static let unspecifiedArea = "unspecified area"

    /// Parses a CAP document and maps it: `CAPParser.parse` then `alertBodies(from:)`.
    public static func alertBodies(fromXML data: Data) throws(CAPError) -> [CAPImportedAlert] {
        try alertBodies(from: CAPParser.parse(data))
    }

    /// One alert body per `<info>` block, in document order.
    ///
    /// Refuses status System and Draft, msgType Ack and Error, alerts without `<info>`, infos with more
    /// than 32 areas or polygons of more than 512 points, and bodies larger than an entry can carry.
    public static func alertBodies(from alert: CAPAlert) throws(CAPError) -> [CAPImportedAlert] {
        let status: String
        switch alert.status {
        case .actual, .exercise, .test: status = alert.status.rawValue.lowercased()
        case .system, .draft:
            throw CAPError(path: "alert/status", reason: "status \(alert.status.rawValue) is not an alert to send; Vigil imports Actual, Exercise and Test")
        }
        switch alert.msgType {
        case .alert, .update, .cancel: break
        case .ack, .error:
            throw CAPError(path: "alert/msgType", reason: "msgType \(alert.msgType.rawValue) answers another message and is not an alert; Vigil imports Alert, Update and Cancel")
        }
        guard !alert.infos.isEmpty else {
            throw CAPError(path: "alert/info", reason: "the alert has no <info> block, so there is no alert to import")
        }
        var alertWarnings: [String] = []
        var dropped: [String] = []
        func note(_ name: String, _ count: Int) { if count > 0 { dropped.append(count == 1 ? "<\(name)>" : "\(count) <\(name)>") } }
        note("source", alert.source == nil ? 0 : 1)
        note("restriction", alert.restriction == nil ? 0 : 1)
        note("addresses", alert.addresses == nil ? 0 : 1)
        note("code", alert.codes.count)
        note("note", alert.note == nil ? 0 : 1)
        note("incidents", alert.incidents == nil ? 0 : 1)
        if alert.scope != .public {
            alertWarnings.append("CAP scope is \(alert.scope.rawValue): choose the Vigil audience accordingly (the import does not set one)")
        }
        if alert.msgType != .alert {
            alertWarnings.append("CAP msgType is \(alert.msgType.rawValue), referring to \(alert.parsedReferences.count) earlier message(s): decide whether this updates or retracts them")
        }
        if let references = alert.references, alert.parsedReferences.count != references.split(whereSeparator: \.isWhitespace).count {
            alertWarnings.append("some <references> entries are not sender,identifier,sent triples and were skipped")
        }
        let alertDropped = dropped

        var result: [CAPImportedAlert] = []
        for (i, info) in alert.infos.enumerated() {
            let path = "alert/info[\(i)]"
            var warnings = alertWarnings
            var f = FieldMap()
            let event = info.event.trimmingCharacters(in: .whitespacesAndNewlines)
            f["event"] = .text(event.isEmpty ? "unspecified event" : info.event)
            if event.isEmpty { warnings.append("\(path)/event is empty; the event is \"unspecified event\"") }
            f["status"] = .text(status)
            f["urgency"] = .text(info.urgency.rawValue.lowercased())
            f["severity"] = .text(info.severity.rawValue.lowercased())
            f["certainty"] = .text(info.certainty.rawValue.lowercased())
            f["categories"] = .list(info.categories.map { .text($0.rawValue.lowercased()) })

            var areas: [FieldValue] = []
            if info.areas.isEmpty {
                areas.append(.map(["description": .text(unspecifiedArea)]))
                warnings.append("\(path) has no <area>; the alert gets one area described as \"\(unspecifiedArea)\"")
            }
            guard info.areas.count <= maxAreas else {
                throw CAPError(path: "\(path)/area[\(maxAreas)]", reason: "\(info.areas.count) areas; a Vigil alert holds 1-\(maxAreas) areas")
            }
            var geocodes = 0, altitudes = 0
            for (j, area) in info.areas.enumerated() {
                var a = FieldMap()
                let described = !area.areaDesc.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                a["description"] = .text(described ? area.areaDesc : unspecifiedArea)
                if !described { warnings.append("\(path)/area[\(j)]/areaDesc is empty; described as \"\(unspecifiedArea)\"") }
                if !area.polygons.isEmpty {
                    guard area.polygons.count <= FieldMap.Limits.maxListItems else {
                        throw CAPError(path: "\(path)/area[\(j)]/polygon[\(FieldMap.Limits.maxListItems)]", reason: "\(area.polygons.count) polygons; an area holds at most \(FieldMap.Limits.maxListItems)")
                    }
                    var polygons: [FieldValue] = []
                    for (k, polygon) in area.polygons.enumerated() {
                        guard polygon.points.count <= maxPolygonPoints else {
                            throw CAPError(path: "\(path)/area[\(j)]/polygon[\(k)]", reason: "\(polygon.points.count) points; a Vigil polygon holds at most \(maxPolygonPoints) points")
                        }
                        polygons.append(.list(polygon.points.flatMap { [FieldValue.integer($0.latitude), .integer($0.longitude)] }))
                    }
                    a["polygons"] = .list(polygons)
                }
                if !area.circles.isEmpty {
                    guard area.circles.count <= FieldMap.Limits.maxListItems else {
                        throw CAPError(path: "\(path)/area[\(j)]/circle[\(FieldMap.Limits.maxListItems)]", reason: "\(area.circles.count) circles; an area holds at most \(FieldMap.Limits.maxListItems)")
                    }
                    a["circles"] = .list(area.circles.map { c in
                        .map(["lat": .integer(c.center.latitude), "lon": .integer(c.center.longitude),
                              "radius_m": .integer((c.radiusMillimetres + 500) / 1000)])
                    })
                    for (k, c) in area.circles.enumerated() where c.radiusMillimetres % 1000 != 0 {
                        warnings.append("\(path)/area[\(j)]/circle[\(k)] radius \(CAPDecimal.format(micro: c.radiusMillimetres)) km is rounded to whole metres")
                    }
                }
                geocodes += area.geocodes.count
                altitudes += (area.altitude == nil ? 0 : 1) + (area.ceiling == nil ? 0 : 1)
                areas.append(.map(a))
            }
            f["areas"] = .list(areas)

            if let headline = info.headline, !headline.isEmpty {
                if headline.count > maxHeadlineCharacters {
                    f["headline"] = .text(String(headline.prefix(maxHeadlineCharacters)))
                    warnings.append("\(path)/headline has \(headline.count) characters; truncated to \(maxHeadlineCharacters)")
                } else {
                    f["headline"] = .text(headline)
                }
            }
            func text(_ name: String, _ value: String?) {
                if let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { f[name] = .text(value) }
            }
            text("description", info.description)
            text("instruction", info.instruction)
            text("sender_name", info.senderName)
            text("web", info.web)
            text("language", info.language)
            if let t = info.effective { f["effective"] = .integer(t.milliseconds) }
            if let t = info.onset { f["onset"] = .integer(t.milliseconds) }
            if let t = info.expires { f["expires"] = .integer(t.milliseconds) }
            f["cap_identifier"] = .text(alert.identifier)
            f["cap_sender"] = .text(alert.sender)
            f["cap_sent"] = .integer(alert.sent.milliseconds)

            dropped = alertDropped
            note("responseType", info.responseTypes.count)
            note("audience", info.audience == nil ? 0 : 1)
            note("eventCode", info.eventCodes.count)
            note("contact", info.contact == nil ? 0 : 1)
            note("parameter", info.parameters.count)
            note("resource", info.resources.count)
            note("geocode", geocodes)
            note("altitude/ceiling", altitudes)
            if !dropped.isEmpty {
                warnings.append("\(path): not carried into the Vigil alert: \(dropped.joined(separator: ", "))")
            }

            let size: Int
            do { size = try f.encoded().count } catch {
                throw CAPError(path: path, reason: "the alert body cannot be encoded: \(error)")
            }
            guard size <= EntryLimits.maxBodyBytes else {
                throw CAPError(path: path, reason: "the alert body would be \(size) bytes; an entry body holds at most \(EntryLimits.maxBodyBytes)")
            }
            result.append(CAPImportedAlert(fields: f, warnings: warnings, infoIndex: i, msgType: alert.msgType, references: alert.parsedReferences))
        }
        return result
    }
}

/// Vigil alert body → CAP.
public enum CAPExport {
    /// A CAP 1.2 alert with one `<info>` made from `fields` (a valid Vigil alert body).
    ///
    /// `sentMilliseconds` and the body's timestamps are written in UTC (`-00:00`), to the second.
    /// Polygons that are not closed are closed by repeating the first point. A body without categories
    /// gets CAP category Other. Fails, naming the field, when a required field (event, status, urgency,
    /// severity, certainty) is missing, a value is not one of the Vigil enumerations, or a coordinate,
    /// time or language cannot be written as CAP.
    public static func capAlert(fields: FieldMap, identifier: String, sender: String, sentMilliseconds: Int64,
                                msgType: CAPMsgType = .alert, references: [CAPReference] = [],
                                scope: CAPScope = .public) throws(CAPError) -> CAPAlert {
        guard !identifier.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CAPError(path: "identifier", reason: "the CAP identifier must not be empty")
        }
        guard !sender.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CAPError(path: "sender", reason: "the CAP sender must not be empty")
        }
        guard let sent = CAPDateTime(milliseconds: sentMilliseconds) else {
            throw CAPError(path: "sent", reason: "\(sentMilliseconds) ms is outside the years 1-9999")
        }
        let status: CAPStatus = try enumeration(fields, "status", [.actual, .exercise, .test])
        let info = try self.info(fields)
        return CAPAlert(identifier: identifier, sender: sender, sent: sent, status: status, msgType: msgType, scope: scope,
                        references: references.isEmpty ? nil : references.map(\.text).joined(separator: " "),
                        infos: [info])
    }

    /// The same with `sent` as a `Date`.
    public static func capAlert(fields: FieldMap, identifier: String, sender: String, sent: Date,
                                msgType: CAPMsgType = .alert, references: [CAPReference] = [],
                                scope: CAPScope = .public) throws(CAPError) -> CAPAlert {
        let ms = sent.timeIntervalSince1970 * 1000
        guard ms.isFinite, abs(ms) < 1e15 else { throw CAPError(path: "sent", reason: "\(sent) is outside the years 1-9999") }
        return try capAlert(fields: fields, identifier: identifier, sender: sender, sentMilliseconds: Int64(ms.rounded(.down)),
                            msgType: msgType, references: references, scope: scope)
    }

    /// `capAlert(…)` written as CAP 1.2 XML.
    public static func xml(fields: FieldMap, identifier: String, sender: String, sentMilliseconds: Int64,
                           msgType: CAPMsgType = .alert, references: [CAPReference] = [],
                           scope: CAPScope = .public) throws(CAPError) -> Data {
        CAPWriter.xml(try capAlert(fields: fields, identifier: identifier, sender: sender, sentMilliseconds: sentMilliseconds,
                                   msgType: msgType, references: references, scope: scope))
    }

    private static func text(_ map: FieldMap, _ name: String, path: String = "") throws(CAPError) -> String? {
        switch map[name] {
        case nil: return nil
        case .text(let t)?: return t
        case let other?: throw CAPError(path: path + name, reason: "expected text, found \(kind(other))")
        }
    }

    private static func required(_ map: FieldMap, _ name: String) throws(CAPError) -> String {
        guard let t = try text(map, name) else { throw CAPError(path: name, reason: "required field is missing") }
        return t
    }

    private static func integer(_ value: FieldValue?, _ path: String) throws(CAPError) -> Int64? {
        switch value {
        case nil: return nil
        case .integer(let n)?: return n
        case let other?: throw CAPError(path: path, reason: "expected an integer, found \(kind(other))")
        }
    }

    private static func kind(_ value: FieldValue) -> String {
        switch value {
        case .text: "text"
        case .integer: "an integer"
        case .bool: "a bool"
        case .list: "a list"
        case .map: "a map"
        case .id: "an id"
        }
    }

    private static func enumeration<E: RawRepresentable>(_ map: FieldMap, _ name: String, _ allowed: [E]) throws(CAPError) -> E where E.RawValue == String {
        let value = try required(map, name)
        guard let e = allowed.first(where: { $0.rawValue.lowercased() == value }) else {
            throw CAPError(path: name, reason: "\"\(value)\" is not allowed; allowed: \(allowed.map { $0.rawValue.lowercased() }.joined(separator: ", "))")
        }
        return e
    }

    private static func time(_ map: FieldMap, _ name: String) throws(CAPError) -> CAPDateTime? {
        guard let ms = try integer(map[name], name) else { return nil }
        guard let t = CAPDateTime(milliseconds: ms) else { throw CAPError(path: name, reason: "\(ms) ms is outside the years 1-9999") }
        return t
    }

    private static func point(_ lat: Int64, _ lon: Int64, _ path: String) throws(CAPError) -> CAPPoint {
        guard (-90_000_000...90_000_000).contains(lat) else { throw CAPError(path: path, reason: "latitude \(lat) micro-degrees is outside -90…90 degrees") }
        guard (-180_000_000...180_000_000).contains(lon) else { throw CAPError(path: path, reason: "longitude \(lon) micro-degrees is outside -180…180 degrees") }
        return CAPPoint(latitude: lat, longitude: lon)
    }

    /// `web` as an `xs:anyURI`: spaces and the few characters a URI cannot hold are percent-encoded.
    static func uri(_ text: String) -> String {
        var out = ""
        for byte in text.trimmingCharacters(in: .whitespacesAndNewlines).utf8 {
            switch byte {
            case 0x00...0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F:
                let hex = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        // Non-ASCII bytes were appended one by one above; rebuild them as UTF-8.
        return String(decoding: out.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }, as: UTF8.self)
    }

    static func info(_ f: FieldMap) throws(CAPError) -> CAPInfo {
        let event = try required(f, "event")
        let urgency: CAPUrgency = try enumeration(f, "urgency", CAPUrgency.allCases)
        let severity: CAPSeverity = try enumeration(f, "severity", CAPSeverity.allCases)
        let certainty: CAPCertainty = try enumeration(f, "certainty", CAPCertainty.allCases)
        var categories: [CAPCategory] = []
        switch f["categories"] {
        case nil: break
        case .list(let items)?:
            for (i, item) in items.enumerated() {
                guard case .text(let t) = item, let c = CAPCategory.allCases.first(where: { $0.rawValue.lowercased() == t }) else {
                    throw CAPError(path: "categories[\(i)]", reason: "not a category; allowed: \(CAPCategory.allCases.map { $0.rawValue.lowercased() }.joined(separator: ", "))")
                }
                categories.append(c)
            }
        case let other?: throw CAPError(path: "categories", reason: "expected a list, found \(kind(other))")
        }
        if categories.isEmpty { categories = [.other] }
        var language = try text(f, "language")
        if let l = language {
            let trimmed = l.trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
            let ok = !parts.isEmpty && parts.enumerated().allSatisfy { i, p in
                (1...8).contains(p.count) && p.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || (i > 0 && ("0"..."9").contains($0))) }
            }
            guard ok else { throw CAPError(path: "language", reason: "\"\(l)\" is not a language tag (RFC 3066, e.g. en-US)") }
            language = trimmed
        }

        var areas: [CAPArea] = []
        switch f["areas"] {
        case nil: break
        case .list(let items)?:
            for (i, item) in items.enumerated() {
                let path = "areas[\(i)]"
                guard case .map(let a) = item else { throw CAPError(path: path, reason: "expected a map, found \(kind(item))") }
                let desc = try text(a, "description", path: path + ".") ?? CAPImport.unspecifiedArea
                var polygons: [CAPPolygon] = []
                switch a["polygons"] {
                case nil: break
                case .list(let ps)?:
                    for (k, p) in ps.enumerated() {
                        let ppath = "\(path).polygons[\(k)]"
                        guard case .list(let values) = p else { throw CAPError(path: ppath, reason: "expected a list of integers, found \(kind(p))") }
                        var ints: [Int64] = []
                        for (n, v) in values.enumerated() {
                            guard case .integer(let x) = v else { throw CAPError(path: "\(ppath)[\(n)]", reason: "expected an integer (micro-degrees), found \(kind(v))") }
                            ints.append(x)
                        }
                        guard ints.count % 2 == 0 else { throw CAPError(path: ppath, reason: "\(ints.count) integers; a polygon is lat, lon pairs") }
                        var points: [CAPPoint] = []
                        for n in stride(from: 0, to: ints.count, by: 2) { points.append(try point(ints[n], ints[n + 1], "\(ppath)[\(n)]")) }
                        if let first = points.first, first != points.last { points.append(first) }
                        guard points.count >= 4 else {
                            throw CAPError(path: ppath, reason: "a polygon needs at least 3 distinct points (4 with the closing point)")
                        }
                        polygons.append(CAPPolygon(points: points))
                    }
                case let other?: throw CAPError(path: "\(path).polygons", reason: "expected a list, found \(kind(other))")
                }
                var circles: [CAPCircle] = []
                switch a["circles"] {
                case nil: break
                case .list(let cs)?:
                    for (k, c) in cs.enumerated() {
                        let cpath = "\(path).circles[\(k)]"
                        guard case .map(let m) = c else { throw CAPError(path: cpath, reason: "expected a map, found \(kind(c))") }
                        guard let lat = try integer(m["lat"], "\(cpath).lat"), let lon = try integer(m["lon"], "\(cpath).lon"),
                              let radius = try integer(m["radius_m"], "\(cpath).radius_m") else {
                            throw CAPError(path: cpath, reason: "a circle needs lat, lon and radius_m")
                        }
                        guard radius >= 0, radius <= 100_000_000 else {
                            throw CAPError(path: "\(cpath).radius_m", reason: "radius \(radius) m is outside 0…100,000 km")
                        }
                        circles.append(CAPCircle(center: try point(lat, lon, cpath), radiusMillimetres: radius * 1000))
                    }
                case let other?: throw CAPError(path: "\(path).circles", reason: "expected a list, found \(kind(other))")
                }
                areas.append(CAPArea(areaDesc: desc, polygons: polygons, circles: circles))
            }
        case let other?: throw CAPError(path: "areas", reason: "expected a list, found \(kind(other))")
        }

        return CAPInfo(language: language, categories: categories, event: event, urgency: urgency, severity: severity,
                       certainty: certainty, effective: try time(f, "effective"), onset: try time(f, "onset"),
                       expires: try time(f, "expires"), senderName: try text(f, "sender_name"),
                       headline: try text(f, "headline"), description: try text(f, "description"),
                       instruction: try text(f, "instruction"), web: try text(f, "web").map(uri), areas: areas)
    }
}
