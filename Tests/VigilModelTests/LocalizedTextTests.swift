import Foundation
import Testing
@testable import VigilModel

@Suite("Bodies in several languages")
struct LocalizedTextTests {
    @Test("pick: exact tag, then primary subtag, then the fallback; nil when nothing matches")
    func pick() {
        let available = ["nl-BE", "fr-BE", "de-BE", "en"]
        #expect(LocalizedText.pick(preferred: ["fr-BE"], fallback: "en", available: available) == "fr-BE")
        #expect(LocalizedText.pick(preferred: ["FR-be"], fallback: nil, available: available) == "fr-BE")
        #expect(LocalizedText.pick(preferred: ["nl"], fallback: "en", available: available) == "nl-BE")
        #expect(LocalizedText.pick(preferred: ["de-DE"], fallback: "en", available: available) == "de-BE")
        #expect(LocalizedText.pick(preferred: ["it", "es"], fallback: "en", available: available) == "en")
        #expect(LocalizedText.pick(preferred: ["it"], fallback: "pl", available: available) == nil)
        #expect(LocalizedText.pick(preferred: [], fallback: nil, available: available) == nil)
    }

    /// The alert schema's language check as it was written on characters, before it read bytes.
    static func referenceIsLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return (2...3).contains(parts[0].count) && parts[0].allSatisfy { $0.isASCII && $0.isLetter }
            && parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    @Test("language tags are judged on bytes as they were on characters")
    func languageTags() {
        var tags = ["", "-", "e", "en", "eng", "engl", "en-", "-en", "en-US", "nl-BE", "en-US-x", "es-419", "419", "e1", "en-123456789",
                    "en-12345678", "zh-Hant-TW", "en_US", "ën", "en-ÜS", "en-US\r\n", "de-\u{301}DE", "en\r\n-US"]
        var r = SeededRandom(seed: 0x1A7)
        let pieces = ["a", "Z", "q", "-", "1", "9", "é", "_", " ", "\u{301}", "\r\n"]
        for _ in 0..<3_000 { tags.append((0..<Int(r.next() % 14)).map { _ in pieces[Int(r.next() % UInt64(pieces.count))] }.joined()) }
        for tag in tags {
            #expect(LocalizedText.isLanguageTag(tag) == Self.referenceIsLanguageTag(tag), "\(tag.debugDescription)")
            #expect((KindCatalog.languageTag.problem(tag) == nil) == Self.referenceIsLanguageTag(tag), "\(tag.debugDescription)")
        }
    }

    static let sitrep = """
        {"incident_id": "X-1", "incident_name": "Overstroming Antwerpen", "report_number": 1, "report_type": "initial",
         "severity": "severe", "location": {"description": "Kallo"}, "summary": "Dijkbreuk.", "language": "nl-BE",
         "translations": [{"language": "fr-BE", "incident_name": "Inondation Anvers", "summary": "Rupture de digue."},
                          {"language": "de", "summary": "Deichbruch."}]}
        """

    @Test("sitrep, threat and message bodies carry translations; localized picks and falls back per field")
    func kinds() throws {
        let f = try KindSchemas.fields(fromJSON: Data(Self.sitrep.utf8), kind: .situationReport)
        let fr = LocalizedText.localized(.situationReport, f, preferred: ["fr"], fallback: "en")
        #expect(fr.language == "fr-BE" && fr.fields["summary"] == .text("Rupture de digue.") && fr.fields["incident_name"] == .text("Inondation Anvers"))
        let de = LocalizedText.localized(.situationReport, f, preferred: ["de-BE"], fallback: "en")
        #expect(de.fields["summary"] == .text("Deichbruch.") && de.fields["incident_name"] == .text("Overstroming Antwerpen"))
        #expect(LocalizedText.localized(.situationReport, f, preferred: ["en"], fallback: "en").language == "nl-BE")
        let message = try KindSchemas.fields(fromJSON: Data("""
            {"subject": "Liaison", "text": "Arrives at 14:00.", "language": "en",
             "translations": [{"language": "nl", "subject": "Verbindingsofficier", "text": "Komt om 14:00."}]}
            """.utf8), kind: .message)
        #expect(LocalizedText.localized(.message, message, preferred: ["nl-BE"], fallback: nil).fields["text"] == .text("Komt om 14:00."))
        let threat = try KindSchemas.fields(fromJSON: Data("""
            {"level": 2, "title": "Verhoogde dreiging", "scope": {"regions": ["Antwerpen"]}, "valid_from": "2026-11-24T10:00:00Z",
             "translations": [{"language": "fr", "title": "Menace accrue", "measures": ["patrouilles"]}]}
            """.utf8), kind: .threatNotice)
        #expect(LocalizedText.localized(.threatNotice, threat, preferred: ["fr"], fallback: nil).fields["measures"] == .list([.text("patrouilles")]))
    }

    @Test("translations are refused when a language repeats, is not a tag, or a field is unknown")
    func refusals() {
        func refusal(_ json: String) -> KindValidationError? {
            do { _ = try KindSchemas.fields(fromJSON: Data(json.utf8), kind: .message); return nil } catch { return error }
        }
        let base = #""subject": "s", "text": "t", "language": "nl""#
        #expect(refusal("{\(base)}") == nil)
        #expect(refusal(#"{\#(base), "translations": [{"language": "NL", "text": "x"}]}"#)?.field == "translations[0].language")
        #expect(refusal(#"{\#(base), "translations": [{"language": "fr"}, {"language": "fr"}]}"#)?.reason.contains("translation [0]") == true)
        #expect(refusal(#"{\#(base), "translations": [{"language": "français"}]}"#)?.field == "translations[0].language")
        #expect(refusal(#"{\#(base), "translations": [{"language": "fr", "priority": "x"}]}"#)?.field == "translations[0].priority")
        #expect(refusal(#"{\#(base), "translations": [{"text": "x"}]}"#)?.field == "translations[0].language")
    }

    @Test("alert: expires may equal onset, not precede it; CAP fields need cap")
    func alertRules() {
        func refusal(_ extra: String) -> KindValidationError? {
            let json = #"{"event": "e", "status": "draft", "urgency": "unknown", "severity": "unknown", "certainty": "unknown", "categories": ["met"], "areas": [{"description": "a"}]\#(extra)}"#
            do { _ = try KindSchemas.fields(fromJSON: Data(json.utf8), kind: .alert); return nil } catch { return error }
        }
        #expect(refusal(#", "onset": "2026-01-01T10:00:00Z", "expires": "2026-01-01T10:00:00Z""#) == nil)
        #expect(refusal(#", "onset": "2026-01-01T10:00:00Z", "expires": "2026-01-01T09:00:00Z""#)?.field == "expires")
        #expect(refusal(#", "cap_infos": []"#)?.field == "cap_infos")
    }
}
