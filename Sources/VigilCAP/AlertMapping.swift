import Foundation
import VigilModel

// CAP alert ↔ Vigil alert body (a FieldMap). docs/cap.md has the table.
//
// One CAP message is one alert entry. Its body holds (1) the whole message, losslessly, in the CAP fields
// (`CAPBody`: cap, cap_infos, cap_resources, cap_areas), from which export writes it back, and (2) the
// Vigil view of it — the alert schema's own fields (event, urgency, areas, …) from the first <info>, and
// `translations` from the first <info> of every other language — which Vigil shows, filters and
// summarises. The view is fitted to the alert schema's limits (long texts cut, extra areas left out), with
// a warning each time; the CAP fields are never cut.

/// The Vigil alert body made from one CAP message.
public struct CAPImportedAlert: Hashable, Sendable {
    /// The CAP message, which the body holds whole in its CAP fields (`CAPBody`).
    public let alert: CAPAlert
    /// The entry body: the Vigil view and the CAP fields, encoded once by the import (it is also what the
    /// size limit is checked on), so that nobody needs to encode the body again.
    public let body: [UInt8]
    /// Where the Vigil view differs from the CAP message (cut texts, areas left out, …), for the operator.
    /// The CAP message itself is kept whole and exported unchanged.
    public var warnings: [String]
    /// The CAP message type. Update and Cancel become relations to the referenced alerts in the log.
    public var msgType: CAPMsgType
    /// The earlier CAP messages this one refers to (`<references>`).
    public var references: [CAPReference]
    /// Whether the view meets the alert schema by construction (`AlertView.meetsSchema`).
    let viewMeetsSchema: Bool

    /// An imported body; `body` is the encoding of `view` plus `alert`'s CAP fields.
    init(alert: CAPAlert, body: [UInt8], warnings: [String], viewMeetsSchema: Bool) {
        self.alert = alert
        self.body = body
        self.warnings = warnings
        self.msgType = alert.msgType
        self.references = alert.parsedReferences
        self.viewMeetsSchema = viewMeetsSchema
    }

    /// The Vigil view: the alert schema's own fields (event, urgency, areas, …), without the CAP fields.
    /// Made again on each use (the import writes it straight into `body`).
    public var view: FieldMap { CAPImport.alertView(of: alert).fields }

    /// The alert body as a field map: the view and the CAP fields (`CAPBody.store`). Built on each use;
    /// its canonical encoding is `body`.
    public var fields: FieldMap {
        var f = view
        CAPBody.store(alert, into: &f)
        return f
    }
}

/// CAP → a Vigil alert body.
public enum CAPImport {
    /// Areas in the Vigil view; further ones stay in the CAP fields only.
    public static let maxAreas = 32
    /// Characters (grapheme clusters) in a Vigil headline.
    public static let maxHeadlineCharacters = 160
    /// Points in one polygon of the Vigil view.
    public static let maxPolygonPoints = 512
    /// The description given to an `<info>` without any `<area>`.
    public static let unspecifiedArea = "unspecified area"
    /// The event shown for a CAP message without `<info>` (an Ack, an Error, a Cancel without text).
    public static let noInfoEvent = "CAP message without info"

    /// Parses a CAP document and maps it: `CAPParser.parse` then `alertBody(from:)`.
    public static func alertBody(fromXML data: Data) throws(CAPError) -> CAPImportedAlert {
        try alertBody(from: CAPParser.parse(data), sizeHint: data.count)
    }

    /// The alert body for a CAP message: every message the CAP 1.2 schema accepts maps (status, msgType
    /// and scope of any value, with or without `<info>`). Refused only when the whole message does not fit
    /// an entry body (120 KiB; e.g. a large `derefUri`), naming the biggest part.
    public static func alertBody(from alert: CAPAlert) throws(CAPError) -> CAPImportedAlert {
        try alertBody(from: alert, sizeHint: 1024)
    }

    /// `alertBody(from:)` with room for `sizeHint` body bytes made up front.
    static func alertBody(from alert: CAPAlert, sizeHint: Int) throws(CAPError) -> CAPImportedAlert {
        let view = alertView(of: alert)
        // The bytes straight from the model; the general path only when a limit of the encoding is broken,
        // to name it (both give the same bytes: CAPBodyWriterTests).
        let body: [UInt8]
        if let written = CAPBodyWriter.body(view: view, alert: alert, capacity: sizeHint + 256) {
            body = written
        } else {
            body = try generalBody(view: view.fields, alert: alert)
        }
        let size = body.count
        guard size <= EntryLimits.maxBodyBytes else {
            var biggest = ""
            var most = 0
            for (i, info) in alert.infos.enumerated() {
                for (k, r) in info.resources.enumerated() where (r.derefUri?.utf8.count ?? 0) > most {
                    most = r.derefUri?.utf8.count ?? 0
                    biggest = "; the largest part is alert/info[\(i)]/resource[\(k)]/derefUri (\(most) bytes): embedded resources that large need attachments, which Vigil does not have yet — send the resource by <uri> instead"
                }
            }
            throw CAPError(path: "alert", reason: "the alert body would be \(size) bytes; an entry body holds at most \(EntryLimits.maxBodyBytes)\(biggest)")
        }
        return CAPImportedAlert(alert: alert, body: body, warnings: view.warnings, viewMeetsSchema: view.meetsSchema)
    }

    /// The body bytes the general way: the CAP fields stored into the view's `FieldMap` (`CAPBody.store`),
    /// then encoded; the encoder names a field that breaks a limit. `CAPBodyWriter` is its fast path.
    static func generalBody(view: FieldMap, alert: CAPAlert) throws(CAPError) -> [UInt8] {
        var f = view
        CAPBody.store(alert, into: &f)
        do { return try f.encoded() } catch {
            throw CAPError(path: "alert", reason: "the alert body cannot be encoded: \(error)")
        }
    }

    /// `text` cut to `limit` characters, with a warning; nil (and a warning) when blank.
    /// (`path` is made only for a warning: most texts fit.)
    private static func fitted(_ text: String?, _ limit: Int, _ path: @autoclosure () -> String, _ warnings: inout [String]) -> String? {
        guard let text, !text.isBlank else { return nil }
        // Characters ≤ UTF-8 bytes: count characters (grapheme breaking) only when it may matter.
        guard text.utf8.count > limit, text.count > limit else { return text }
        warnings.append("\(path()) has \(text.count) characters; the Vigil view shows the first \(limit) (the CAP message keeps all)")
        return String(text.prefix(limit))
    }

    /// A CAP time as a Vigil timestamp (1970…9999), or nil with a warning.
    private static func time(_ t: CAPDateTime?, _ path: @autoclosure () -> String, _ warnings: inout [String]) -> Int64? {
        guard let t else { return nil }
        guard t.milliseconds >= 0 else {
            warnings.append("\(path()) \(t.text) is before 1970; the Vigil view leaves it out (the CAP message keeps it)")
            return nil
        }
        // A CAP time in the year 9999 with a negative offset is in the year 10000 in UTC.
        guard t.milliseconds <= KindSchemas.maxTimestamp else {
            warnings.append("\(path()) \(t.text) is after 9999 in UTC; the Vigil view leaves it out (the CAP message keeps it)")
            return nil
        }
        return t.milliseconds
    }

    /// Whether a language tag fits the alert schema's `language` (2–3 letter primary subtag).
    static func isVigilLanguage(_ tag: String) -> Bool {
        // A language tag is ASCII, so its bytes are its characters.
        LocalizedText.isLanguageTag(tag) && (2...35).contains(tag.utf8.count)
    }

    /// The Vigil view of a CAP message as a field map, and the warnings (`alertView(of:)`).
    static func view(of alert: CAPAlert) -> (FieldMap, [String]) {
        let view = alertView(of: alert)
        return (view.fields, view.warnings)
    }

    /// The Vigil view of a CAP message, fitted to the alert schema, with the warnings in the order of the
    /// fields they concern as CAP has them.
    static func alertView(of alert: CAPAlert) -> AlertView {
        var v = AlertView()
        v.status = alert.status.vigilName
        v.capIdentifier = fitted(alert.identifier, 256, "alert/identifier", &v.warnings)
        v.capSender = fitted(alert.sender, 256, "alert/sender", &v.warnings)
        v.capSent = time(alert.sent, "alert/sent", &v.warnings)
        if alert.scope != .public {
            v.warnings.append("CAP scope is \(alert.scope.rawValue): choose the Vigil audience accordingly (the import does not set one)")
        }
        guard !alert.infos.isEmpty else {
            // No <info> (an Ack, an Error, a Cancel, or an Alert without one): the view says so.
            v.areas = [AlertView.Area(description: unspecifiedArea)]
            v.categories = ["other"]
            v.warnings.append("the CAP \(alert.msgType.rawValue) has no <info>; the Vigil view shows \"\(noInfoEvent)\" with unknown urgency, severity and certainty")
            return v
        }
        // The infos are read in place, through the buffer: copying a CAPInfo retains all its fields.
        alert.infos.withUnsafeBufferPointer { infos in view(of: infos, into: &v) }
        return v
    }

    /// The view's fields from the infos (at least one).
    private static func view(of infos: UnsafeBufferPointer<CAPInfo>, into v: inout AlertView) {
        let path = "alert/info[0]"
        texts(infos.baseAddress!, path, &v.warnings, into: &v.event, &v.headline, &v.description, &v.instruction)
        v.urgency = infos[0].urgency.vigilName
        v.severity = infos[0].severity.vigilName
        v.certainty = infos[0].certainty.vigilName
        for c in infos[0].categories {
            let name = c.vigilName
            if !v.categories.contains(name) { v.categories.append(name) }
        }
        if v.categories.isEmpty { v.meetsSchema = false }

        let areaCount = infos[0].areas.count
        v.areas.reserveCapacity(min(areaCount, maxAreas))
        for j in 0..<min(areaCount, maxAreas) {
            func apath() -> String { "\(path)/area[\(j)]" }
            var area = AlertView.Area(description: fitted(infos[0].areas[j].areaDesc, 1000, "\(apath())/areaDesc", &v.warnings) ?? unspecifiedArea)
            for (k, polygon) in infos[0].areas[j].polygons.enumerated() {
                guard polygon.points.count <= maxPolygonPoints, area.polygons.count < 32 else {
                    v.warnings.append("\(apath())/polygon[\(k)] (\(polygon.points.count) points) is not in the Vigil view (at most 32 polygons of \(maxPolygonPoints) points); the CAP message keeps it")
                    continue
                }
                // The parser gives only closed polygons of at least 4 points in range; a message made by hand may not.
                if v.meetsSchema && !isClosedRing(polygon.points) { v.meetsSchema = false }
                area.polygons.append(polygon.points)
            }
            for (k, c) in infos[0].areas[j].circles.enumerated() {
                let metres = (c.radiusMillimetres + 500) / 1000
                guard metres <= 20_000_000, area.circles.count < 32 else {
                    v.warnings.append("\(apath())/circle[\(k)] is not in the Vigil view (at most 32 circles of radius up to 20,000 km); the CAP message keeps it")
                    continue
                }
                if metres < 0 || !isInRange(c.center) { v.meetsSchema = false }
                area.circles.append(AlertView.Circle(latitude: c.center.latitude, longitude: c.center.longitude, metres: metres))
            }
            v.areas.append(area)
        }
        if areaCount > maxAreas {
            v.warnings.append("\(path) has \(areaCount) areas; the Vigil view shows the first \(maxAreas) (the CAP message keeps all)")
        }
        if v.areas.isEmpty {
            v.areas.append(AlertView.Area(description: unspecifiedArea))
            v.warnings.append("\(path) has no <area>; the Vigil view shows one area described as \"\(unspecifiedArea)\"")
        }
        v.senderName = fitted(infos[0].senderName, 200, "\(path)/senderName", &v.warnings)
        v.web = fitted(infos[0].web, 1000, "\(path)/web", &v.warnings)
        v.effective = time(infos[0].effective, "\(path)/effective", &v.warnings)
        v.onset = time(infos[0].onset, "\(path)/onset", &v.warnings)
        v.expires = time(infos[0].expires, "\(path)/expires", &v.warnings)
        if let e = v.expires, (v.effective ?? Int64.min) > e || (v.onset ?? Int64.min) > e {
            v.expires = nil
            v.warnings.append("\(path)/expires is before effective or onset; the Vigil view leaves it out (the CAP message keeps it)")
        }
        if let tag = infos[0].language {
            if isVigilLanguage(tag) { v.language = tag } else {
                v.warnings.append("\(path)/language \"\(tag)\" is not a tag Vigil can select by; the CAP message keeps it")
            }
        }
        // One translation per further language, from its first <info>: a language is new when no earlier
        // info's (the first's defaulting to en-US) is the same tag in any case (a few infos: compared in place).
        v.translations.reserveCapacity(min(infos.count - 1, LocalizedText.maxTranslations))
        for i in infos.indices.dropFirst() {
            guard let tag = infos[i].language, isVigilLanguage(tag) else { continue }
            guard !sameTagCaseless(tag, infos[0].language ?? "en-US"),
                  !(1..<i).contains(where: { k in infos[k].language.map { isVigilLanguage($0) && sameTagCaseless($0, tag) } ?? false })
            else { continue }
            var t = AlertView.Translation(language: tag, event: "")
            texts(infos.baseAddress! + i, "alert/info[\(i)]", &v.warnings, into: &t.event, &t.headline, &t.description, &t.instruction)
            if v.translations.count < LocalizedText.maxTranslations { v.translations.append(t) }
        }
    }

    /// Whether two language tags are equal but for ASCII case (a tag's characters are ASCII; other text
    /// is compared as it stands).
    static func sameTagCaseless(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { x, y in
            x == y || (x | 0x20 == y | 0x20 && (0x61...0x7A).contains(x | 0x20))
        }
    }

    /// Whether `points` is a polygon the alert schema takes: 4 or more points in range, the first equal to the last.
    private static func isClosedRing(_ points: [CAPPoint]) -> Bool {
        guard points.count >= 4, points[0] == points[points.count - 1] else { return false }
        for p in points where !isInRange(p) { return false }
        return true
    }

    @inline(__always) private static func isInRange(_ p: CAPPoint) -> Bool {
        (-90_000_000...90_000_000).contains(p.latitude) && (-180_000_000...180_000_000).contains(p.longitude)
    }

    /// The translatable texts of an info — event, headline, description, instruction — fitted, with their
    /// warnings in that order.
    private static func texts(_ p: UnsafePointer<CAPInfo>, _ path: @autoclosure () -> String, _ warnings: inout [String],
                              into event: inout String, _ headline: inout String?, _ description: inout String?, _ instruction: inout String?) {
        event = fitted(p.pointee.event, 256, "\(path())/event", &warnings) ?? "unspecified event"
        headline = fitted(p.pointee.headline, maxHeadlineCharacters, "\(path())/headline", &warnings)
        description = fitted(p.pointee.description, 20_000, "\(path())/description", &warnings)
        instruction = fitted(p.pointee.instruction, 20_000, "\(path())/instruction", &warnings)
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
    ///
    /// A body imported from CAP (with the CAP fields, `CAPBody`) gives back the CAP message it holds,
    /// unchanged; only when `msgType` is not Alert (Vigil's own amendment or retraction of it) are
    /// `identifier`, `sent`, `msgType` and `references` replaced by the arguments, and the view fields
    /// amended in Vigil written into the message (`applyAmendments`). Other bodies give one
    /// `<info>` from the view and one more per entry of `translations`.
    public static func capAlert(fields: FieldMap, identifier: String, sender: String, sentMilliseconds: Int64,
                                msgType: CAPMsgType = .alert, references: [CAPReference] = [],
                                scope: CAPScope = .public) throws(CAPError) -> CAPAlert {
        if var held = try CAPBody.alert(from: fields) {
            if msgType != .alert {
                guard let sent = CAPDateTime(milliseconds: sentMilliseconds) else {
                    throw CAPError(path: "sent", reason: "\(sentMilliseconds) ms is outside the years 1-9999")
                }
                held.identifier = identifier
                held.sent = sent
                held.msgType = msgType
                held.references = references.isEmpty ? nil : references.map(\.text).joined(separator: " ")
                try applyAmendments(fields, to: &held)
            }
            return held
        }
        guard !identifier.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CAPError(path: "identifier", reason: "the CAP identifier must not be empty")
        }
        guard !sender.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CAPError(path: "sender", reason: "the CAP sender must not be empty")
        }
        guard let sent = CAPDateTime(milliseconds: sentMilliseconds) else {
            throw CAPError(path: "sent", reason: "\(sentMilliseconds) ms is outside the years 1-9999")
        }
        let status: CAPStatus = try enumeration(fields, "status", CAPStatus.allCases)
        var infos = [try self.info(fields)]
        if case .list(let items)? = fields[LocalizedText.fieldName] {
            for (i, item) in items.enumerated() {
                guard case .map(let t) = item else { throw CAPError(path: "\(LocalizedText.fieldName)[\(i)]", reason: "expected a map, found \(kind(item))") }
                var merged = fields
                merged[LocalizedText.fieldName] = nil
                for (name, value) in t.fields { merged[name] = value }
                do { infos.append(try self.info(merged)) } catch {
                    throw CAPError(path: "\(LocalizedText.fieldName)[\(i)].\(error.path)", reason: error.reason)
                }
            }
        }
        return CAPAlert(identifier: identifier, sender: sender, sent: sent, status: status, msgType: msgType, scope: scope,
                        references: references.isEmpty ? nil : references.map(\.text).joined(separator: " "),
                        infos: infos)
    }

    /// Vigil's own amendments of an imported alert: every view field that differs from the view the CAP
    /// message gives (`CAPImport.view(of:)`) is written into the message (status into `<alert>`, the
    /// others into the first `<info>`), so that an Update exported after an amendment carries it.
    static func applyAmendments(_ fields: FieldMap, to alert: inout CAPAlert) throws(CAPError) {
        let (derived, _) = CAPImport.view(of: alert)
        let changed = Set(fields.names.filter { fields[$0] != derived[$0] && !CAPBody.fieldNames.contains($0) })
        guard !changed.isEmpty else { return }
        if changed.contains("status") { alert.status = try enumeration(fields, "status", CAPStatus.allCases) }
        let infoFields: Set<String> = ["event", "urgency", "severity", "certainty", "categories", "areas", "headline", "description",
                                       "instruction", "effective", "onset", "expires", "sender_name", "web", "language"]
        guard !changed.isDisjoint(with: infoFields) else { return }
        let amended = try info(fields)
        if alert.infos.isEmpty { alert.infos = [amended]; return }
        var first = alert.infos[0]
        for name in changed {
            switch name {
            case "event": first.event = amended.event
            case "urgency": first.urgency = amended.urgency
            case "severity": first.severity = amended.severity
            case "certainty": first.certainty = amended.certainty
            case "categories": first.categories = amended.categories
            case "areas": first.areas = amended.areas
            case "headline": first.headline = amended.headline
            case "description": first.description = amended.description
            case "instruction": first.instruction = amended.instruction
            case "effective": first.effective = amended.effective
            case "onset": first.onset = amended.onset
            case "expires": first.expires = amended.expires
            case "sender_name": first.senderName = amended.senderName
            case "web": first.web = amended.web
            case "language": first.language = amended.language
            default: break
            }
        }
        alert.infos[0] = first
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
        for byte in text.trimmedWhitespace.utf8 {
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
