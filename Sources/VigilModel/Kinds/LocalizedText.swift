/// Bodies in several languages: which fields of a kind are text in a language, and which language to
/// show. Pure functions; the CLI and the local API both use them.
///
/// A body's top-level texts are in its `language` (when given); the optional `translations` field is a
/// list of maps, each with a `language` (a BCP 47 tag such as `nl-BE`, `fr`, `de-BE`, `en`) and that
/// language's version of some of the kind's translatable fields (`translatableFields`). A translation
/// without a field falls back to the top-level one.
public enum LocalizedText {
    /// The body field holding the translations.
    public static let fieldName = "translations"
    /// Translations in one body (one per language).
    public static let maxTranslations = 16

    /// The fields of `kind` whose text is in a language (empty for kinds without translations).
    public static func translatableFields(_ kind: EntryKind) -> [String] {
        switch kind {
        case .alert: ["event", "headline", "description", "instruction"]
        case .situationReport: ["incident_name", "summary", "actions_taken"]
        case .threatNotice: ["title", "description", "measures"]
        case .message: ["subject", "text"]
        default: []
        }
    }

    /// Whether `tag` is a language tag as the kinds' `language` fields take it: a primary subtag of 2–3
    /// ASCII letters (`primary`; CAP's RFC 3066 allows 1–8), then subtags of 1–8 ASCII letters or digits,
    /// joined by `-` (the length of the whole is the field's own limit). Read on the UTF-8 bytes: any other
    /// byte refuses the tag, and for the bytes it accepts, bytes are characters.
    public static func isLanguageTag(_ tag: String, primary: ClosedRange<Int> = 2...3) -> Bool {
        var part = 0, length = 0
        for b in tag.utf8 {
            if b == 0x2D {
                guard part == 0 ? primary.contains(length) : (1...8).contains(length) else { return false }
                part += 1
                length = 0
                continue
            }
            let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
            guard letter || (part > 0 && b >= 0x30 && b <= 0x39) else { return false }
            length += 1
        }
        return part == 0 ? primary.contains(length) : (1...8).contains(length)
    }

    /// The language to show from `available` (tags as written): the first of `preferred`, then
    /// `fallback`, that matches — exactly (case-insensitive), else by its primary subtag (`nl` matches
    /// `nl-BE`, `nl-NL` matches `nl` and `nl-BE`). Nil when none matches.
    public static func pick(preferred: [String], fallback: String?, available: [String]) -> String? {
        for wanted in preferred + (fallback.map { [$0] } ?? []) {
            let w = wanted.lowercased()
            if let exact = available.first(where: { $0.lowercased() == w }) { return exact }
            let primary = w.split(separator: "-").first.map(String.init) ?? w
            if let near = available.first(where: { ($0.lowercased().split(separator: "-").first.map(String.init) ?? "") == primary }) {
                return near
            }
        }
        return nil
    }

    /// The languages a body of `kind` is available in: its `language` (or nil when not given) first, then
    /// those of its translations.
    public static func languages(_ kind: EntryKind, _ fields: FieldMap) -> [String] {
        var tags: [String] = []
        if case .text(let t)? = fields["language"] { tags.append(t) }
        for t in translations(fields) { if case .text(let tag)? = t["language"] { tags.append(tag) } }
        return tags
    }

    /// The body with its translatable fields in the language picked from `preferred` and `fallback`
    /// (see `pick`), and that language; the body unchanged (and its own `language`) when no translation
    /// matches better than the top level. `translations` is kept as it is.
    public static func localized(_ kind: EntryKind, _ fields: FieldMap, preferred: [String], fallback: String?) -> (fields: FieldMap, language: String?) {
        let own: String? = if case .text(let t)? = fields["language"] { t } else { nil }
        let names = translatableFields(kind)
        guard !names.isEmpty, let chosen = pick(preferred: preferred, fallback: fallback, available: languages(kind, fields)),
              chosen != own,
              let translation = translations(fields).first(where: { $0["language"] == .text(chosen) }) else {
            return (fields, own)
        }
        var out = fields
        for name in names { if let v = translation[name] { out[name] = v } }
        out["language"] = .text(chosen)
        return (out, chosen)
    }

    static func translations(_ fields: FieldMap) -> [FieldMap] {
        guard case .list(let items)? = fields[fieldName] else { return [] }
        return items.compactMap { if case .map(let m) = $0 { m } else { nil } }
    }
}
