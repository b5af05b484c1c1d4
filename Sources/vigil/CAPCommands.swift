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
        are refused and never fetched), checks it against CAP 1.2 and Vigil's alert schema, and posts it as
        one alert entry from the node running in DIR; the whole message is kept and exports unchanged.
        A CAP Update or Cancel becomes, on every node, an update or retraction of the alerts its
        <references> name (when they arrive, if not yet held). --dry-run parses and validates
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
        let check: CAPImportCheck
        do {
            check = try CAPImportCheck.check(data)
        } catch {
            throw CommandFailure(error.stage == .notCAP ? "\(file) \(error)" : "\(file): \(error)", exitCode: ExitCode.refused)
        }
        let alert = check.alert
        let body = check.imported
        let dryRun = args.flag("dry-run")
        let summary = check.summary
        var result = ImportResult(msgType: body.msgType.rawValue, warnings: body.warnings, summary: summary,
                                  references: body.references.map(\.text), fields: check.fields)
        if !dryRun {
            // An Update or Cancel is posted like any alert: every node links it to the alerts its
            // <references> name (docs/cap.md), whichever node imported them and in whatever order.
            let api = try NodeAPI(args, command: name)
            let request = ComposeRequest(kind: EntryKind.alert.name, fields: check.fields, audience: AudienceFlags.spec(args))
            result.id = try api.call(request).id
        }
        if args.flag("json") {
            output.json(ImportReport(identifier: alert.identifier, sender: alert.sender, dryRun: dryRun, alert: result))
            return ExitCode.success
        }
        output.out("\(file): CAP 1.2 \(alert.msgType.rawValue) \(alert.identifier) from \(alert.sender), \(alert.infos.count) info block\(alert.infos.count == 1 ? "" : "s")\(dryRun ? " (dry run: nothing posted)" : "")")
        let what = result.id.map { "posted \($0.hex.prefix(16))…" } ?? "valid"
        output.out("  \(summary) — \(what)")
        if !body.references.isEmpty {
            output.out("  refers to \(body.references.map(\.text).joined(separator: " ")): becomes an \(alert.msgType == .cancel ? "retraction" : "update") of those alerts on every node that holds them")
        }
        for w in body.warnings { output.out("    warning: \(w)") }
        return ExitCode.success
    }

    /// What `import --cap --json` prints.
    struct ImportReport: Encodable {
        let identifier: String
        let sender: String
        let dryRun: Bool
        let alert: ImportResult
    }

    /// The imported alert's outcome.
    struct ImportResult: Encodable {
        let msgType: String
        let warnings: [String]
        let summary: String
        let references: [String]
        let fields: JSONValue
        var id: EntryID?
    }
}

/// `vigil export --cap`: alert entries as CAP 1.2 XML.
enum ExportCommand: Command {
    static let name = "export"
    static let summary = "Export alerts as CAP 1.2 XML (valid against the OASIS schema)"
    static let help = """
        Usage: vigil export --cap --dir DIR [ID ...] [--out DIRECTORY] [--json]

        Writes the alerts held by the node running in DIR (the given ones, or the 100 newest) as CAP 1.2
        documents, one per alert, in their current state: an imported alert as the CAP message it holds
        (or the newest CAP Update of it, or the CAP Cancel that retracted it), unchanged; an alert amended
        in Vigil as msgType Update, one retracted in Vigil as Cancel. The identifier is the original CAP identifier for imported alerts,
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
            let entry = try api.call(ShowRequest(id: entryID)).entry
            var steps: [EntryID: EntryDetail] = [:]
            for step in CAPEntryExport.stepEntries(of: entry) { steps[step] = try api.call(ShowRequest(id: step)).entry }
            let document: CAPEntryExport.Document
            do {
                document = try CAPEntryExport.document(entry, steps: steps)
            } catch {
                throw CommandFailure(error.description, exitCode: ExitCode.refused)
            }
            let msgType = document.msgType
            let xml = document.xml
            if let out {
                let path = "\(out)/\(document.fileName)"
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
