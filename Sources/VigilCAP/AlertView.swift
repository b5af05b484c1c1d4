import VigilModel

/// The Vigil view of one CAP message, decided once by `CAPImport.alertView(of:)`: the alert schema's own
/// fields (event, urgency, areas, …) with their values fitted to the schema's limits, the warnings, and
/// whether the view meets the schema by construction. `fields` sets them in a `FieldMap`; `CAPBodyWriter`
/// writes the same fields straight as bytes (CAPBodyWriterTests compare both), so an import builds no
/// `FieldMap` for its view.
struct AlertView {
    /// A circle of the view: centre in micro-degrees, radius in metres.
    struct Circle: Equatable { var latitude: Int64, longitude: Int64, metres: Int64 }

    /// An area of the view: its description and the polygons and circles that fit the schema.
    struct Area {
        var description: String
        /// Each polygon's points (the CAP message's own arrays, not copied).
        var polygons: [[CAPPoint]] = []
        var circles: [Circle] = []
    }

    /// The texts of one further language (`translations`).
    struct Translation {
        var language: String
        var event: String
        var headline: String?, description: String?, instruction: String?
    }

    /// Where the view differs from the CAP message, in the order `view(of:)` has always given them.
    var warnings: [String] = []
    /// Whether the view meets the alert schema by construction: every text was fitted to its limits, every
    /// time to 1970…9999, every enumeration is a CAP value the schema lists, languages are checked tags,
    /// each once. False only when the message breaks what `CAPParser` guarantees (a message made by hand:
    /// no category, a polygon that is not closed or has fewer than 4 points, a coordinate out of range, a
    /// negative radius); then `CAPImportedAlert.validate()` runs the schema, which names the field.
    var meetsSchema = true

    var areas: [Area] = []
    var capIdentifier: String?, capSender: String?, capSent: Int64?
    /// Lowercased, each once.
    var categories: [String] = []
    var certainty = "unknown", severity = "unknown", urgency = "unknown", status = "actual"
    var event = CAPImport.noInfoEvent
    var description: String?, headline: String?, instruction: String?
    var effective: Int64?, onset: Int64?, expires: Int64?
    var language: String?
    var senderName: String?, web: String?
    var translations: [Translation] = []

    /// The number of fields `fields` has (and the writer writes).
    var fieldCount: Int {
        7 + one(capIdentifier != nil) + one(capSender != nil) + one(capSent != nil) + one(description != nil)
            + one(effective != nil) + one(expires != nil) + one(headline != nil) + one(instruction != nil)
            + one(language != nil) + one(onset != nil) + one(senderName != nil) + one(!translations.isEmpty)
            + one(web != nil)
    }

    /// The view as a field map: the fields in name order, each appended at the end.
    var fields: FieldMap {
        var f = FieldMap()
        f.reserveCapacity(fieldCount)
        f["areas"] = .list(areas.map { area in
            var a = FieldMap()
            a.reserveCapacity(3)
            if !area.circles.isEmpty {
                a["circles"] = .list(area.circles.map { .map(["lat": .integer($0.latitude), "lon": .integer($0.longitude), "radius_m": .integer($0.metres)]) })
            }
            a["description"] = .text(area.description)
            if !area.polygons.isEmpty {
                a["polygons"] = .list(area.polygons.map { points in
                    var numbers: [FieldValue] = []
                    numbers.reserveCapacity(2 * points.count)
                    for p in points {
                        numbers.append(.integer(p.latitude))
                        numbers.append(.integer(p.longitude))
                    }
                    return .list(numbers)
                })
            }
            return .map(a)
        })
        f["cap_identifier"] = capIdentifier.map(FieldValue.text)
        f["cap_sender"] = capSender.map(FieldValue.text)
        f["cap_sent"] = capSent.map(FieldValue.integer)
        f["categories"] = .list(categories.map(FieldValue.text))
        f["certainty"] = .text(certainty)
        f["description"] = description.map(FieldValue.text)
        f["effective"] = effective.map(FieldValue.integer)
        f["event"] = .text(event)
        f["expires"] = expires.map(FieldValue.integer)
        f["headline"] = headline.map(FieldValue.text)
        f["instruction"] = instruction.map(FieldValue.text)
        f["language"] = language.map(FieldValue.text)
        f["onset"] = onset.map(FieldValue.integer)
        f["sender_name"] = senderName.map(FieldValue.text)
        f["severity"] = .text(severity)
        f["status"] = .text(status)
        if !translations.isEmpty {
            f[LocalizedText.fieldName] = .list(translations.map { t in
                var m = FieldMap()
                m.reserveCapacity(5)
                m["description"] = t.description.map(FieldValue.text)
                m["event"] = .text(t.event)
                m["headline"] = t.headline.map(FieldValue.text)
                m["instruction"] = t.instruction.map(FieldValue.text)
                m["language"] = .text(t.language)
                return .map(m)
            })
        }
        f["urgency"] = .text(urgency)
        f["web"] = web.map(FieldValue.text)
        return f
    }

    // The view's fields as bytes, in three runs around the CAP fields, which sort between them: `areas`,
    // then `cap` and `cap_areas`, then `cap_identifier`, then `cap_infos` and `cap_resources`, then the rest
    // from `cap_sender` on (CAPBodyWriter).

    /// `areas`.
    func writeAreas(_ w: inout FieldMapWriter) {
        w.name("areas")
        w.listStart(items: areas.count)
        for area in areas {
            w.mapValueStart(fields: 1 + one(!area.circles.isEmpty) + one(!area.polygons.isEmpty))
            if !area.circles.isEmpty {
                w.name("circles")
                w.listStart(items: area.circles.count)
                for c in area.circles {
                    w.mapValueStart(fields: 3)
                    w.name("lat"); w.integer(c.latitude)
                    w.name("lon"); w.integer(c.longitude)
                    w.name("radius_m"); w.integer(c.metres)
                }
            }
            w.name("description"); w.text(value: area.description)
            if !area.polygons.isEmpty {
                w.name("polygons")
                w.listStart(items: area.polygons.count)
                for points in area.polygons {
                    w.listStart(items: 2 * points.count)
                    for p in points { w.integer(p.latitude); w.integer(p.longitude) }
                }
            }
        }
    }

    /// `cap_identifier`, if any.
    func writeCapIdentifier(_ w: inout FieldMapWriter) {
        if let v = capIdentifier { w.name("cap_identifier"); w.text(value: v) }
    }

    /// The fields from `cap_sender` to `web`.
    func writeRest(_ w: inout FieldMapWriter) {
        if let v = capSender { w.name("cap_sender"); w.text(value: v) }
        if let v = capSent { w.name("cap_sent"); w.integer(v) }
        w.name("categories")
        w.listStart(items: categories.count)
        for c in categories { w.text(value: c) }
        w.name("certainty"); w.text(value: certainty)
        if let v = description { w.name("description"); w.text(value: v) }
        if let v = effective { w.name("effective"); w.integer(v) }
        w.name("event"); w.text(value: event)
        if let v = expires { w.name("expires"); w.integer(v) }
        if let v = headline { w.name("headline"); w.text(value: v) }
        if let v = instruction { w.name("instruction"); w.text(value: v) }
        if let v = language { w.name("language"); w.text(value: v) }
        if let v = onset { w.name("onset"); w.integer(v) }
        if let v = senderName { w.name("sender_name"); w.text(value: v) }
        w.name("severity"); w.text(value: severity)
        w.name("status"); w.text(value: status)
        if !translations.isEmpty {
            w.name("translations")
            w.listStart(items: translations.count)
            for t in translations {
                w.mapValueStart(fields: 2 + one(t.description != nil) + one(t.headline != nil) + one(t.instruction != nil))
                if let v = t.description { w.name("description"); w.text(value: v) }
                w.name("event"); w.text(value: t.event)
                if let v = t.headline { w.name("headline"); w.text(value: v) }
                if let v = t.instruction { w.name("instruction"); w.text(value: v) }
                w.name("language"); w.text(value: t.language)
            }
        }
        w.name("urgency"); w.text(value: urgency)
        if let v = web { w.name("web"); w.text(value: v) }
    }

    @inline(__always) private func one(_ condition: Bool) -> Int { condition ? 1 : 0 }
}

// The Vigil alert schema's values for CAP's enumerations: the CAP value in lower case (`rawValue.lowercased()`,
// written out so that the view makes no string per value; CAPBodyWriterTests check each against it).

extension CAPStatus {
    /// The alert schema's `status`.
    var vigilName: String {
        switch self { case .actual: "actual"; case .exercise: "exercise"; case .system: "system"; case .test: "test"; case .draft: "draft" }
    }
}

extension CAPUrgency {
    /// The alert schema's `urgency`.
    var vigilName: String {
        switch self { case .immediate: "immediate"; case .expected: "expected"; case .future: "future"; case .past: "past"; case .unknown: "unknown" }
    }
}

extension CAPSeverity {
    /// The alert schema's `severity`.
    var vigilName: String {
        switch self { case .extreme: "extreme"; case .severe: "severe"; case .moderate: "moderate"; case .minor: "minor"; case .unknown: "unknown" }
    }
}

extension CAPCertainty {
    /// The alert schema's `certainty`.
    var vigilName: String {
        switch self { case .observed: "observed"; case .likely: "likely"; case .possible: "possible"; case .unlikely: "unlikely"; case .unknown: "unknown" }
    }
}

extension CAPCategory {
    /// One of the alert schema's `categories`.
    var vigilName: String {
        switch self {
        case .geo: "geo"; case .met: "met"; case .safety: "safety"; case .security: "security"; case .rescue: "rescue"; case .fire: "fire"
        case .health: "health"; case .env: "env"; case .transport: "transport"; case .infra: "infra"; case .cbrne: "cbrne"; case .other: "other"
        }
    }
}
