import Foundation
import VigilStore

/// Resolves a store directory: a node directory (holding `store/`) or the store directory itself.
func storeDirectory(_ path: String) -> String {
    var isDir: ObjCBool = false
    let nested = path + "/store"
    if FileManager.default.fileExists(atPath: nested, isDirectory: &isDir), isDir.boolValue,
       FileManager.default.fileExists(atPath: path + "/node.json") {
        return nested
    }
    return path
}

/// `vigil store check`: reports damage without changing anything.
enum StoreCheckCommand: Command {
    static let name = "store check"
    static let summary = "Check a node's entry store for damage (changes nothing)"
    static let help = """
        Usage: vigil store check DIR [--json]

        Reads every segment of the entry store in DIR (a node directory, or its store/ directory) and
        lists every problem with its file and byte offset. Changes nothing. Safe while the node runs
        (a torn tail may then be a write in progress).
        Exit code 0 when the store is healthy or has only a torn tail (which the node cuts off by itself
        at start); 1 when it has damage that `vigil store repair` must fix before the node can start.

        Options:
          --json   print the report as JSON

        Examples:
          vigil store check /var/lib/vigil
          vigil store check /var/lib/vigil/store --json
        """

    struct Result: Encodable {
        struct Problem: Encodable { let kind: String; let file: String; let offset: Int64; let length: Int64; let detail: String }
        let directory: String
        let healthy: Bool
        let opensCleanly: Bool
        let segments: Int
        let intactRecords: Int
        let inUse: Bool
        let problems: [Problem]
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: [], switchFlags: ["json"])
        try args.expectPositionals(1, "DIR (the node or store directory)")
        let dir = storeDirectory(args.positionals[0])
        guard FileManager.default.fileExists(atPath: dir) else { throw CommandFailure("no store at \(dir)") }
        let report = EntryStore.check(directory: dir)
        if args.flag("json") {
            output.json(Result(directory: dir, healthy: report.isHealthy, opensCleanly: report.opensCleanly,
                               segments: report.segments.count, intactRecords: report.intactRecords, inUse: report.inUse,
                               problems: report.problems.map { .init(kind: $0.kind.rawValue, file: $0.file, offset: $0.offset, length: $0.length, detail: $0.detail) }))
        } else {
            output.out(report.description)
        }
        return report.opensCleanly ? ExitCode.success : ExitCode.refused
    }
}

/// `vigil store repair`: keeps every intact record, drops damaged bytes.
enum StoreRepairCommand: Command {
    static let name = "store repair"
    static let summary = "Repair a damaged entry store, keeping every intact record"
    static let help = """
        Usage: vigil store repair DIR [--json]

        Repairs the entry store in DIR (a node directory, or its store/ directory): every intact record
        is kept — including those after a damaged range — and only damaged bytes are dropped. Damaged
        segments are rewritten safely (new file, fsync, rename). Stop the node first: repair refuses a
        store another process has open. Entries lost to damage come back from peers at the next
        reconciliation.

        Options:
          --json   print the report as JSON

        Examples:
          vigil store check /var/lib/vigil && echo healthy || vigil store repair /var/lib/vigil
        """

    struct Result: Encodable {
        let directory: String
        let rewrittenSegments: [String]
        let keptRecords: Int
        let rescuedRecords: Int
        let droppedBytes: Int64
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: [], switchFlags: ["json"])
        try args.expectPositionals(1, "DIR (the node or store directory)")
        let dir = storeDirectory(args.positionals[0])
        guard FileManager.default.fileExists(atPath: dir) else { throw CommandFailure("no store at \(dir)") }
        let report: RepairReport
        do {
            report = try EntryStore.repair(directory: dir)
        } catch {
            throw CommandFailure("\(error)")
        }
        if args.flag("json") {
            output.json(Result(directory: dir, rewrittenSegments: report.rewrittenSegments, keptRecords: report.keptRecords,
                               rescuedRecords: report.rescuedRecords, droppedBytes: report.droppedBytes))
        } else {
            output.out(report.description)
        }
        return ExitCode.success
    }
}
