import Foundation
import VigilModel
import VigilNode

/// `vigil list`: the entries the running node holds.
enum ListCommand: Command {
    static let name = "list"
    static let summary = "List the entries the running node holds (newest last)"
    static let help = """
        Usage: vigil list --dir DIR [--kind KIND] [--limit N] [--json]

        Lists the entries held by the node running in DIR, in the display order (time, then author),
        with kind, audience, author and the start of the text.

        Options:
          --kind KIND   only this kind (\(EntryKind.allCases.map(\.name).joined(separator: ", ")))
          --limit N     at most the last N entries (default 50)
          --json        print the entries as JSON

        Examples:
          vigil list --dir Certs/gov-antwerp
          vigil list --dir Certs/ncc --kind incident --json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "kind", "limit"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let dir = try args.required("dir")
        var kind: EntryKind?
        if let k = args.value("kind") {
            guard let parsed = EntryKind(name: k) else { throw UsageError("unknown kind \"\(k)\"", command: name) }
            kind = parsed
        }
        guard let limit = Int(args.value("limit") ?? "50"), limit > 0 else { throw UsageError("--limit takes a positive number", command: name) }
        let client = LocalAPIClient(path: dir + "/node.sock")
        var entries: [EntryJSON] = []
        do {
            var from = 0
            while true {
                let page = try client.request(["op": "list", "from": from, "limit": 1000])
                let ids = page["ids"] as? [String] ?? []
                for id in ids {
                    let answer = try client.request(["op": "get", "id": id])
                    let data = try JSONSerialization.data(withJSONObject: answer["entry"] ?? [:])
                    let entry = try JSONDecoder().decode(EntryJSON.self, from: data)
                    if kind == nil || entry.kind == kind!.name { entries.append(entry) }
                }
                if ids.count < 1000 { break }
                from = page["next"] as? Int ?? from + ids.count
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        // Display order: HLC (ms, counter), then author, then id.
        func key(_ e: EntryJSON) -> (UInt64, UInt64, String, String) {
            let parts = e.hlc.split(separator: ".").compactMap { UInt64($0) }
            return (parts.first ?? 0, parts.dropFirst().first ?? 0, e.author, e.id)
        }
        entries.sort { key($0) < key($1) }
        entries = Array(entries.suffix(limit))
        if args.flag("json") {
            output.json(entries)
            return ExitCode.success
        }
        if entries.isEmpty {
            output.out("no entries")
            return ExitCode.success
        }
        let rows = [["time", "kind", "audience", "author", "id", "text"]] + entries.map { e in
            let text = Self.summary(e)
            return [String(e.time.prefix(19)), e.kind, e.audience.tlp.replacingOccurrences(of: "TLP:", with: ""), e.authorFingerprint,
                    String(e.id.prefix(12)), text.count > 60 ? String(text.prefix(59)) + "…" : text]
        }
        let widths = (0..<6).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows { output.out(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")) }
        return ExitCode.success
    }

    /// The readable text of a body: a field map's text fields, or the raw UTF-8.
    static func summary(_ e: EntryJSON) -> String {
        if let map = e.fields {
            let texts = map.fields.compactMap { field -> String? in
                if case .text(let t) = field.value { return t }
                return nil
            }
            return texts.joined(separator: " · ")
        }
        return e.bodyText ?? "(binary)"
    }
}
