import Foundation
import VigilAPI
import VigilBundle
import VigilCrypto
import VigilModel
import VigilNode
import VigilStore

/// Opens the node directory for a bundle command: directly when the node is stopped, or `nil` when
/// it is running (its store is locked) — then the command goes through the local API.
enum BundleNodeAccess {
    static func offline(_ dir: String) throws -> OfflineNode? {
        do {
            return try OfflineNode(directory: dir)
        } catch let error as StoreError where error.code == .locked {
            return nil
        } catch let error as ConfigurationError {
            throw CommandFailure(error.message, exitCode: ExitCode.environment)
        }
    }

    /// Prints an import report; returns the exit code (1 when any entry was refused).
    static func report(_ report: BundleImportReport, json: Bool, output: Output) -> Int32 {
        if json {
            output.json(report)
        } else {
            output.out("bundle from \(report.exporter), made at \(report.created): \(report.items.count) entries")
            output.table([("new", "\(report.new)"), ("already held", "\(report.held)"), ("refused", "\(report.refused.count)")])
            for (id, refusal) in report.refused { output.out("  refused \(id.hex.prefix(16))…  \(refusal.code.rawValue): \(refusal.message)") }
        }
        return report.refused.isEmpty ? ExitCode.success : ExitCode.refused
    }

    static func refusal(_ error: BundleRefusal) -> CommandFailure {
        CommandFailure("bundle refused (\(error.reason.rawValue)), nothing was stored: \(error.message)", exitCode: ExitCode.refused)
    }
}

/// `vigil bundle export`: the entries the named recipients may read, sealed to them and signed.
enum BundleExportCommand: Command {
    static let name = "bundle export"
    static let summary = "Write a sealed, signed bundle of entries for named recipients (sneakernet)"
    static let help = """
        Usage: vigil bundle export --dir DIR --out FILE [--to NODE ...] [--role ROLE ...] [--since TIME] [--json]

        Writes FILE (mode 0600): the entries this node holds that every recipient may read (the audience
        rule, exactly as on the wire), encrypted so that only the recipients can open it and signed by
        this node. Works with the node stopped (reads the store) or running (through DIR/node.sock).
        Each recipient must have published its encryption key (`vigil bundle key`) and this node must
        hold that enckey entry. Format and threat model: docs/bundles.md.

        Options:
          --dir DIR       node directory
          --out FILE      the bundle file to write
          --to NODE       a recipient by name or node id, repeatable
          --role ROLE     every other active member with this role, repeatable
          --since TIME    only entries from this time on (ISO 8601, or 30m, 2h, 1d ago)
          --json          print the result as JSON

        Examples:
          vigil bundle export --dir Certs/ncc --out /media/usb/antwerp.vgb --to gov-antwerp
          vigil bundle export --dir Certs/ncc --out gov.vgb --role government --since 1d
        """

    struct Result: Encodable { let out: String; let entries: Int; let recipients: [String] }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "out", "to", "role", "since"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let dir = try args.required("dir")
        let out = try args.required("out")
        let since = try args.value("since").map { try TimeArgument.milliseconds($0, flag: "since", command: name) }
        let request = BundleSelection(to: args.all("to"), roles: args.all("role"), sinceMilliseconds: since)
        guard !request.to.isEmpty || !request.roles.isEmpty else {
            throw UsageError("name the recipients: --to NODE or --role ROLE (repeatable)", command: name)
        }
        let result: Result
        if let node = try BundleNodeAccess.offline(dir) {
            defer { node.close() }
            do {
                let (bytes, plan) = try node.exportBundle(request)
                try BundleFileIO.write(bytes, to: out)
                result = Result(out: out, entries: plan.entries.count, recipients: plan.recipients.map(\.member.name))
            } catch let error as ConfigurationError {
                throw CommandFailure(error.message, exitCode: ExitCode.refused)
            }
        } else {
            // The node writes the file: give it an absolute path.
            let absolute = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
            let answer = try NodeAPI(args, command: name).call(BundleExportRequest(out: absolute, to: request.to, roles: request.roles, sinceMs: since))
            result = Result(out: out, entries: answer.entries, recipients: answer.recipients)
        }
        if args.flag("json") { output.json(result) } else {
            output.out("wrote \(result.out): \(result.entries) entries for \(result.recipients.joined(separator: ", "))")
        }
        return ExitCode.success
    }
}

/// `vigil bundle import`: verify and store a bundle's entries as if a peer had sent them.
enum BundleImportCommand: Command {
    static let name = "bundle import"
    static let summary = "Import a bundle: verify every entry as from a peer; report new, held, refused"
    static let help = """
        Usage: vigil bundle import --dir DIR FILE [--json]

        Opens FILE with this node's encryption.key and checks it as a whole: format, federation, exporter
        (a member whose key was valid when it made the bundle), signature, that it is addressed to this
        node. A bundle that fails any of these is refused with the reason and nothing is stored. Then
        every entry is verified exactly as if a peer had sent it (signature, roster, federation rules,
        audience) and the report says how many were new, already held, and refused with their reasons.
        Importing the same bundle again stores nothing new. Works with the node stopped or running.

        Exit codes: 0 imported, 1 the bundle or some of its entries refused, 3 node directory problem.

        Examples:
          vigil bundle import --dir /var/lib/vigil /media/usb/antwerp.vgb
          vigil bundle import --dir Certs/gov-antwerp antwerp.vgb --json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(1, "FILE")
        let dir = try args.required("dir")
        let path = args.positionals[0]
        let report: BundleImportReport
        if let node = try BundleNodeAccess.offline(dir) {
            defer { node.close() }
            let bytes: [UInt8]
            do { bytes = try BundleFileIO.read(path) } catch { throw CommandFailure(error.message, exitCode: ExitCode.environment) }
            do {
                report = try node.importBundle(bytes)
            } catch let error as BundleRefusal {
                throw BundleNodeAccess.refusal(error)
            }
        } else {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            report = try NodeAPI(args, command: name).call(BundleImportRequest(path: absolute))
        }
        return BundleNodeAccess.report(report, json: args.flag("json"), output: output)
    }
}

/// `vigil bundle key`: make this node's encryption key if it has none, and publish it.
enum BundleKeyCommand: Command {
    static let name = "bundle key"
    static let summary = "Create encryption.key if missing and publish it (enckey entry) so others can seal bundles to this node"
    static let help = """
        Usage: vigil bundle key --dir DIR [--json]

        Bundles are sealed to each recipient's X25519 encryption key (DIR/encryption.key, mode 0600;
        `vigil init` creates it). This command creates it if it is missing and publishes its public half
        in a TLP:GREEN enckey entry signed by this node, which replicates like every entry. It does
        nothing when the newest enckey entry held already names this key. To rotate: move
        encryption.key away and run it again; the newer announcement wins everywhere. Works with the
        node stopped (the entry is stored and spreads at the next start) or running.

        Example:
          vigil bundle key --dir /var/lib/vigil
        """

    struct Result: Encodable { let publicKey: String; let entry: String? }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let dir = try args.required("dir")
        let key = try EncryptionKeyFile.loadOrCreate(dir)
        let entry: String?
        if let node = try BundleNodeAccess.offline(dir) {
            defer { node.close() }
            entry = try node.announceEncryptionKey(key)?.id.hex
        } else {
            entry = try NodeAPI(args, command: name).call(BundleKeyRequest()).id?.hex
        }
        let result = Result(publicKey: hex(key.publicKey), entry: entry)
        if args.flag("json") { output.json(result) } else {
            output.out("encryption key \(result.publicKey)")
            output.out(entry.map { "published in enckey entry \($0)" } ?? "already published")
        }
        return ExitCode.success
    }
}
