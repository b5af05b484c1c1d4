import Foundation
import VigilAPI
import VigilCAP
import VigilModel

// The map and CAP pages' API (docs/desk.md): the shapes of alerts, sitreps and incidents; a CAP 1.2
// document checked (dry run) and posted; an alert exported as CAP 1.2. The CAP routes take the same path
// as `vigil import --cap` and `vigil export --cap`: `CAPImportCheck`, then the local API's `compose`;
// `CAPEntryExport` over the local API's `show`. A CAP Update or Cancel is posted like any alert, and every
// node links it to the alerts its <references> name, as for the CLI.
extension DeskServer {
    /// The reply to a map or CAP API request, or nil when `path` is none of theirs.
    func mapAndCAP(_ request: HTTPRequest, path: String, session: DeskSession) async throws(DeskRefusal) -> DeskReply? {
        switch (request.method, path) {
        case (.get, "/api/map"):
            let query = try FeedQuery(queryItems: request.query)
            let entries = try await perform(DeskMapViews.entriesRequest(query)).entries
            return .response(json(DeskMapViews.page(entries)))
        case (.post, "/api/cap/preview"):
            return .response(json(DeskCAPPreview(try Self.capCheck(request.body))))
        case (.post, "/api/cap/import"):
            let check = try Self.capCheck(request.body)
            let audience = try Self.audience(request.query)
            let posted = try await perform(ComposeRequest(kind: EntryKind.alert.name, fields: check.fields, audience: audience, officer: session.officer))
            return .response(json(DeskPosted(id: posted.id.hex)))
        case (.get, "/api/cap/export"):
            guard let text = request.query.first(where: { $0.name == "id" })?.value else { throw DeskRefusal(.badRequest, field: "id", "give the alert's entry id") }
            let detail = try await perform(ShowRequest(id: try Self.entryID(text))).entry
            var steps: [EntryID: EntryDetail] = [:]
            for step in CAPEntryExport.stepEntries(of: detail) { steps[step] = try await perform(ShowRequest(id: step)).entry }
            let document: CAPEntryExport.Document
            do { document = try CAPEntryExport.document(detail, steps: steps) } catch {
                throw DeskRefusal(.unprocessableContent, field: "id", error.description)
            }
            var headers = HTTPHeaders([("Content-Type", "application/xml; charset=utf-8"),
                                       ("Content-Disposition", "attachment; filename=\"\(document.fileName)\"")])
            SecurityHeaders.apply(to: &headers, caching: .never)
            return .response(HTTPResponse(status: .ok, headers: headers, body: Array(document.xml)))
        default:
            return nil
        }
    }

    /// The CLI's checks on a CAP document sent as the request body (raw XML, any supported encoding).
    static func capCheck(_ body: [UInt8]) throws(DeskRefusal) -> CAPImportCheck {
        guard !body.isEmpty else { throw DeskRefusal(.badRequest, field: "cap", "send the CAP 1.2 XML document as the request body") }
        do { return try CAPImportCheck.check(Data(body)) } catch {
            throw DeskRefusal(.unprocessableContent, field: "cap", "the file \(error)")
        }
    }

    /// The audience an import names in its query (`tlp`, and `role`, `org`, `node` repeated), as
    /// `vigil import --cap --tlp … --role …` does; none: the alert's default audience.
    static func audience(_ query: [(name: String, value: String)]) throws(DeskRefusal) -> AudienceSpec? {
        let values = { (name: String) in query.filter { $0.name == name && !$0.value.isEmpty }.map(\.value) }
        guard let tlp = values("tlp").first else {
            guard values("role").isEmpty, values("org").isEmpty, values("node").isEmpty else {
                throw DeskRefusal(.badRequest, field: "tlp", "recipients need a TLP label: pick one")
            }
            return nil
        }
        return AudienceSpec(tlp: tlp, roles: values("role"), organisations: values("org"), nodes: values("node"))
    }
}

/// `POST /api/cap/preview`: what importing the document would post, and what changed on the way.
public struct DeskCAPPreview: Codable, Equatable, Sendable {
    /// The CAP identifier.
    public var identifier: String
    /// The CAP sender.
    public var sender: String
    /// Alert, Update, Cancel, Ack or Error.
    public var msgType: String
    /// The number of `<info>` blocks.
    public var infos: Int
    /// The alert's summary line, as the feed will show it.
    public var summary: String
    /// Where the Vigil view differs from the CAP message (the message itself is kept whole).
    public var warnings: [String]
    /// The earlier messages it refers to (`sender,identifier,sent`): it becomes an update or retraction of them.
    public var references: [String]
    /// The alert's fields as the entry page shows them (dotted paths, text), without the CAP message fields.
    public var fields: [DeskField]

    /// The preview of a checked document.
    public init(_ check: CAPImportCheck) {
        identifier = check.alert.identifier
        sender = check.alert.sender
        msgType = check.imported.msgType.rawValue
        infos = check.alert.infos.count
        summary = check.summary
        warnings = check.imported.warnings
        references = check.imported.references.map(\.text)
        fields = DeskViews.flatten(check.fields).filter { !$0.path.hasPrefix("cap_infos") && !$0.path.hasPrefix("cap_areas")
            && !$0.path.hasPrefix("cap_resources") && !$0.path.hasPrefix("cap.") }
    }
}
