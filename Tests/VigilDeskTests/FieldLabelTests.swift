import Foundation
import Testing
import VigilDesk
import VigilModel

/// The post forms' human labels (`Web/labels.js`): every field of every postable kind has one in English,
/// Dutch and French, and the table names no field that no form has.
@Suite("Field labels")
struct FieldLabelTests {
    /// The table in labels.js: the strict JSON object after `export const labels = `, up to the line `};`.
    static func table(_ name: String = "labels") throws -> [String: [String: String]] {
        let text = String(decoding: try #require(DeskFiles.files["labels.js"]).bytes, as: UTF8.self)
        let start = try #require(text.range(of: "export const \(name) = ")).upperBound
        let end = try #require(text.range(of: "\n};\n", range: start..<text.endIndex)).lowerBound
        return try JSONDecoder().decode([String: [String: String]].self, from: Data((text[start..<end] + "\n}").utf8))
    }

    @Test("every field of every postable kind has a label in English, Dutch and French")
    func everyField() throws {
        let labels = try Self.table()
        var paths: Set<String> = []
        for kind in KindSchemas.postable {
            let form = try #require(KindSchemas.form(kind))
            for field in form.fields {
                paths.insert(field.path)
                let label = labels[field.path] ?? [:]
                for language in ["en", "nl", "fr"] {
                    #expect(!(label[language] ?? "").trimmingCharacters(in: .whitespaces).isEmpty, "\(form.kind): \(field.path) has no \(language) label")
                }
                #expect(Set(label.keys).isSubset(of: ["en", "nl", "fr"]), "\(field.path): \(label.keys.sorted())")
            }
        }
        #expect(Set(labels.keys).subtracting(paths).isEmpty, "labels for fields no form has: \(Set(labels.keys).subtracting(paths).sorted())")
        // Translated, not copied: most Dutch and French labels differ from the English one.
        let copiedNL = labels.values.filter { $0["nl"] == $0["en"] }.count
        let copiedFR = labels.values.filter { $0["fr"] == $0["en"] }.count
        #expect(copiedNL * 10 < labels.count && copiedFR * 5 < labels.count, "nl same as en: \(copiedNL), fr: \(copiedFR) of \(labels.count)")
    }

    @Test("every postable kind has a name in English (its schema's title), Dutch and French")
    func everyKind() throws {
        let titles = try Self.table("kindTitles")
        var kinds: Set<String> = []
        for kind in KindSchemas.postable {
            let form = try #require(KindSchemas.form(kind))
            kinds.insert(form.kind)
            let title = titles[form.kind] ?? [:]
            #expect(title["en"] == form.title, "\(form.kind): the English name is the schema's title")
            for language in ["nl", "fr"] {
                #expect(!(title[language] ?? "").trimmingCharacters(in: .whitespaces).isEmpty, "\(form.kind) has no \(language) name")
            }
            #expect(Set(title.keys) == ["en", "nl", "fr"], "\(form.kind): \(title.keys.sorted())")
        }
        #expect(Set(titles.keys) == kinds, "names for kinds no form has: \(Set(titles.keys).subtracting(kinds).sorted())")
    }
}
