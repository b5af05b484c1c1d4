import Foundation
import VigilAPI
import VigilModel

/// One held alert as a CAP 1.2 document in its current state, made from the local API's answers: what
/// `vigil export --cap` writes and the desk's CAP download serves, in one place. An imported alert is the
/// CAP message it holds (or its newest CAP Update, or the CAP Cancel that retracted it), unchanged; an
/// alert amended in Vigil is msgType Update, one retracted in Vigil is Cancel (docs/cap.md). Pure: the
/// caller fetches the entries (`ShowRequest`) of `stepEntries(of:)` and hands them in.
public enum CAPEntryExport {
    /// A CAP document for one alert.
    public struct Document: Sendable, Equatable {
        /// The XML, UTF-8, valid against cap12.xsd.
        public let xml: Data
        /// Alert, Update or Cancel.
        public let msgType: CAPMsgType
        /// The file name the CLI writes and the desk offers: the first 16 hex digits of the entry id, `.xml`.
        public let fileName: String
    }

    /// Why an entry cannot be exported.
    public struct Refusal: Error, CustomStringConvertible, Equatable, Sendable {
        /// What was wrong.
        public let description: String
    }

    /// The entries whose kind decides the export: every step of the alert's history after its creation
    /// that changed it.
    public static func stepEntries(of detail: EntryDetail) -> [EntryID] {
        detail.history.filter { $0.change != .ignored && $0.change != .created }.map(\.entry)
    }

    /// The CAP document of `detail`, an alert; `steps` holds the entries of `stepEntries(of: detail)`.
    public static func document(_ detail: EntryDetail, steps stepDetails: [EntryID: EntryDetail]) throws(Refusal) -> Document {
        let id = detail.summary.id.hex
        guard detail.summary.kind == EntryKind.alert.name else { throw Refusal(description: "\(id) is not an alert") }
        var current = detail.current == .object([:]) ? detail.summary.fields : detail.current
        // The steps that changed the alert (ignored, unauthorised updates do not count). Steps made by
        // CAP messages (alert entries: a CAP Update or Cancel linked by its <references>) are not
        // Vigil's own: the current CAP message is exported as it is, a CAP Cancel as itself.
        var steps: [HistoryStep] = []
        var retractedByVigil = false
        for step in detail.history where step.change != .ignored {
            guard step.change != .created else { steps.append(step); continue }
            guard let stepEntry = stepDetails[step.entry] else {
                throw Refusal(description: "alert \(id.prefix(16))…: the entry \(step.entry.hex.prefix(16))… of its history is not at hand")
            }
            if stepEntry.summary.kind == EntryKind.alert.name {
                if step.change == .retracted, detail.retractedBy != nil, !retractedByVigil {
                    current = stepEntry.summary.fields
                }
            } else {
                steps.append(step)
                if step.change == .retracted { retractedByVigil = true }
            }
        }
        let fields: FieldMap
        do {
            fields = try KindSchemas.fields(fromJSONValue: current, kind: .alert)
        } catch {
            throw Refusal(description: "alert \(id.prefix(16))…: \(error)")
        }
        let msgType: CAPMsgType = retractedByVigil ? .cancel : (steps.count > 1 ? .update : .alert)
        let identifier = current["cap_identifier"]?.stringValue ?? "vigil-\(id)"
        let sender = current["cap_sender"]?.stringValue ?? "\(detail.summary.author)@vigil"
        let created = Int64(detail.summary.timeMs)
        let sent = Int64(steps.last?.timeMs ?? UInt64(created))
        var references: [CAPReference] = []
        if msgType != .alert, let createdText = CAPDateTime(milliseconds: created)?.text {
            references = [CAPReference(sender: sender, identifier: identifier, sent: createdText)]
        }
        do {
            let xml = try CAPExport.xml(fields: fields, identifier: msgType == .alert ? identifier : "\(identifier)-\(steps.count)",
                                        sender: sender, sentMilliseconds: sent, msgType: msgType, references: references)
            return Document(xml: xml, msgType: msgType, fileName: "\(id.prefix(16)).xml")
        } catch {
            throw Refusal(description: "alert \(id.prefix(16))… cannot be written as CAP: \(error)")
        }
    }
}
