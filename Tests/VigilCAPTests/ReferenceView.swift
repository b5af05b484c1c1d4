import Foundation
import Testing
import VigilModel
@testable import VigilCAP

/// `CAPImport.view(of:)` as it was written before it set the view's fields in name order: the
/// reference the faster one is compared with (CAPBodyWriterTests), warnings and all.
enum ReferenceView {
    /// `text` cut to `limit` characters, with a warning; nil (and a warning) when blank.
    /// (`path` is made only for a warning: most texts fit.)
    private static func fitted(_ text: String?, _ limit: Int, _ path: @autoclosure () -> String, _ warnings: inout [String]) -> FieldValue? {
        guard let text, !text.isBlank else { return nil }
        // Characters ≤ UTF-8 bytes: count characters (grapheme breaking) only when it may matter.
        guard text.utf8.count > limit, text.count > limit else { return .text(text) }
        warnings.append("\(path()) has \(text.count) characters; the Vigil view shows the first \(limit) (the CAP message keeps all)")
        return .text(String(text.prefix(limit)))
    }

    /// A CAP time as a Vigil timestamp (1970…9999), or nil with a warning.
    private static func time(_ t: CAPDateTime?, _ path: @autoclosure () -> String, _ warnings: inout [String]) -> FieldValue? {
        guard let t else { return nil }
        guard t.milliseconds >= 0 else {
            warnings.append("\(path()) \(t.text) is before 1970; the Vigil view leaves it out (the CAP message keeps it)")
            return nil
        }
        // Added with the fitted view (AlertView): a time after 9999 in UTC is left out too.
        guard t.milliseconds <= 253_402_300_799_999 else {
            warnings.append("\(path()) \(t.text) is after 9999 in UTC; the Vigil view leaves it out (the CAP message keeps it)")
            return nil
        }
        return .integer(t.milliseconds)
    }

    /// The Vigil view of a CAP message, fitted to the alert schema, and the warnings.
    static func view(of alert: CAPAlert) -> (FieldMap, [String]) {
        var warnings: [String] = []
        var f = FieldMap()
        f.reserveCapacity(24)
        f["status"] = .text(alert.status.rawValue.lowercased())
        f["cap_identifier"] = fitted(alert.identifier, 256, "alert/identifier", &warnings)
        f["cap_sender"] = fitted(alert.sender, 256, "alert/sender", &warnings)
        f["cap_sent"] = time(alert.sent, "alert/sent", &warnings)
        if alert.scope != .public {
            warnings.append("CAP scope is \(alert.scope.rawValue): choose the Vigil audience accordingly (the import does not set one)")
        }
        guard let info = alert.infos.first else {
            // No <info> (an Ack, an Error, a Cancel, or an Alert without one): the view says so.
            f["event"] = .text(CAPImport.noInfoEvent)
            f["urgency"] = .text("unknown")
            f["severity"] = .text("unknown")
            f["certainty"] = .text("unknown")
            f["categories"] = .list([.text("other")])
            f["areas"] = .list([.map(["description": .text(CAPImport.unspecifiedArea)])])
            warnings.append("the CAP \(alert.msgType.rawValue) has no <info>; the Vigil view shows \"\(CAPImport.noInfoEvent)\" with unknown urgency, severity and certainty")
            return (f, warnings)
        }
        let path = "alert/info[0]"
        texts(info, path, into: &f, &warnings)
        f["urgency"] = .text(info.urgency.rawValue.lowercased())
        f["severity"] = .text(info.severity.rawValue.lowercased())
        f["certainty"] = .text(info.certainty.rawValue.lowercased())
        var categories: [FieldValue] = []
        for c in info.categories where !categories.contains(.text(c.rawValue.lowercased())) { categories.append(.text(c.rawValue.lowercased())) }
        f["categories"] = .list(categories)

        var areas: [FieldValue] = []
        for (j, area) in info.areas.prefix(CAPImport.maxAreas).enumerated() {
            func apath() -> String { "\(path)/area[\(j)]" }
            var a = FieldMap()
            a.reserveCapacity(3)
            a["description"] = fitted(area.areaDesc, 1000, "\(apath())/areaDesc", &warnings) ?? .text(CAPImport.unspecifiedArea)
            var polygons: [FieldValue] = []
            for (k, polygon) in area.polygons.enumerated() {
                guard polygon.points.count <= CAPImport.maxPolygonPoints, polygons.count < 32 else {
                    warnings.append("\(apath())/polygon[\(k)] (\(polygon.points.count) points) is not in the Vigil view (at most 32 polygons of \(CAPImport.maxPolygonPoints) points); the CAP message keeps it")
                    continue
                }
                polygons.append(.list(polygon.points.flatMap { [FieldValue.integer($0.latitude), .integer($0.longitude)] }))
            }
            if !polygons.isEmpty { a["polygons"] = .list(polygons) }
            var circles: [FieldValue] = []
            for (k, c) in area.circles.enumerated() {
                let metres = (c.radiusMillimetres + 500) / 1000
                guard metres <= 20_000_000, circles.count < 32 else {
                    warnings.append("\(apath())/circle[\(k)] is not in the Vigil view (at most 32 circles of radius up to 20,000 km); the CAP message keeps it")
                    continue
                }
                circles.append(.map(["lat": .integer(c.center.latitude), "lon": .integer(c.center.longitude), "radius_m": .integer(metres)]))
            }
            if !circles.isEmpty { a["circles"] = .list(circles) }
            areas.append(.map(a))
        }
        if info.areas.count > CAPImport.maxAreas {
            warnings.append("\(path) has \(info.areas.count) areas; the Vigil view shows the first \(CAPImport.maxAreas) (the CAP message keeps all)")
        }
        if areas.isEmpty {
            areas.append(.map(["description": .text(CAPImport.unspecifiedArea)]))
            warnings.append("\(path) has no <area>; the Vigil view shows one area described as \"\(CAPImport.unspecifiedArea)\"")
        }
        f["areas"] = .list(areas)
        f["sender_name"] = fitted(info.senderName, 200, "\(path)/senderName", &warnings)
        f["web"] = fitted(info.web, 1000, "\(path)/web", &warnings)
        f["effective"] = time(info.effective, "\(path)/effective", &warnings)
        f["onset"] = time(info.onset, "\(path)/onset", &warnings)
        f["expires"] = time(info.expires, "\(path)/expires", &warnings)
        func ms(_ name: String) -> Int64? { if case .integer(let n)? = f[name] { n } else { nil } }
        if let e = ms("expires"), [ms("effective"), ms("onset")].contains(where: { ($0 ?? Int64.min) > e }) {
            f["expires"] = nil
            warnings.append("\(path)/expires is before effective or onset; the Vigil view leaves it out (the CAP message keeps it)")
        }
        if let language = info.language {
            if CAPFastPathTests.referenceIsVigilLanguage(language) { f["language"] = .text(language) } else {
                warnings.append("\(path)/language \"\(language)\" is not a tag Vigil can select by; the CAP message keeps it")
            }
        }
        // One translation per further language, from its first <info>.
        var seen = [(info.language ?? "en-US").lowercased()]   // a few languages: a list, not a set
        var translations: [FieldValue] = []
        for (i, other) in alert.infos.enumerated().dropFirst() {
            guard let language = other.language, CAPFastPathTests.referenceIsVigilLanguage(language) else { continue }
            let lowercased = language.lowercased()
            guard !seen.contains(lowercased) else { continue }
            seen.append(lowercased)
            var t = FieldMap()
            t.reserveCapacity(5)
            t["language"] = .text(language)
            texts(other, "alert/info[\(i)]", into: &t, &warnings)
            translations.append(.map(t))
        }
        if !translations.isEmpty { f[LocalizedText.fieldName] = .list(Array(translations.prefix(LocalizedText.maxTranslations))) }
        return (f, warnings)
    }

    /// The translatable texts of an info: event, headline, description, instruction.
    private static func texts(_ info: CAPInfo, _ path: @autoclosure () -> String, into f: inout FieldMap, _ warnings: inout [String]) {
        f["event"] = fitted(info.event, 256, "\(path())/event", &warnings) ?? .text("unspecified event")
        f["headline"] = fitted(info.headline, CAPImport.maxHeadlineCharacters, "\(path())/headline", &warnings)
        f["description"] = fitted(info.description, 20_000, "\(path())/description", &warnings)
        f["instruction"] = fitted(info.instruction, 20_000, "\(path())/instruction", &warnings)
    }
}
