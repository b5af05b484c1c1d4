import Foundation
import VigilCrypto
import VigilModel

/// `vigil entry new`: signs a new entry with this node's identity and writes its canonical bytes.
enum EntryNewCommand: Command {
    static let name = "entry new"
    static let summary = "Sign a new entry with this node's key and write it to a file"
    static let help = """
        Usage: vigil entry new --dir DIR --kind KIND (--text TEXT | --body-file FILE) --out FILE
                               [--tlp LABEL] [--role ROLE]… [--org ORGANISATION]… [--node NODEID]…
                               [--ref ENTRYID]… [--json]

        Builds an entry authored by the node in DIR, stamps it with the current hybrid logical clock,
        signs it with DIR/identity.key and writes its canonical bytes to FILE (never overwriting).
        This is the low-level tool for making and checking entries by hand (`vigil entry inspect` reads
        them back, `vigil entry submit` hands one to the running node). It does not check the body
        against its kind: the node does, and refuses an invalid one with the reason. To post reports,
        use `vigil post KIND`, which builds typed bodies.

        Options:
          --dir DIR            node directory (made by `vigil init`)
          --kind KIND          \(EntryKind.allCases.map(\.name).joined(separator: ", "))
          --text TEXT          body text: the field map {"text": TEXT}; for a message
                               {"subject": first line, "text": TEXT}
          --body-file FILE     body bytes from a file, as they are
          --tlp LABEL          CLEAR, GREEN (default), AMBER, AMBER+STRICT, RED
          --role ROLE          recipient role (repeatable)
          --org ORGANISATION   recipient organisation (repeatable)
          --node NODEID        recipient node id, 64 hex digits (repeatable)
          --ref ENTRYID        referenced entry id, 64 hex digits (repeatable, order kept)
          --out FILE           where to write the entry
          --json               print the new entry as JSON

        Examples:
          vigil entry new --dir ./node-a --kind message --text "Comms check 14:00" --out msg.entry
          vigil entry new --dir ./node-a --kind sitrep --tlp AMBER --role government --role authority \\
              --body-file report.txt --out report.entry
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name,
                                 valueFlags: ["dir", "kind", "text", "body-file", "tlp", "role", "org", "node", "ref", "out"],
                                 switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let node = NodeDirectory(path: try args.required("dir"))
        let kindName = try args.required("kind")
        guard let kind = EntryKind(name: kindName) else {
            throw UsageError("unknown kind \"\(kindName)\"; kinds are \(EntryKind.allCases.map(\.name).joined(separator: ", "))", command: name)
        }
        let tlpName = args.value("tlp") ?? "GREEN"
        guard let tlp = TLPLabel(name: tlpName) else {
            throw UsageError("unknown TLP label \"\(tlpName)\"; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED", command: name)
        }
        let body: [UInt8]
        switch (args.value("text"), args.value("body-file")) {
        case let (text?, nil):
            do {
                // A message needs a subject too (docs/kinds.md): its first line. Other kinds have typed
                // bodies that `vigil post KIND` builds; here the text is signed as given.
                let subject = String((text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "message").prefix(200))
                body = try (kind == .message ? ["subject": .text(subject), "text": .text(text)] : ["text": .text(text)] as FieldMap).encoded()
            } catch {
                throw UsageError("--text: \(error)", command: name)
            }
        case let (nil, file?):
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read body file \(file)") }
            body = Array(data)
        case (nil, nil): throw UsageError("give the body with --text or --body-file", command: name)
        default: throw UsageError("give --text or --body-file, not both", command: name)
        }
        var nodes: [NodeID] = []
        for text in args.all("node") {
            guard let id = NodeID(hex: text) else { throw UsageError("--node \(text): a node id is 64 hex digits", command: name) }
            nodes.append(id)
        }
        var refs: [EntryID] = []
        for text in args.all("ref") {
            guard let id = EntryID(hex: text) else { throw UsageError("--ref \(text): an entry id is 64 hex digits", command: name) }
            refs.append(id)
        }
        let out = try args.required("out")
        guard !FileManager.default.fileExists(atPath: out) else {
            throw CommandFailure("\(out) already exists; choose another --out file")
        }
        let key = try node.loadKey()
        var clock = HybridClock()
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let draft = EntryDraft(author: NodeID(key.publicKey), timestamp: clock.tick(wallMilliseconds: now), kind: kind,
                               audience: Audience(tlp: tlp, roles: args.all("role"), organisations: args.all("org"), nodes: nodes),
                               refs: refs, body: body)
        let entry: Entry
        do {
            entry = try draft.signed(by: key)
        } catch let error as DecodingError {
            throw UsageError("the entry breaks a limit: \(error)", command: name)
        }
        do {
            try Data(entry.canonicalBytes).write(to: URL(fileURLWithPath: out), options: .withoutOverwriting)
        } catch {
            throw CommandFailure("cannot write \(out): \(error.localizedDescription)")
        }
        if args.flag("json") {
            output.json(EntryJSON(entry))
        } else {
            output.table([("entry id", entry.id.hex), ("kind", kind.name), ("audience", tlp.name), ("size", "\(entry.canonicalBytes.count) bytes"), ("written to", out)])
        }
        return ExitCode.success
    }
}

/// `vigil entry inspect`: decodes an entry file, checks it, prints it.
enum EntryInspectCommand: Command {
    static let name = "entry inspect"
    static let summary = "Decode and verify an entry file; print it as a table or JSON"
    static let help = """
        Usage: vigil entry inspect FILE [--json]

        Reads one entry in its canonical binary form from FILE (or standard input with -), checks that
        it is canonical (format version, field limits, minimal integers, sorted recipients, no trailing
        bytes) and that its signature verifies under its author's key, and prints it.
        Exit code 0 when the entry is valid; 1 when it is not, with the field and the reason.

        Options:
          --json   print {"valid": true, "entry": {…}} or {"valid": false, "error": "…"}

        Examples:
          vigil entry inspect report.entry
          vigil entry inspect --json - < report.entry
        """

    struct Result: Encodable {
        let valid: Bool
        let entry: EntryJSON?
        let error: String?
        let errorCode: String?
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: [], switchFlags: ["json"])
        try args.expectPositionals(1, "FILE (the entry to inspect, or - for standard input)")
        let path = args.positionals[0]
        let bytes = try readLimited(path)
        do {
            let entry = try EntryValidator.decodeAndValidate(bytes)
            if args.flag("json") {
                output.json(Result(valid: true, entry: EntryJSON(entry), error: nil, errorCode: nil))
            } else {
                printTable(EntryJSON(entry), output: output)
            }
            return ExitCode.success
        } catch {
            if args.flag("json") {
                output.json(Result(valid: false, entry: nil, error: error.message, errorCode: error.code.rawValue))
            } else {
                output.err("vigil entry inspect: \(path) is NOT a valid entry: \(error.message)")
            }
            return ExitCode.refused
        }
    }

    static func readLimited(_ path: String) throws -> [UInt8] {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot open \(path)") }
            handle = h
        }
        // One byte more than the limit tells "too large" apart from "exactly at the limit".
        let data: Data?
        do {
            data = try handle.read(upToCount: EntryLimits.maxEncodedBytes + 1)
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
        }
        return Array(data ?? Data())
    }

    static func printTable(_ e: EntryJSON, output: Output) {
        var rows: [(String, String)] = [
            ("status", "VALID (canonical, signature verified)"),
            ("entry id", e.id), ("kind", e.kind), ("author", "\(e.authorFingerprint)  (\(e.author))"),
            ("time", "\(e.time)  (hlc \(e.hlc))"), ("audience", e.audience.tlp),
        ]
        if !e.audience.roles.isEmpty { rows.append(("  roles", e.audience.roles.joined(separator: ", "))) }
        if !e.audience.organisations.isEmpty { rows.append(("  organisations", e.audience.organisations.joined(separator: ", "))) }
        for node in e.audience.nodes { rows.append(("  node", node)) }
        for ref in e.refs { rows.append(("ref", ref)) }
        rows.append(("size", "\(e.size) bytes"))
        if let fields = e.fields {
            for (name, value) in fields.fields {
                let text: String
                switch value {
                case .text(let t): text = t
                case .integer(let n): text = "\(n)"
                case .bool(let b): text = "\(b)"
                case .id(let id): text = id.hex
                case .list, .map: text = (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "?"
                }
                rows.append(("  \(name)", text.count > 400 ? String(text.prefix(400)) + "…" : text))
            }
        } else if let text = e.bodyText {
            rows.append(("body", text.count > 400 ? String(text.prefix(400)) + "…" : text))
        } else {
            rows.append(("body", "(\(e.bodyBase64.count) base64 characters of binary data; use --json)"))
        }
        output.table(rows)
    }
}
