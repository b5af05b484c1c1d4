import Foundation
import VigilAPI
import VigilModel
import VigilNode

/// Talks to the node running in a directory, mapping the answers to exit codes: no node running → 3,
/// a refused request → 1.
struct NodeAPI {
    let dir: String
    let command: String

    init(_ args: Arguments, command: String) throws {
        dir = try args.required("dir")
        self.command = command
    }

    /// Sends a typed request; a failure becomes the CLI's exit code by its code, never by its sentence.
    func call<Op: APIOperation>(_ request: Op) throws -> Op.Answer {
        do {
            return try LocalAPIClient(path: dir + "/node.sock").send(request)
        } catch {
            throw Self.failure(error)
        }
    }

    /// The CLI's failure for an API failure: no node → 3 (environment), a malformed request → 2 (usage),
    /// anything the node refused or could not do → 1.
    static func failure(_ error: APIFailure) -> CommandFailure {
        switch error.code {
        case .noNode: CommandFailure(error.error, exitCode: ExitCode.environment)
        case .badRequest: CommandFailure(error.error, exitCode: ExitCode.usage)
        case .invalid, .notFound, .refused, .unavailable: CommandFailure(error.error, exitCode: ExitCode.refused)
        }
    }
}

/// Reads a time given as ISO 8601 or as a duration from now: back (`30m`, `2h`, `1d`) or ahead (`+10m`);
/// with `durationsAhead` a bare duration counts ahead too (a deadline).
enum TimeArgument {
    static func milliseconds(_ text: String, flag: String, command: String, durationsAhead: Bool = false) throws -> UInt64 {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        var body = Substring(text)
        let ahead = body.hasPrefix("+") || durationsAhead
        if body.hasPrefix("+") { body = body.dropFirst() }
        if let unit = body.last, let n = UInt64(body.dropLast()), let scale: UInt64 = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000][unit] {
            return ahead ? now + n * scale : now - min(now, n * scale)
        }
        if let ms = EntryJSON.milliseconds(iso8601: text), ms >= 0 { return UInt64(ms) }
        throw UsageError("--\(flag) \(text): give an ISO 8601 time with its zone (2026-11-24T18:00:00+01:00) or a duration like 30m, 2h, 1d (+10m for the future)", command: command)
    }
}

/// Audience flags shared by `post` and `commtest start`.
enum AudienceFlags {
    static let names: Set<String> = ["tlp", "role", "org", "to"]
    static func spec(_ args: Arguments) -> AudienceSpec? {
        guard let tlp = args.value("tlp") else {
            if !args.all("role").isEmpty || !args.all("org").isEmpty || !args.all("to").isEmpty {
                return AudienceSpec(tlp: "amber", roles: args.all("role"), organisations: args.all("org"), nodes: args.all("to"))
            }
            return nil
        }
        return AudienceSpec(tlp: tlp, roles: args.all("role"), organisations: args.all("org"), nodes: args.all("to"))
    }
    static let help = """
          --tlp LABEL          clear, green, amber, amber+strict or red (default: the kind's default audience)
          --role ROLE          recipient role (AMBER), repeatable
          --org ORGANISATION   recipient organisation (AMBER, AMBER+STRICT), repeatable
          --to NAME            recipient node by name (AMBER, RED), repeatable
        """
}

/// `vigil post KIND`: a new report, notice, incident, alert, message or comm test.
enum PostCommand: Command {
    static let name = "post"
    static let summary = "Post a sitrep, threat, incident, alert, message or commtest"
    static let help = """
        Usage: vigil post KIND --dir DIR [--FIELD VALUE ...] [--file FIELDS.json | --edit]
                          [--tlp LABEL] [--role ROLE] [--org ORG] [--to NAME] [--ref ID] [--json]

        Signs and posts an entry from the node running in DIR; returns once it is durable (fsynced),
        then it is pushed to every connected peer allowed to read it. KIND is one of
        \(KindSchemas.postable.map(\.name).joined(separator: ", ")). The body comes from field flags (the
        kind's field names; nested fields dotted, e.g. --location.description; repeat a flag for list
        items), from a JSON file, or from an editor template (--edit, $EDITOR). `vigil post KIND --fields`
        lists the kind's fields. Without audience flags the kind's default audience is used
        (docs/kinds.md). Refused with the reason when the body is invalid or this node's role may not
        post KIND (exit 1).

        Options:
          --dir DIR            the node directory
          --file FILE          the body as JSON (see docs/kinds.md)
          --edit               write the body in $EDITOR from a commented template
          --fields             print the kind's fields and exit
        \(AudienceFlags.help)
          --ref ID             an entry this one refers to (a message's thread), repeatable
          --json               print {"id": …}

        Examples:
          vigil post sitrep --dir Certs/ncc --incident_id FLOOD-11 --incident_name "Scheldt flooding" \\
              --report_number 1 --report_type initial --severity moderate \\
              --location.description "Kallo" --summary "40 people evacuated"
          vigil post incident --dir Certs/alpha-security --category drone --observed_at 2026-11-24T14:05:00+01:00 \\
              --location.description "Doel perimeter" --description "Drone heading north-east" --reporter.name "Guard post 3"
          vigil post message --dir Certs/gov-antwerp --subject "Shift change" --text "Desk staffed until 22:00" --tlp green
          vigil post alert --dir Certs/ncc --file alert.json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        guard let kindName = raw.first, !kindName.hasPrefix("--") else {
            throw UsageError("give the kind: \(KindSchemas.postable.map(\.name).joined(separator: ", "))", command: name)
        }
        guard let kind = EntryKind(name: kindName), KindSchemas.postable.contains(kind) else {
            throw UsageError("\"\(kindName)\" is not a kind you can post; use one of \(KindSchemas.postable.map(\.name).joined(separator: ", ")) (updates: `vigil update`, acknowledgements: `vigil ack`)", command: name)
        }
        if raw.contains("--fields") {
            output.out(KindSchemas.help(kind))
            return ExitCode.success
        }
        // Split the known options from the field flags.
        let known: Set<String> = Set(["dir", "file", "ref"]).union(AudienceFlags.names)
        var optionArgs: [String] = []
        var fieldPairs: [(String, String)] = []
        var i = 1
        while i < raw.count {
            let arg = raw[i]
            i += 1
            guard arg.hasPrefix("--") else { throw UsageError("unexpected argument \(arg)", command: name) }
            var flag = String(arg.dropFirst(2))
            if flag == "json" || flag == "edit" { optionArgs.append(arg); continue }
            var value: String
            if let eq = flag.firstIndex(of: "=") {
                value = String(flag[flag.index(after: eq)...])
                flag = String(flag[..<eq])
            } else {
                guard i < raw.count else { throw UsageError("--\(flag) needs a value", command: name) }
                value = raw[i]
                i += 1
            }
            if known.contains(flag) { optionArgs += ["--\(flag)", value] } else { fieldPairs.append((flag, value)) }
        }
        let args = try Arguments(optionArgs, command: name, valueFlags: known, switchFlags: ["json", "edit"])
        let api = try NodeAPI(args, command: name)
        let fields: FieldMap
        do {
            if let file = args.value("file") {
                guard fieldPairs.isEmpty else { throw UsageError("give the body with field flags or --file, not both", command: name) }
                guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure("cannot read \(file)", exitCode: ExitCode.environment) }
                fields = try KindSchemas.fields(fromJSON: data, kind: kind)
            } else if args.flag("edit") {
                _ = try api.call(StatusRequest())   // no node running: say so before the officer writes a report
                fields = try KindSchemas.fields(fromTemplate: try Editor.edit(KindSchemas.template(kind), command: name), kind: kind)
            } else {
                guard !fieldPairs.isEmpty else {
                    throw UsageError("no body: give field flags (`vigil post \(kind.name) --fields` lists them), --file or --edit", command: name)
                }
                fields = try KindSchemas.fields(fromFlags: fieldPairs, kind: kind)
            }
        } catch let error as KindValidationError {
            throw CommandFailure("\(kind.name) not posted: \(error)", exitCode: ExitCode.refused)
        }
        var refs: [EntryID] = []
        for ref in args.all("ref") { refs.append(try EntryIDArgument.resolve(ref, api: api, command: name)) }
        let request = ComposeRequest(kind: kind.name, fields: KindSchemas.humanValue(kind, fields), audience: AudienceFlags.spec(args), refs: refs)
        let answer = try api.call(request)
        if args.flag("json") { output.json(answer) } else { output.out("posted \(kind.name) \(answer.id.hex)") }
        return ExitCode.success
    }
}

/// Opens $EDITOR on a template and returns what was saved.
enum Editor {
    static func edit(_ template: String, command: String) throws -> String {
        let path = NSTemporaryDirectory() + "vigil-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        guard FileManager.default.createFile(atPath: path, contents: Data(template.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("cannot write the template to \(path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let editor = ProcessInfo.processInfo.environment["VISUAL"] ?? ProcessInfo.processInfo.environment["EDITOR"] ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$1\"", "sh", path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandFailure("the editor (\(editor)) exited with \(process.terminationStatus); nothing posted", exitCode: ExitCode.refused) }
        return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}

/// `vigil update ID`: amend fields of an entry, or retract it.
enum UpdateCommand: Command {
    static let name = "update"
    static let summary = "Amend fields of an entry, or retract it (its author or the authority)"
    static let help = """
        Usage: vigil update ID --dir DIR (--FIELD VALUE ... | --retract REASON) [--json]

        Posts an update of entry ID: the named fields take the new values (last writer wins per field,
        so concurrent amendments by two centres converge), or --retract withdraws the entry with a
        reason (a retraction wins over every edit). Only the entry's author or the federation authority
        may update it; others are refused everywhere (exit 1). The update goes to the entry's audience.

        Examples:
          vigil update 3f2a…e9 --dir Certs/ncc --severity severe --people_affected 1200
          vigil update 3f2a…e9 --dir Certs/ncc --retract "posted twice"
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        guard let idText = raw.first, let target = EntryID(hex: idText) else {
            throw UsageError("give the id of the entry to update (64 hex digits; see `vigil list`)", command: name)
        }
        var dir: String?, retract: String?, json = false
        var amend: [String: JSONValue] = [:]
        var i = 1
        while i < raw.count {
            let flag = String(raw[i].dropFirst(2))
            guard raw[i].hasPrefix("--") else { throw UsageError("unexpected argument \(raw[i])", command: name) }
            if flag == "json" { json = true; i += 1; continue }
            guard i + 1 < raw.count else { throw UsageError("--\(flag) needs a value", command: name) }
            let value = raw[i + 1]
            i += 2
            switch flag {
            case "dir": dir = value
            case "retract": retract = value
            default:
                // Numbers and JSON values as such; anything else as text.
                if let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(value.utf8)), parsed.stringValue == nil {
                    amend[flag] = parsed
                } else {
                    amend[flag] = .string(value)
                }
            }
        }
        guard let dir else { throw UsageError("--dir is required", command: name) }
        let fields: JSONValue
        switch (retract, amend.isEmpty) {
        case (let reason?, true): fields = .object(["retract": .string(reason)])
        case (nil, false): fields = .object(["amend": .object(amend)])
        case (nil, true): throw UsageError("give the fields to amend (--FIELD VALUE) or --retract REASON", command: name)
        default: throw UsageError("amend or retract, not both", command: name)
        }
        let api = try NodeAPI(try Arguments(["--dir", dir], command: name, valueFlags: ["dir"], switchFlags: []), command: name)
        let answer = try api.call(ComposeRequest(kind: EntryKind.update.name, fields: fields, refs: [target]))
        if json { output.json(answer) } else { output.out("posted update \(answer.id.hex) of \(target.hex.prefix(16))…") }
        return ExitCode.success
    }
}

/// `vigil list`: entries held, newest first, with filters.
enum ListCommand: Command {
    static let name = "list"
    static let summary = "List entries held (filters: kind, TLP, author, organisation, time, text)"
    static let help = """
        Usage: vigil list --dir DIR [--kind KIND]... [--tlp LABEL] [--author NAME] [--org ORGANISATION]
                          [--since TIME] [--until TIME] [--text TEXT] [--limit N] [--json]

        Lists the entries held by the node running in DIR, newest first. Every filter given must match.
        TIME is ISO 8601 with its zone or a duration back from now (30m, 2h, 1d).

        Options:
          --kind KIND   only this kind (\(EntryKind.allCases.map(\.name).joined(separator: ", "))), repeatable
          --tlp LABEL   only this TLP label
          --author NAME only entries by this member (name or node id)
          --org ORG     only entries by members of this organisation
          --since TIME  only entries at or after TIME;  --until TIME  only before TIME
          --text TEXT   only entries whose body contains TEXT (case-insensitive)
          --limit N     at most N entries (default 50)
          --json        a JSON array of entries

        Examples:
          vigil list --dir Certs/gov-antwerp
          vigil list --dir Certs/ncc --kind incident --since 2h
          vigil list --dir Certs/ncc --author alpha-security --text drone --json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "kind", "tlp", "author", "org", "since", "until", "text", "limit"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let api = try NodeAPI(args, command: name)
        var request = EntriesRequest()
        for kind in args.all("kind") where EntryKind(name: kind) == nil {
            throw UsageError("\"\(kind)\" is not a kind; kinds: \(EntryKind.allCases.map(\.name).joined(separator: ", "))", command: name)
        }
        if let tlp = args.value("tlp"), TLPLabel(name: tlp) == nil {
            throw UsageError("\"\(tlp)\" is not a TLP label (clear, green, amber, amber+strict, red)", command: name)
        }
        if !args.all("kind").isEmpty { request.kinds = args.all("kind") }
        request.tlp = args.value("tlp")
        request.author = args.value("author")
        request.organisation = args.value("org")
        request.text = args.value("text")
        if let since = args.value("since") { request.sinceMs = try TimeArgument.milliseconds(since, flag: "since", command: name) }
        if let until = args.value("until") { request.untilMs = try TimeArgument.milliseconds(until, flag: "until", command: name) }
        if let limit = args.value("limit") {
            guard let n = Int(limit), n > 0 else { throw UsageError("--limit takes a positive number", command: name) }
            request.limit = n
        }
        let entries = try api.call(request).entries
        if args.flag("json") {
            output.json(entries)
        } else if entries.isEmpty {
            output.out("(no entries)")
        } else {
            for e in entries { output.out(EntryLine.format(e)) }
        }
        return ExitCode.success
    }
}

/// One entry on one line, for people.
enum EntryLine {
    static func format(_ e: EntrySummary) -> String {
        let time = e.time.replacingOccurrences(of: "T", with: " ").prefix(19)
        let tlp = e.audience.tlp.replacingOccurrences(of: "TLP:", with: "")
        let id = e.id.hex.prefix(12)
        let kind = e.kind.padding(toLength: 8, withPad: " ", startingAt: 0)
        let author = e.author.padding(toLength: 15, withPad: " ", startingAt: 0)
        return "\(time)  \(kind) \(tlp.padding(toLength: 12, withPad: " ", startingAt: 0)) \(author) \(e.summary)  [\(id)]"
    }
}

/// `vigil show ID`.
enum ShowCommand: Command {
    static let name = "show"
    static let summary = "Show an entry: current state, history of updates, who acknowledged"
    static let help = """
        Usage: vigil show ID --dir DIR [--lang TAG] [--json]

        Shows entry ID as the node running in DIR holds it: its fields after every update (last writer
        wins per field; a retraction wins), the history of updates, who received and who confirmed it,
        and for a communication test its results. ID may be the first 12+ hex digits shown by `list`.
        Texts are shown in one language (--lang, else the node's default, falling back to English, then
        to the body's own); --json carries every language.
        \(LanguageOption.help)

        Examples:
          vigil show 3f2a9c1b7d0e --dir Certs/ncc
          vigil show 3f2a9c1b7d0e --dir Certs/ncc --lang fr
          vigil show 3f2a9c1b7d0e --dir Certs/ncc --json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "lang"], switchFlags: ["json"])
        try args.expectPositionals(1, "the entry id")
        let api = try NodeAPI(args, command: name)
        let id = try EntryIDArgument.resolve(args.positionals[0], api: api, command: name)
        let entry = try api.call(ShowRequest(id: id)).entry
        if args.flag("json") { output.json(entry); return ExitCode.success }
        output.out(EntryLine.format(entry.summary))
        if let retraction = entry.retractedBy {
            output.out("RETRACTED by \(retraction.by) at \(retraction.time): \(retraction.reason)")
        }
        if case .object(let fields) = entry.current, !fields.isEmpty {
            let (current, language) = LanguageOption.localized(entry.current, kind: entry.summary.kind, preferred: LanguageOption.preferred(args))
            output.out("current\(language.map { " (\($0))" } ?? ""):")
            output.out(Output.jsonText(current).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
        output.out("history:")
        for h in entry.history {
            let detail = h.fields.map { " " + $0.joined(separator: ", ") } ?? h.reason.map { " — \($0)" } ?? ""
            output.out("  \(h.time)  \(h.by)\(h.officer.map { " (officer \($0))" } ?? "")  \(h.change.rawValue)\(detail)")
        }
        output.out("acknowledged by: \(entry.acknowledgements.isEmpty ? "nobody yet" : "")")
        for a in entry.acknowledgements {
            output.out("  \(a.member)  received \(a.received ?? "—")  confirmed \(a.confirmed ?? "—")" + (a.officer.map { " by \($0)" } ?? ""))
        }
        if let results = entry.results { CommtestResultsCommand.print(results, output: output) }
        if let incident = entry.incident { printIncident(incident, output: output) }
        return ExitCode.success
    }

    /// An incident's status, its current answer, and every assessment (oldest first).
    static func printIncident(_ incident: IncidentStatusView, output: Output) {
        output.out("status: \(incident.status)")
        if let current = incident.assessments.last {
            if let outcome = current.outcome { output.out("outcome: \(outcome)") }
            if let action = current.protectiveAction { output.out("protective action: \(action)") }
            if let answer = current.answer { output.out("answer: \(answer)") }
        }
        output.out("assessments: \(incident.assessments.isEmpty ? "none yet" : "")")
        for a in incident.assessments {
            output.out("  \(a.time)  \(a.by)\(a.officer.map { " (\($0))" } ?? "")  \(a.status)" + (a.outcome.map { " (\($0))" } ?? ""))
        }
        for (id, reason) in (incident.ignored ?? [:]).sorted(by: { $0.key < $1.key }) {
            output.out("  ignored \(id.prefix(16))…: \(reason)")
        }
    }
}

/// Resolves a full or abbreviated entry id; the node matches the prefix against its index (ids only).
enum EntryIDArgument {
    static func resolve(_ text: String, api: NodeAPI, command: String) throws -> EntryID {
        let lower = text.lowercased()
        if let id = EntryID(hex: lower) { return id }
        guard lower.count >= 8, lower.allSatisfy(\.isHexDigit) else {
            throw UsageError("\(text) is not an entry id: give its 64 hex digits or at least the first 8 shown by `vigil list`", command: command)
        }
        let matches = try api.call(ResolveRequest(prefix: lower)).ids
        guard matches.count == 1 else {
            throw CommandFailure(matches.isEmpty ? "no entry starting with \(text) on this node" : "\(text) matches \(matches.count) entries; give more digits", exitCode: ExitCode.refused)
        }
        return matches[0]
    }
}

/// `vigil ack ID`: the duty officer confirms an entry.
enum AckCommand: Command {
    static let name = "ack"
    static let summary = "Confirm, as duty officer, that you read an entry (comm tests, alerts…)"
    static let help = """
        Usage: vigil ack ID --dir DIR [--json]

        Posts the duty officer's confirmation of entry ID (the node already sent its automatic receipt
        when the entry was a communication test). The confirmation goes to the entry's audience and
        appears in `vigil show ID` and in `vigil commtest results`.

        Examples:
          vigil ack 3f2a9c1b7d0e --dir Certs/gov-antwerp
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(1, "the entry id")
        let api = try NodeAPI(args, command: name)
        let id = try EntryIDArgument.resolve(args.positionals[0], api: api, command: name)
        let answer = try api.call(AckRequest(id: id))
        if args.flag("json") { output.json(answer) } else { output.out("confirmed \(id.hex.prefix(16))… (ack \(answer.id.hex))") }
        return ExitCode.success
    }
}

/// `vigil follow`: the live feed.
enum FollowCommand: Command {
    static let name = "follow"
    static let summary = "Print entries as they arrive (live feed) until interrupted"
    static let help = """
        Usage: vigil follow --dir DIR [--last N] [--json]

        Prints every entry the node running in DIR receives or posts, as it is stored, until Ctrl-C.
        --last N first prints the N newest entries. --json prints one JSON object per line.

        Examples:
          vigil follow --dir Certs/gov-antwerp --last 10
          vigil follow --dir Certs/ncc --json | jq .summary
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "last"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let api = try NodeAPI(args, command: name)
        var request = FollowRequest()
        if let last = args.value("last") {
            guard let n = Int(last), n >= 0 else { throw UsageError("--last takes a number", command: name) }
            request.last = n
        }
        let json = args.flag("json")
        do {
            try LocalAPIClient(path: api.dir + "/node.sock").follow(request) { line in
                guard let entry = line.entry else { return true }
                output.out(json ? Output.jsonLine(entry) : EntryLine.format(entry))
                return true
            }
        } catch {
            throw NodeAPI.failure(error)
        }
        return ExitCode.success
    }
}

/// `vigil commtest start`.
enum CommtestStartCommand: Command {
    static let name = "commtest start"
    static let summary = "Start a communication test; every expected node answers automatically"
    static let help = """
        Usage: vigil commtest start --dir DIR [--expect everyone|role:ROLE|nodes:NAME,NAME]
                                    [--deadline TIME] [--note TEXT] [--json]

        Posts a communication test. Every expected node acknowledges automatically on receipt; its duty
        officer confirms with `vigil ack ID`. Follow the answers with `vigil commtest results`.
        TIME is ISO 8601 with its zone or a duration from now (default 15m).

        Examples:
          vigil commtest start --dir Certs/ncc
          vigil commtest start --dir Certs/ncc --expect role:government --deadline 10m --note "Monday 09:00 test"
          vigil commtest start --dir Certs/ncc --expect nodes:gov-antwerp,nl-ncc
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "expect", "deadline", "note"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let api = try NodeAPI(args, command: name)
        let deadline = try TimeArgument.milliseconds(args.value("deadline") ?? "15m", flag: "deadline", command: name, durationsAhead: true)
        var fields: [String: JSONValue] = ["deadline": .string(EntryJSON.iso8601(milliseconds: deadline))]
        let expect = args.value("expect") ?? "everyone"
        if expect == "everyone" {
            fields["expect"] = .string("everyone")
        } else if expect.hasPrefix("role:") {
            fields["expect"] = .string("role")
            fields["role"] = .string(String(expect.dropFirst(5)))
        } else if expect.hasPrefix("nodes:") {
            let roster = try api.call(RosterRequest()).members
            var ids: [JSONValue] = []
            for name in expect.dropFirst(6).split(separator: ",").map(String.init) {
                guard let member = roster.first(where: { $0.name == name }) else {
                    throw CommandFailure("\(name) is not a member; `vigil roster --dir DIR` lists them", exitCode: ExitCode.refused)
                }
                ids.append(.string(member.identity.hex))
            }
            fields["expect"] = .string("nodes")
            fields["nodes"] = .array(ids)
        } else {
            throw UsageError("--expect is everyone, role:ROLE or nodes:NAME,NAME", command: name)
        }
        if let note = args.value("note") { fields["note"] = .string(note) }
        let answer = try api.call(ComposeRequest(kind: EntryKind.commTest.name, fields: .object(fields)))
        let id = answer.id.hex
        if args.flag("json") { output.json(answer) } else { output.out("communication test \(id) started; results: vigil commtest results \(id.prefix(12)) --dir \(api.dir)") }
        return ExitCode.success
    }
}

/// `vigil commtest results`.
enum CommtestResultsCommand: Command {
    static let name = "commtest results"
    static let summary = "Show a communication test's answers: received, confirmed, or silent"
    static let help = """
        Usage: vigil commtest results [ID] --dir DIR [--json]

        For each expected responder: when its node received the test (automatic acknowledgement) and
        after how long, when a duty officer confirmed and after how long, or silent. A late answer (after
        a reconnect) updates the results and is marked late. Without ID, the newest test.

        Examples:
          vigil commtest results --dir Certs/ncc
          vigil commtest results 3f2a9c1b7d0e --dir Certs/ncc --json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        let api = try NodeAPI(args, command: name)
        var request = CommTestResultsRequest()
        if let first = args.positionals.first { request.id = try EntryIDArgument.resolve(first, api: api, command: name) }
        let test = try api.call(request).test
        if args.flag("json") { output.json(test); return ExitCode.success }
        output.out(EntryLine.format(test.summary))
        print(test.results, output: output)
        return ExitCode.success
    }

    static func print(_ results: [CommTestResultView], output: Output) {
        output.out("responder        status     received (auto delay)           confirmed (officer delay)")
        for r in results {
            func delay(_ ms: UInt64?) -> String { ms.map { String(format: "%.1f s", Double($0) / 1000) } ?? "" }
            let received = r.received.map { "\($0) (\(delay(r.automaticDelayMs)))" } ?? "—"
            let confirmed = r.confirmed.map { "\($0) (\(delay(r.officerDelayMs)))" + (r.officer.map { " by \($0)" } ?? "") } ?? "—"
            let status = r.status.rawValue + (r.late ? " late" : "")
            output.out("\(r.member.padding(toLength: 16, withPad: " ", startingAt: 0)) \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(received.padding(toLength: 32, withPad: " ", startingAt: 0)) \(confirmed)")
        }
    }
}

/// `vigil roster`: list members.
enum RosterCommand: Command {
    static let name = "roster"
    static let summary = "List federation members (roster add|revoke|rotate: the authority)"
    static let help = """
        Usage: vigil roster --dir DIR [--json]

        Lists every member the node running in DIR knows: the genesis plus the authority's roster
        entries (added, revoked, key rotated). See also `vigil roster add|revoke|rotate`.

        Examples:
          vigil roster --dir Certs/ncc
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let members = try NodeAPI(args, command: name).call(RosterRequest()).members
        if args.flag("json") { output.json(members); return ExitCode.success }
        for m in members {
            let name = m.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            let org = m.organisation.padding(toLength: 28, withPad: " ", startingAt: 0)
            let role = m.role.padding(toLength: 14, withPad: " ", startingAt: 0)
            let status = m.status == .revoked ? "REVOKED (\(m.reason ?? ""))" : "active"
            output.out("\(name) \(org) \(role) \(m.identity.hex.prefix(16))…  \(status)")
        }
        return ExitCode.success
    }
}

/// `vigil roster add|revoke|rotate`: the authority changes the membership.
enum RosterChangeCommand {
    static func post(_ fields: [String: JSONValue], args: Arguments, command: String, output: Output) throws -> Int32 {
        let answer = try NodeAPI(args, command: command).call(ComposeRequest(kind: EntryKind.roster.name, fields: .object(fields)))
        if args.flag("json") { output.json(answer) } else { output.out("roster entry \(answer.id.hex) posted; it replicates to every member") }
        return ExitCode.success
    }

    static func member(_ name: String, args: Arguments, command: String) throws -> RosterMemberView {
        let members = try NodeAPI(args, command: command).call(RosterRequest()).members
        guard let m = members.first(where: { $0.name == name }) else {
            throw CommandFailure("\(name) is not a member; `vigil roster --dir DIR` lists them", exitCode: ExitCode.refused)
        }
        return m
    }
}

enum RosterAddCommand: Command {
    static let name = "roster add"
    static let summary = "Authority: add a member (node id, name, organisation, role, address)"
    static let help = """
        Usage: vigil roster add --dir DIR --node NODE_ID --name NAME --org ORGANISATION --role ROLE
                                [--address HOST:PORT]… [--json]

        Signs a roster entry adding a member; it replicates to every node, which then accept the new
        node's certificate (from the federation CA) and entries. Only the authority's node may do this.
        NODE_ID is the new node's public key (`vigil id --dir DIR` on that node). Repeat --address for
        several routes to the member (its office network, then a backup link): peers try them in that
        order, and the member listens on each.

        Examples:
          vigil roster add --dir Certs/ncc --node 5be1…c0 --name police-fed --org "Federal Police" --role police --address 10.0.0.7:7401
        """
    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "node", "name", "org", "role", "address"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        return try RosterChangeCommand.post(["op": .string("add"), "node": .string(try args.required("node")), "name": .string(try args.required("name")),
                                             "organisation": .string(try args.required("org")), "role": .string(try args.required("role")),
                                             "addresses": .array(args.all("address").map(JSONValue.string))], args: args, command: name, output: output)
    }
}

enum RosterRevokeCommand: Command {
    static let name = "roster revoke"
    static let summary = "Authority: revoke a member (its sessions and new entries are refused)"
    static let help = """
        Usage: vigil roster revoke NAME --dir DIR --reason TEXT [--json]

        Signs a roster entry revoking member NAME for good: every node closes and refuses its sessions
        and refuses entries it signs after the revocation. Only the authority's node may do this.

        Examples:
          vigil roster revoke beta-logistics --dir Certs/ncc --reason "contract ended"
        """
    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "reason"], switchFlags: ["json"])
        try args.expectPositionals(1, "the member's name")
        let member = try RosterChangeCommand.member(args.positionals[0], args: args, command: name)
        return try RosterChangeCommand.post(["op": .string("revoke"), "node": .string(member.identity.hex), "reason": .string(try args.required("reason"))],
                                            args: args, command: name, output: output)
    }
}

enum RosterRotateCommand: Command {
    static let name = "roster rotate"
    static let summary = "Authority: record a member's new key (its identity continues)"
    static let help = """
        Usage: vigil roster rotate NAME --dir DIR --key NEW_NODE_ID [--json]

        Signs a roster entry giving member NAME a new key: entries it signs with the new key continue
        its identity; its old key is refused from then on. Install the new identity.key and node.crt on
        that node and restart it. Only the authority's node may do this.

        Examples:
          vigil roster rotate gov-limburg --dir Certs/ncc --key 9ac0…31
        """
    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "key"], switchFlags: ["json"])
        try args.expectPositionals(1, "the member's name")
        let member = try RosterChangeCommand.member(args.positionals[0], args: args, command: name)
        return try RosterChangeCommand.post(["op": .string("rotate"), "node": .string(member.identity.hex), "key": .string(try args.required("key"))],
                                            args: args, command: name, output: output)
    }
}
