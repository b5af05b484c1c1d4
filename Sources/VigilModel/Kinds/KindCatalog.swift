/// The schema of every kind with a typed body. Change a field here and validation, the JSON form, flags,
/// templates, help and summaries follow. `docs/kinds.md` describes the same schemas for people.
enum KindCatalog {
    /// The schema of `kind`, or nil for kinds without a declarative schema (ack, update, roster).
    static func schema(_ kind: EntryKind) -> KindSchema? {
        withOfficer[kind]
    }

    /// Every postable kind's schema with the optional `officer` field at the end.
    private static let withOfficer: [EntryKind: KindSchema] = Dictionary(uniqueKeysWithValues:
        [sitrep, threat, incident, assessment, alert, message, commtest].map { schema in
            (schema.kind, KindSchema(kind: schema.kind, title: schema.title, about: schema.about,
                                     body: MapSchema(noun: schema.body.noun, fields: schema.body.fields + [officerField], rules: schema.body.rules),
                                     exampleJSON: schema.exampleJSON, summary: schema.summary))
        })

    /// Who wrote a post at the desk: the login name of the author node's officer. The node sets it from
    /// the desk session (`ComposeRequest.officer`); a post from the command line has none.
    static let officerField = optional("officer", .text(1...64, check: officerName), "the desk officer of the author node who wrote it (set by the node's desk)")

    static let officerName = TextCheck(hint: "1 to 64 letters, digits, '.', '_' or '-'") { text in
        AcknowledgementBody.isOfficerName(text) ? nil : "\"\(text)\" is not an officer name"
    }

    // MARK: Shared parts

    /// A place: words, and optionally a point.
    static let location = MapSchema(noun: "a location", fields: [
        required("description", .text(1...500), "where, in words (address, site, area)"),
        optional("lat", .latitude, "latitude of the point; give lat and lon together"),
        optional("lon", .longitude, "longitude of the point; give lat and lon together"),
    ], rules: [bothOrNeither("lat", "lon")])

    static let phone = TextCheck(hint: "a phone number of digits, spaces and + ( ) - . /") { text in
        text.unicodeScalars.allSatisfy({ "0123456789 +()-./".unicodeScalars.contains($0) }) && text.contains(where: \.isNumber)
            ? nil : "\"\(text)\" is not a phone number"
    }

    static let email = TextCheck(hint: "an e-mail address such as duty@example.org") { text in
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
            ? nil : "\"\(text)\" is not an e-mail address"
    }

    static let languageTag = TextCheck(hint: "a language tag such as en-US or nl-BE") { text in
        LocalizedText.isLanguageTag(text) ? nil : "\"\(text)\" is not a language tag"
    }

    /// The body's `language` and `translations` fields for a kind whose translatable fields are `texts`
    /// (the same specs as at the top level, all optional in a translation).
    static func languageFields(_ texts: [FieldSpec]) -> [FieldSpec] {
        [
            optional("language", .text(2...35, check: languageTag), "language of the texts (BCP 47 tag), e.g. nl-BE, fr, de, en"),
            optional(LocalizedText.fieldName, .list(.map(MapSchema(noun: "a translation", fields:
                [required("language", .text(2...35, check: languageTag), "the translation's language (BCP 47 tag), e.g. fr-BE")]
                + texts.map { optional($0.name, $0.type, $0.doc + " (in this language)") })),
                count: 0...LocalizedText.maxTranslations, unique: false),
                "the texts in other languages: one map per language with language and the translated fields"),
        ]
    }

    /// Translations: one per language, none in the body's own language.
    static let distinctLanguages = Rule(doc: "each translation has its own language, other than the body's language") { map, path, _ throws(KindValidationError) in
        guard case .list(let items)? = map[LocalizedText.fieldName] else { return }
        // At most 16 translations: a list, not a dictionary.
        var seen: [(tag: String, index: Int)] = []
        if let own = map.text("language") { seen.append((own.lowercased(), -1)) }
        for (i, item) in items.enumerated() {
            guard case .map(let t) = item, let tag = t.text("language") else { continue }
            let lowercased = tag.lowercased()
            if let earlier = seen.first(where: { $0.tag == lowercased })?.index {
                let other = earlier < 0 ? "the body's own language" : "translation [\(earlier)]"
                throw KindValidationError(field: joinPath(path, "\(LocalizedText.fieldName)[\(i)].language"),
                                          reason: "\"\(tag)\" is already \(other); give one translation per language")
            }
            seen.append((lowercased, i))
        }
    }

    /// `later` (when present) is not before `earlier` (when present).
    static func notBefore(_ later: String, _ earlier: String, _ why: String) -> Rule {
        Rule(doc: "\(later) is not before \(earlier): \(why)") { map, path, _ throws(KindValidationError) in
            guard let l = map.integer(later), let e = map.integer(earlier), l < e else { return }
            throw KindValidationError(field: joinPath(path, later),
                                      reason: "\(KindTime.format(l)) is before \(earlier) \(KindTime.format(e)); \(why)")
        }
    }

    /// Both fields or neither.
    static func bothOrNeither(_ a: String, _ b: String) -> Rule {
        Rule(doc: "\(a) and \(b) are given together or not at all") { map, path, _ throws(KindValidationError) in
            switch (map[a] != nil, map[b] != nil) {
            case (true, false): throw KindValidationError(field: joinPath(path, b), reason: "\(a) is given without \(b); give both or neither")
            case (false, true): throw KindValidationError(field: joinPath(path, a), reason: "\(b) is given without \(a); give both or neither")
            default: break
            }
        }
    }

    /// `later` (when present) is strictly after `earlier` (when present).
    static func after(_ later: String, _ earlier: String, _ why: String) -> Rule {
        Rule(doc: "\(later) is after \(earlier): \(why)") { map, path, _ throws(KindValidationError) in
            guard let l = map.integer(later), let e = map.integer(earlier), l <= e else { return }
            let relation = l == e ? "is the same time as" : "is before"
            throw KindValidationError(field: joinPath(path, later),
                                      reason: "\(KindTime.format(l)) \(relation) \(earlier) \(KindTime.format(e)); \(why)")
        }
    }

    // MARK: sitrep

    static let sitrepTexts = [
        optional("incident_name", .text(1...200), "the incident's name"),
        optional("summary", .text(1...10_000), "the situation now"),
        optional("actions_taken", .text(1...10_000), "what has been done"),
    ]

    static let sitrep = KindSchema(
        kind: .situationReport, title: "situation report",
        about: "A situation report on an incident, after OASIS EDXL-SitRep: what happened, where, how severe, what was done and what is needed. Reports on one incident are numbered; the first is the initial report, the last the final one.",
        body: MapSchema(noun: "a situation report", fields: [
            required("incident_id", .text(1...64), "the incident's identifier, shared by all its reports"),
            required("incident_name", .text(1...200), "the incident's name, e.g. Flooding Antwerp"),
            required("report_number", .integer(1...100_000), "number of this report for the incident, from 1"),
            required("report_type", .choice(["initial", "update", "final"]), "first report, a later one, or the last one"),
            required("severity", .choice(["minor", "moderate", "severe", "extreme"]), "how severe the situation is"),
            required("location", .map(location), "where the incident is"),
            required("summary", .text(1...10_000), "the situation now"),
            optional("people_affected", .integer(0...Int64.max), "number of people affected"),
            optional("actions_taken", .text(1...10_000), "what has been done"),
            optional("resources_requested", .list(.text(1...500), count: 0...100, unique: false), "resources needed, one per item"),
            optional("next_report_due", .timestamp, "when the next report is expected"),
        ] + languageFields(sitrepTexts), rules: [distinctLanguages,
            Rule(doc: "an initial report (report_type initial) is report number 1") { map, _, _ throws(KindValidationError) in
                if map.text("report_type") == "initial", let n = map.integer("report_number"), n != 1 {
                    throw KindValidationError(field: "report_number", reason: "\(n) with report_type initial; an initial report is number 1 (use report_type update for later reports)")
                }
            },
        ]),
        exampleJSON: """
        {
          "incident_id": "2026-ANT-0042",
          "incident_name": "Flooding Antwerp",
          "report_number": 3,
          "report_type": "update",
          "severity": "severe",
          "location": {"description": "Kallo, left bank of the Scheldt", "lat": 51.254, "lon": 4.275},
          "summary": "Dyke breach at Kallo; water level stable since 09:00.",
          "people_affected": 40,
          "actions_taken": "40 residents evacuated to the sports hall.",
          "resources_requested": ["sandbags", "high-capacity pumps"],
          "next_report_due": "2026-11-24T14:00:00Z"
        }
        """,
        summary: { f in
            var s = "sitrep"
            if let n = f.integer("report_number") { s += " #\(n)" }
            if let t = f.text("report_type") { s += " (\(t))" }
            if let name = f.text("incident_name") { s += " \(name)" }
            if let sev = f.text("severity") { s += " — \(sev)" }
            return s
        })

    // MARK: threat

    static let threatTexts = [
        optional("title", .text(1...200), "short title"),
        optional("description", .text(1...10_000), "the threat in more detail"),
        optional("measures", .list(.text(1...1000), count: 0...100, unique: false), "recommended measures, one per item"),
    ]

    static let threat = KindSchema(
        kind: .threatNotice, title: "threat notice",
        about: "A threat notice: the threat level for sectors, regions or events, from when it applies and until when, with recommended measures.",
        body: MapSchema(noun: "a threat notice", fields: [
            required("level", .integer(1...4, meaning: "1 low … 4 critical"), "threat level: 1 low, 2 medium, 3 serious, 4 critical"),
            required("title", .text(1...200), "short title"),
            required("scope", .map(MapSchema(noun: "a threat scope", fields: [
                optional("sectors", .list(.text(1...200), count: 0...100, unique: true), "sectors concerned, e.g. energy, transport"),
                optional("regions", .list(.text(1...200), count: 0...100, unique: true), "regions concerned, e.g. Antwerp"),
                optional("events", .list(.text(1...200), count: 0...100, unique: true), "events concerned, e.g. a summit"),
            ], rules: [
                Rule(doc: "at least one of sectors, regions and events is a non-empty list") { map, path, _ throws(KindValidationError) in
                    let counts = ["sectors", "regions", "events"].map { map.list($0)?.count ?? 0 }
                    if counts.allSatisfy({ $0 == 0 }) {
                        throw KindValidationError(field: path, reason: "empty scope; give at least one non-empty list of sectors, regions or events")
                    }
                },
            ])), "what the notice applies to"),
            required("valid_from", .timestamp, "when the notice starts to apply"),
            optional("valid_until", .timestamp, "when it stops applying (after valid_from); open-ended when absent"),
            optional("measures", .list(.text(1...1000), count: 0...100, unique: false), "recommended measures, one per item"),
            optional("description", .text(1...10_000), "the threat in more detail"),
        ] + languageFields(threatTexts), rules: [after("valid_until", "valid_from", "a threat notice must end after it starts"), distinctLanguages]),
        exampleJSON: """
        {
          "level": 3,
          "title": "Raised threat to the port of Antwerp",
          "scope": {"sectors": ["ports", "chemical industry"], "regions": ["Antwerp"]},
          "valid_from": "2026-11-24T10:00:00Z",
          "valid_until": "2026-12-01T10:00:00Z",
          "measures": ["increase patrols at access gates", "check deliveries"],
          "description": "Credible information about a planned intrusion."
        }
        """,
        summary: { f in
            var s = "threat level \(f.integer("level").map(String.init) ?? "?")"
            if let t = f.text("title") { s += ": \(t)" }
            if let from = f.integer("valid_from") { s += " (from \(KindTime.format(from))" + (f.integer("valid_until").map { " until \(KindTime.format($0))" } ?? "") + ")" }
            return s
        })

    // MARK: incident

    static let incident = KindSchema(
        kind: .incident, title: "incident",
        about: "An early-warning incident reported by a company: something suspicious observed at a site, possibly recurring.",
        body: MapSchema(noun: "an incident", fields: [
            required("category", .choice(["suspicious-vehicle", "suspicious-person", "suspicious-object", "drone", "cyber", "threat", "other"]), "what was observed"),
            required("observed_at", .timestamp, "when it was observed"),
            required("location", .map(location), "where it was observed"),
            required("description", .text(1...10_000), "what was observed, in detail"),
            optional("recurs_with", .list(.entryID, count: 0...64, unique: true), "earlier incidents (entry ids) this one recurs with"),
            required("reporter", .map(MapSchema(noun: "a reporter", fields: [
                required("name", .text(1...200), "who reports"),
                optional("phone", .text(1...50, check: phone), "phone number for questions"),
                optional("email", .text(3...254, check: email), "e-mail address for questions"),
            ])), "who reports, and how to reach them"),
        ]),
        exampleJSON: """
        {
          "category": "drone",
          "observed_at": "2026-11-24T02:40:00+01:00",
          "location": {"description": "Tank farm, gate 3, Kallo", "lat": 51.2611, "lon": 4.2905},
          "description": "Drone hovering above the tank farm for about ten minutes, no lights.",
          "reporter": {"name": "Security desk, Kallo Tank Terminal", "phone": "+32 3 555 01 23", "email": "security@example.com"}
        }
        """,
        summary: { f in
            var s = "incident \(f.text("category") ?? "?")"
            if let place = f.map("location")?.text("description") { s += " at \(place)" }
            if let at = f.integer("observed_at") { s += " (\(KindTime.format(at)))" }
            return s
        })

    // MARK: alert

    static let alertArea = MapSchema(noun: "an alert area", fields: [
        required("description", .text(1...1000), "the area in words (CAP areaDesc)"),
        optional("polygons", .list(.polygon(points: 4...512), count: 0...32, unique: false), "polygons (CAP polygon): [[lat, lon], …], first point = last"),
        optional("circles", .list(.map(MapSchema(noun: "a circle", fields: [
            required("lat", .latitude, "latitude of the centre"),
            required("lon", .longitude, "longitude of the centre"),
            required("radius_m", .integer(0...20_000_000), "radius in metres (0: a point, as CAP allows)"),
        ])), count: 0...32, unique: false), "circles (CAP circle): centre and radius in metres"),
    ])

    static let alertTexts = [
        optional("event", .text(1...256), "the event (CAP event)"),
        optional("headline", .text(1...160), "short headline (CAP headline)"),
        optional("description", .text(1...20_000), "the event in detail (CAP description)"),
        optional("instruction", .text(1...20_000), "what people should do (CAP instruction)"),
    ]

    // The CAP message kept whole in an imported alert (VigilCAP's CAPBody writes and reads it). Texts are
    // as written in the CAP XML, dates and coordinates included; the entry body limit bounds them.
    static let capText = FieldType.text(0...EntryLimits.maxBodyBytes)
    static let capList = 0...FieldMap.Limits.maxListItems
    static let capPair = FieldType.map(MapSchema(noun: "a CAP value pair", fields: [
        required("name", capText, "valueName"), required("value", capText, "value"),
    ]))
    static let capMessage = MapSchema(noun: "a CAP alert header", fields: [
        required("identifier", .text(1...EntryLimits.maxBodyBytes), "identifier"),
        required("sender", .text(1...EntryLimits.maxBodyBytes), "sender"),
        required("sent", capText, "sent, as written (YYYY-MM-DDThh:mm:ss±hh:mm)"),
        required("status", .text(1...16), "status: Actual, Exercise, System, Test, Draft"),
        required("msg_type", .text(1...16), "msgType: Alert, Update, Cancel, Ack, Error"),
        optional("source", capText, "source"),
        required("scope", .text(1...16), "scope: Public, Restricted, Private"),
        optional("restriction", capText, "restriction"),
        optional("addresses", capText, "addresses"),
        optional("codes", .list(capText, count: capList, unique: false), "code, each"),
        optional("note", capText, "note"),
        optional("references", capText, "references: sender,identifier,sent triples"),
        optional("incidents", capText, "incidents"),
        optional("extensions", .list(.text(1...AlertCAPLimits.maxExtensionCharacters), count: 0...AlertCAPLimits.maxExtensions, unique: false), "XML signatures at the end of <alert>, each as XML text"),
    ])
    static let capInfo = MapSchema(noun: "a CAP info", fields: [
        optional("language", capText, "language"),
        required("categories", .list(.text(1...16), count: capList, unique: false), "category, each"),
        required("event", capText, "event"),
        optional("response_types", .list(.text(1...16), count: capList, unique: false), "responseType, each"),
        required("urgency", .text(1...16), "urgency"),
        required("severity", .text(1...16), "severity"),
        required("certainty", .text(1...16), "certainty"),
        optional("audience", capText, "audience"),
        optional("event_codes", .list(capPair, count: capList, unique: false), "eventCode, each"),
        optional("effective", capText, "effective, as written"),
        optional("onset", capText, "onset, as written"),
        optional("expires", capText, "expires, as written"),
        optional("sender_name", capText, "senderName"),
        optional("headline", capText, "headline"),
        optional("description", capText, "description"),
        optional("instruction", capText, "instruction"),
        optional("web", capText, "web"),
        optional("contact", capText, "contact"),
        optional("parameters", .list(capPair, count: capList, unique: false), "parameter, each"),
    ])
    static let capResource = MapSchema(noun: "a CAP resource", fields: [
        required("info", .integer(0...Int64(FieldMap.Limits.maxListItems - 1)), "index of its info in cap_infos"),
        required("resource_desc", capText, "resourceDesc"),
        required("mime_type", capText, "mimeType"),
        optional("size", .integer(0...Int64.max), "size in bytes"),
        optional("uri", capText, "uri"),
        optional("deref_uri", capText, "derefUri: the content, base64"),
        optional("digest", capText, "digest"),
    ])
    static let capArea = MapSchema(noun: "a CAP area", fields: [
        required("info", .integer(0...Int64(FieldMap.Limits.maxListItems - 1)), "index of its info in cap_infos"),
        required("area_desc", capText, "areaDesc"),
        optional("polygons", .list(capText, count: capList, unique: false), "polygon, each as written"),
        optional("circles", .list(capText, count: capList, unique: false), "circle, each as written"),
        optional("geocodes", .list(capPair, count: capList, unique: false), "geocode, each"),
        optional("altitude", capText, "altitude"),
        optional("ceiling", capText, "ceiling"),
    ])

    static let alert = KindSchema(
        kind: .alert, title: "alert",
        about: "An alert aligned with CAP 1.2 (OASIS Common Alerting Protocol): the event, its urgency, severity and certainty, the areas concerned and what to do. The field names are fixed: CAP XML maps onto them.",
        body: MapSchema(noun: "an alert", fields: [
            required("event", .text(1...256), "the event (CAP event), e.g. Chemical release"),
            required("status", .choice(["actual", "exercise", "test", "system", "draft"]), "CAP status"),
            required("urgency", .choice(["immediate", "expected", "future", "past", "unknown"]), "CAP urgency"),
            required("severity", .choice(["extreme", "severe", "moderate", "minor", "unknown"]), "CAP severity"),
            required("certainty", .choice(["observed", "likely", "possible", "unlikely", "unknown"]), "CAP certainty"),
            required("categories", .list(.choice(["geo", "met", "safety", "security", "rescue", "fire", "health", "env", "transport", "infra", "cbrne", "other"]), count: 1...12, unique: true), "CAP categories, at least one"),
            required("areas", .list(.map(alertArea), count: 1...32, unique: false), "the areas concerned (CAP area), 1–32"),
            optional("headline", .text(1...160), "short headline (CAP headline)"),
            optional("description", .text(1...20_000), "the event in detail (CAP description)"),
            optional("instruction", .text(1...20_000), "what people should do (CAP instruction)"),
            optional("effective", .timestamp, "when the alert takes effect (CAP effective)"),
            optional("onset", .timestamp, "expected start of the event (CAP onset)"),
            optional("expires", .timestamp, "when the alert expires (CAP expires), after effective and onset"),
            optional("sender_name", .text(1...200), "the sender for people (CAP senderName)"),
            optional("web", .text(1...1000), "a web page with more information (CAP web)"),
            optional("language", .text(2...35, check: languageTag), "language of the texts (CAP language), e.g. en-US"),
            languageFields(alertTexts)[1],
            optional("target_roles", .list(.role, count: 0...Role.allCases.count, unique: true), "roles the alert is meant for; sets the default audience"),
            optional("cap_identifier", .text(1...256), "identifier of the original CAP message"),
            optional("cap_sender", .text(1...256), "sender of the original CAP message"),
            optional("cap_sent", .timestamp, "sent time of the original CAP message"),
            optional("cap", .map(capMessage), "the CAP message's <alert> level, as written (CAP import; docs/cap.md)"),
            optional("cap_infos", .list(.map(capInfo), count: 0...FieldMap.Limits.maxListItems, unique: false), "the CAP message's <info> blocks, as written"),
            optional("cap_resources", .list(.map(capResource), count: 0...FieldMap.Limits.maxListItems, unique: false), "the <resource>s of every <info>, as written"),
            optional("cap_areas", .list(.map(capArea), count: 0...FieldMap.Limits.maxListItems, unique: false), "the <area>s of every <info>, as written"),
        ], rules: [
            notBefore("expires", "effective", "an alert must not expire before it takes effect"),
            notBefore("expires", "onset", "an alert must not expire before the event's onset"),
            distinctLanguages,
            Rule(doc: "cap_infos, cap_resources and cap_areas come with cap; each resource and area names one of the cap_infos") { map, _, _ throws(KindValidationError) in
                let infos = map.list("cap_infos")?.count ?? 0
                for name in ["cap_infos", "cap_resources", "cap_areas"] where map[name] != nil && map["cap"] == nil {
                    throw KindValidationError(field: name, reason: "given without cap; the CAP fields hold one CAP message together")
                }
                for name in ["cap_resources", "cap_areas"] {
                    for (i, item) in (map.list(name) ?? []).enumerated() {
                        guard case .map(let m) = item, let n = m.integer("info"), n >= Int64(infos) else { continue }
                        throw KindValidationError(field: "\(name)[\(i)].info", reason: "\(n) is not the index of one of the \(infos) cap_infos")
                    }
                }
            },
        ]),
        exampleJSON: """
        {
          "event": "Chemical release",
          "status": "actual",
          "urgency": "immediate",
          "severity": "severe",
          "certainty": "observed",
          "categories": ["cbrne", "safety"],
          "areas": [
            {
              "description": "Kallo and Beveren-Noord",
              "polygons": [[[51.25, 4.26], [51.27, 4.26], [51.27, 4.3], [51.25, 4.3], [51.25, 4.26]]],
              "circles": [{"lat": 51.2611, "lon": 4.2905, "radius_m": 2000}]
            }
          ],
          "headline": "Chlorine leak at Kallo: stay indoors",
          "instruction": "Stay indoors, close windows and doors, switch off ventilation.",
          "effective": "2026-11-24T10:05:00Z",
          "expires": "2026-11-24T16:00:00Z",
          "language": "en-US",
          "target_roles": ["fire-rescue", "medical", "police"]
        }
        """,
        summary: { f in
            var s = "alert \(f.text("event") ?? "?")"
            let codes = ["status", "urgency", "severity", "certainty"].compactMap { f.text($0) }
            if !codes.isEmpty { s += " (\(codes.joined(separator: ", ")))" }
            if let h = f.text("headline") { s += " — \(h)" }
            return s
        })

    // MARK: assessment

    static let assessment = KindSchema(
        kind: .assessment, title: "incident assessment",
        about: "The authority's or police's assessment of an early-warning incident, which is its first ref: the incident's status (new, assessing, closed), the outcome, any protective action, and the answer the reporting company reads on its desk. A later assessment (by HLC, then id) supersedes an earlier one.",
        body: MapSchema(noun: "an assessment", fields: [
            required("status", .choice(AssessmentBody.Status.allCases.map(\.rawValue)), "the incident's status: new (back in the queue), assessing, or closed"),
            optional("outcome", .choice(AssessmentBody.Outcome.allCases.map(\.rawValue)), "what the assessment found; required when status is closed, refused when it is new"),
            optional("protective_action", .text(1...10_000), "protective action taken or advised, e.g. patrols, a perimeter"),
            optional("answer", .text(1...10_000), "the answer to the reporting company; required when status is closed"),
        ], rules: [
            Rule(doc: "outcome and answer are given when status is closed; outcome is not given when status is new") { map, _, _ throws(KindValidationError) in
                let status = map.text("status") ?? ""
                if status == "closed" {
                    for field in ["outcome", "answer"] where map[field] == nil {
                        throw KindValidationError(field: field, reason: "required field is missing; status is closed, so give the \(field == "outcome" ? "outcome" : "answer to the reporting company")")
                    }
                }
                if status == "new", map["outcome"] != nil {
                    throw KindValidationError(field: "outcome", reason: "only allowed when status is assessing or closed, but status is new; remove outcome or set the status")
                }
            },
        ]),
        exampleJSON: """
        {
          "status": "closed",
          "outcome": "unfounded",
          "protective_action": "Extra patrol at gate 3 tonight.",
          "answer": "The drone was a survey flight with a permit. No further action needed; thank you for reporting."
        }
        """,
        summary: { f in
            var s = "assessment: \(f.text("status") ?? "?")"
            if let o = f.text("outcome") { s += " (\(o))" }
            if let a = f.text("answer") { s += " — \(a.count > 80 ? String(a.prefix(79)) + "…" : a)" }
            return s
        })

    // MARK: message

    static let message = KindSchema(
        kind: .message, title: "message",
        about: "A free-text message. A reply names the thread's first message as its first ref; the thread is not a body field.",
        body: MapSchema(noun: "a message", fields: [
            required("subject", .text(1...200), "subject line"),
            required("text", .text(1...20_000), "the message"),
        ] + languageFields([
            optional("subject", .text(1...200), "subject line"),
            optional("text", .text(1...20_000), "the message"),
        ]), rules: [distinctLanguages]),
        exampleJSON: """
        {
          "subject": "Liaison officer at the provincial crisis centre",
          "text": "Our liaison officer arrives at 14:00; please arrange a badge."
        }
        """,
        summary: { f in "message: \(f.text("subject") ?? "?")" })

    // MARK: commtest

    static let commtest = KindSchema(
        kind: .commTest, title: "communication test",
        about: "A communication test: the expected nodes confirm they received it before the deadline.",
        body: MapSchema(noun: "a communication test", fields: [
            required("expect", .choice(["everyone", "role", "nodes"]), "who must answer: every member, the members of one role, or listed nodes"),
            optional("role", .role, "the role that must answer; required when expect is role, refused otherwise"),
            optional("nodes", .list(.nodeID, count: 1...EntryLimits.maxNodes, unique: true), "the nodes that must answer; required when expect is nodes, refused otherwise"),
            required("deadline", .timestamp, "answers are expected before this time (after the test is sent)"),
            optional("note", .text(1...2000), "a note to the people answering"),
        ], rules: [
            Rule(doc: "role is given if and only if expect is role; nodes is given if and only if expect is nodes") { map, _, _ throws(KindValidationError) in
                let expect = map.text("expect") ?? ""
                for (field, mode) in [("role", "role"), ("nodes", "nodes")] {
                    if expect == mode, map[field] == nil {
                        throw KindValidationError(field: field, reason: "required field is missing; expect is \(mode), so \(field) names who must answer")
                    }
                    if expect != mode, map[field] != nil {
                        throw KindValidationError(field: field, reason: "only allowed when expect is \(mode), but expect is \(expect); remove \(field) or set expect to \(mode)")
                    }
                }
            },
            Rule(doc: "deadline is after the entry's own time") { map, _, createdAt throws(KindValidationError) in
                guard let createdAt, let deadline = map.integer("deadline"), deadline <= Int64(clamping: createdAt) else { return }
                throw KindValidationError(field: "deadline", reason: "\(KindTime.format(deadline)) is not after the test's own time \(KindTime.format(Int64(clamping: createdAt))); the deadline must be after the test is sent")
            },
        ]),
        exampleJSON: """
        {
          "expect": "role",
          "role": "crisis-centre",
          "deadline": "2026-11-24T11:00:00Z",
          "note": "Monthly test: please confirm within the hour."
        }
        """,
        summary: { f in
            var s = "commtest"
            switch f.text("expect") {
            case "role": s += " (role \(f.text("role") ?? "?"))"
            case "nodes": s += " (\(f.list("nodes")?.count ?? 0) nodes)"
            case let other?: s += " (\(other))"
            case nil: break
            }
            if let d = f.integer("deadline") { s += " — answer by \(KindTime.format(d))" }
            return s
        })
}
