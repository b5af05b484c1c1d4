import Foundation
import VigilModel

/// `--lang TAG` for commands that show bodies: which language an officer reads. The choice is
/// `LocalizedText.pick` (VigilModel): the requested language, else the node's default (the tag in the
/// file `language` of the node directory), else English, else the body's own language.
enum LanguageOption {
    static let help = "  --lang TAG     show texts in this language (BCP 47: nl, fr-BE, de, en); default: the node's (DIR/language), then en"

    /// The languages to try, best first.
    static func preferred(_ args: Arguments) -> [String] {
        var tags: [String] = []
        if let lang = args.value("lang") { tags.append(lang) }
        if let dir = args.value("dir"), let data = FileManager.default.contents(atPath: "\(dir)/language") {
            let tag = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !tag.isEmpty { tags.append(tag) }
        }
        return tags
    }

    /// The human JSON body `object` of `kind` with its texts in the picked language (unchanged when the
    /// kind has no translations or the object cannot be read back), and the language shown.
    static func localized(_ body: JSONValue, kind: String, preferred: [String]) -> (body: JSONValue, language: String?) {
        guard let kind = EntryKind(name: kind), !LocalizedText.translatableFields(kind).isEmpty,
              let fields = try? KindSchemas.fields(fromJSONValue: body, kind: kind) else { return (body, nil) }
        let (shown, language) = LocalizedText.localized(kind, fields, preferred: preferred, fallback: "en")
        return (KindSchemas.humanValue(kind, shown), language)
    }
}
