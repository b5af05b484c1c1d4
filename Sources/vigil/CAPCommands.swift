import Foundation
import VigilAPI
import VigilCAP
import VigilModel
import VigilNode

/// `vigil import --cap FILE`: CAP 1.2 alerts become alert entries.
enum ImportCommand: Command {
    static let name = "import"
    static let summary = "Import a CAP 1.2 document as alert entries (--dry-run: check only)"
    static let help = """
        Usage: vigil import --cap FILE --dir DIR [--dry-run] [--tlp LABEL --role ROLE --org ORG --to NAME] [--json]

        Reads a CAP 1.2 alert (any of UTF-8, UTF-16, ISO-8859-1, windows-1252; DTDs and external entities
        are refused and never fetched), checks it against CAP 1.2 and Vigil's alert schema, and posts one
        alert entry per <info> block from the node running in DIR. A CAP Cancel retracts the alerts this
        node holds that were imported from the referenced CAP messages. --dry-run parses and validates
        and shows what would be posted, and posts nothing (a node need not be running).
        What was changed or left out on the way is listed as warnings. See docs/cap.md.

        Options:
          --cap FILE     the CAP 1.2 XML document
          --dir DIR      the node directory
          --dry-run      check only; post nothing
        \(AudienceFlags.help)
          --json         print the result as JSON

        Examples:
          vigil import --cap warning.xml --dir Certs/ncc --dry-run
          vigil import --cap warning.xml --dir Certs/ncc --tlp amber --role government --role authority
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: Set(["cap", "dir"]).union(AudienceFlags.names), switchFlags: ["dry-run", "json"])
        try args.expectPositionals(0, "")
        let file = try args.required("cap")
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read \(file)", exitCode: ExitCode.environment)
        }
        let alert: CAPAlert
        let bodies: [CAPImportedAlert]
        do {
            alert = try CAPParser.parse(data)
            bodies = try CAPImport.alertBodies(from: alert)
            for body in bodies { try KindSchemas.validate(.alert, body.fields, createdAt: nil) }
        } catch let error as CAPError {
            throw CommandFailure("\(file) is not an acceptable CAP 1.2 alert: \(error)", exitCode: ExitCode.refused)
        } catch let error as KindValidationError {
            throw CommandFailure("\(file): the alert does not fit Vigil's alert schema: \(error)", exitCode: ExitCode.refused)
        }
        var results: [ImportResult] = []
        let dryRun = args.flag("dry-run")
        let api = dryRun ? nil : try NodeAPI(args, command: name)
        for body in bodies {
            var result = ImportResult(info: body.infoIndex, msgType: body.msgType.rawValue, warnings: body.warnings,
                                      summary: KindSchemas.summary(.alert, body.fields), fields: KindSchemas.humanValue(.alert, body.fields))
            if let api {
                if body.msgType == .cancel, !body.references.isEmpty {
                    result.retracted = try retract(body.references, api: api)
                } else {
                    let request = ComposeRequest(kind: EntryKind.alert.name, fields: KindSchemas.humanValue(.alert, body.fields), audience: AudienceFlags.spec(args))
                    result.id = try api.call(request).id
                }
            }
            results.append(result)
        }
        if args.flag("json") {
            output.json(ImportReport(identifier: alert.identifier, sender: alert.sender, dryRun: dryRun, alerts: results))
            return ExitCode.success
        }
        output.out("\(file): CAP 1.2 \(alert.msgType.rawValue) \(alert.identifier) from \(alert.sender), \(bodies.count) alert\(bodies.count == 1 ? "" : "s")\(dryRun ? " (dry run: nothing posted)" : "")")
        for r in results {
            let what = r.id.map { "posted \($0.hex.prefix(16))…" } ?? r.retracted.map { "retracted \($0.count) alert(s)" } ?? "valid"
            output.out("  info[\(r.info)]: \(r.summary) — \(what)")
            for w in r.warnings { output.out("    warning: \(w)") }
        }
        return ExitCode.success
    }

    /// What `import --cap --json` prints.
    struct ImportReport: Encodable {
        let identifier: String
        let sender: String
        let dryRun: Bool
        let alerts: [ImportResult]
    }

    /// One `<info>` block's outcome.
    struct ImportResult: Encodable {
        let info: Int
        let msgType: String
        let warnings: [String]
        let summary: String
        let fields: JSONValue
        var id: EntryID?
        var retracted: [EntryID]?
    }

    /// Retracts the held alerts imported from the referenced CAP messages.
    static func retract(_ references: [CAPReference], api: NodeAPI) throws -> [EntryID] {
        var request = EntriesRequest()
        request.kinds = [EntryKind.alert.name]
        request.limit = 10_000
        let alerts = try api.call(request).entries
        let wanted = Set(references.map(\.identifier))
        var retracted: [EntryID] = []
        for alert in alerts {
            guard let identifier = alert.fields["cap_identifier"]?.stringValue, wanted.contains(identifier) else { continue }
            _ = try api.call(ComposeRequest(kind: EntryKind.update.name, fields: .object(["retract": .string("CAP Cancel of \(identifier)")]), refs: [alert.id]))
            retracted.append(alert.id)
        }
        guard !retracted.isEmpty else {
            throw CommandFailure("this CAP Cancel refers to \(wanted.sorted().joined(separator: ", ")), which this node holds no imported alert for; nothing done", exitCode: ExitCode.refused)
        }
        return retracted
    }
}

/// `vigil export --cap`: alert entries as CAP 1.2 XML.
enum ExportCommand: Command {
    static let name = "export"
    static let summary = "Export alerts as CAP 1.2 XML (valid against the OASIS schema)"
    static let help = """
        Usage: vigil export --cap --dir DIR [ID ...] [--out DIRECTORY] [--json]

        Writes the alerts held by the node running in DIR (the given ones, or the 100 newest) as CAP 1.2
        documents, one per alert, in their current state: an amended alert is exported as msgType Update,
        a retracted one as Cancel. The identifier is the original CAP identifier for imported alerts,
        otherwise `vigil-<entry id>`. Without --out a single alert is printed on standard output.

        Examples:
          vigil export --cap --dir Certs/ncc --out /tmp/cap
          vigil export --cap --dir Certs/ncc 3f2a9c1b7d0e > alert.xml
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "out"], switchFlags: ["cap", "json"])
        guard args.flag("cap") else { throw UsageError("say the format: --cap (CAP 1.2 is the one format)", command: name) }
        let api = try NodeAPI(args, command: name)
        var ids = try args.positionals.map { try EntryIDArgument.resolve($0, api: api, command: name) }
        if ids.isEmpty {
            var request = EntriesRequest()
            request.kinds = [EntryKind.alert.name]
            request.limit = 100
            ids = try api.call(request).entries.map(\.id)
        }
        guard !ids.isEmpty else { throw CommandFailure("this node holds no alert to export", exitCode: ExitCode.refused) }
        let out = args.value("out")
        guard out != nil || ids.count == 1 else {
            throw UsageError("\(ids.count) alerts: give --out DIRECTORY (or one ID to print it)", command: name)
        }
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        var written: [Written] = []
        for entryID in ids {
            let id = entryID.hex
            let entry = try api.call(ShowRequest(id: entryID)).entry
            guard entry.summary.kind == EntryKind.alert.name else { throw CommandFailure("\(id) is not an alert", exitCode: ExitCode.refused) }
            let current = entry.current == .object([:]) ? entry.summary.fields : entry.current
            let fields: FieldMap
            do {
                fields = try KindSchemas.fields(fromJSONValue: current, kind: .alert)
            } catch {
                throw CommandFailure("alert \(id.prefix(16))…: \(error)", exitCode: ExitCode.refused)
            }
            // The steps that changed the alert (ignored, unauthorised updates do not count).
            let steps = entry.history.filter { $0.change != .ignored }
            let msgType: CAPMsgType = entry.retractedBy != nil ? .cancel : (steps.count > 1 ? .update : .alert)
            let identifier = current["cap_identifier"]?.stringValue ?? "vigil-\(id)"
            let sender = current["cap_sender"]?.stringValue ?? "\(entry.summary.author)@vigil"
            let created = Int64(entry.summary.timeMs)
            let sent = Int64(steps.last?.timeMs ?? UInt64(created))
            var references: [CAPReference] = []
            if msgType != .alert, let createdText = CAPDateTime(milliseconds: created)?.text {
                references = [CAPReference(sender: sender, identifier: identifier, sent: createdText)]
            }
            let xml: Data
            do {
                xml = try CAPExport.xml(fields: fields, identifier: msgType == .alert ? identifier : "\(identifier)-\(steps.count)",
                                        sender: sender, sentMilliseconds: sent, msgType: msgType, references: references)
            } catch {
                throw CommandFailure("alert \(id.prefix(16))… cannot be written as CAP: \(error)", exitCode: ExitCode.refused)
            }
            if let out {
                let path = "\(out)/\(id.prefix(16)).xml"
                guard FileManager.default.createFile(atPath: path, contents: xml) else { throw CommandFailure("cannot write \(path)") }
                written.append(Written(id: entryID, file: path, msgType: msgType.rawValue))
            } else {
                output.out(String(decoding: xml, as: UTF8.self))
                return ExitCode.success
            }
        }
        if args.flag("json") { output.json(written) } else {
            for w in written { output.out("\(w.file)  \(w.msgType)") }
        }
        return ExitCode.success
    }

    /// One exported file, for `--json`.
    struct Written: Encodable {
        let id: EntryID
        let file: String
        let msgType: String
    }
}
