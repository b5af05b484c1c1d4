import Foundation
import VigilModel

/// What `vigil import --cap` and the desk's CAP page check before anything is posted, in one place so
/// that both refuse and warn alike: the document parsed as CAP 1.2 (`CAPParser`), mapped to an alert
/// body (`CAPImport`), and validated against Vigil's alert schema. The result is what would be posted.
public struct CAPImportCheck: Sendable {
    /// The parsed CAP message.
    public let alert: CAPAlert
    /// The alert body made from it, with the warnings, the message type and the references.
    public let imported: CAPImportedAlert
    /// The alert's one-line summary, as the feed will show it.
    public let summary: String
    /// The body in the alert's human JSON form: what `compose` is sent.
    public let fields: JSONValue

    /// Why a document cannot be imported.
    public struct Refusal: Error, CustomStringConvertible, Equatable, Sendable {
        /// Which check refused it.
        public enum Stage: String, Codable, Sendable {
            /// Not CAP 1.2: a DTD, XML that is not well-formed, or a schema rule of CAP 1.2 broken.
            case notCAP = "not-cap"
            /// Acceptable CAP whose Vigil view does not fit the alert schema.
            case schema
        }

        /// The check.
        public let stage: Stage
        /// What was wrong (the parser's or the schema's sentence, with the element or field path).
        public let reason: String

        /// The sentence the CLI prints after the file name.
        public var description: String {
            switch stage {
            case .notCAP: "is not an acceptable CAP 1.2 alert: \(reason)"
            case .schema: "the alert does not fit Vigil's alert schema: \(reason)"
            }
        }
    }

    /// Checks one document (any supported encoding, at most 1 MiB). Pure.
    public static func check(_ data: Data) throws(Refusal) -> CAPImportCheck {
        let alert: CAPAlert
        let imported: CAPImportedAlert
        do {
            alert = try CAPParser.parse(data)
            imported = try CAPImport.alertBody(from: alert)
        } catch {
            throw Refusal(stage: .notCAP, reason: error.description)
        }
        do { try imported.validate() } catch {
            throw Refusal(stage: .schema, reason: "\(error)")
        }
        let fields = imported.fields
        return CAPImportCheck(alert: alert, imported: imported, summary: KindSchemas.summary(.alert, fields),
                              fields: KindSchemas.humanValue(.alert, fields))
    }
}
