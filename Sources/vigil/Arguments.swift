/// A command-line usage error: what was wrong and how to ask for help. Exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    let command: String?
    init(_ message: String, command: String? = nil) {
        self.message = message
        self.command = command
    }
    var description: String {
        let help = command.map { "vigil help \($0)" } ?? "vigil --help"
        return "\(message)\nRun `\(help)` for usage and examples."
    }
}

/// A failure that is not the user's typing: a file that cannot be read, an identity that exists.
/// Exit code 3 unless `exitCode` says otherwise.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32
    init(_ message: String, exitCode: Int32 = 3) {
        self.message = message
        self.exitCode = exitCode
    }
    var description: String { message }
}

/// Parses `--flag value`, `--flag=value`, boolean `--flag` and positional arguments, strictly:
/// unknown flags and missing values are usage errors.
struct Arguments {
    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var switches: Set<String> = []
    let command: String

    /// `valueFlags` take a value; `switchFlags` do not. Both are given without the leading `--`.
    init(_ raw: [String], command: String, valueFlags: Set<String>, switchFlags: Set<String>) throws {
        self.command = command
        var i = 0
        var onlyPositionals = false
        while i < raw.count {
            let arg = raw[i]
            i += 1
            if onlyPositionals || !arg.hasPrefix("--") || arg == "-" {
                if !onlyPositionals, arg.hasPrefix("-"), arg != "-", arg != "-h" {
                    throw UsageError("unknown option \(arg)", command: command)
                }
                if arg == "-h" { switches.insert("help"); continue }
                positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            var name = String(arg.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if switchFlags.contains(name) || name == "help" {
                guard inline == nil else { throw UsageError("--\(name) takes no value", command: command) }
                switches.insert(name)
            } else if valueFlags.contains(name) {
                if let inline {
                    values[name, default: []].append(inline)
                } else {
                    guard i < raw.count else { throw UsageError("--\(name) needs a value", command: command) }
                    values[name, default: []].append(raw[i])
                    i += 1
                }
            } else {
                throw UsageError("unknown option --\(name)", command: command)
            }
        }
    }

    func flag(_ name: String) -> Bool { switches.contains(name) }
    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    func required(_ name: String) throws -> String {
        guard let v = value(name), !v.isEmpty else { throw UsageError("--\(name) is required", command: command) }
        return v
    }

    func expectPositionals(_ count: Int, _ what: String) throws {
        guard positionals.count == count else {
            throw UsageError(positionals.count < count ? "missing \(what)" : "unexpected argument \(positionals[count])", command: command)
        }
    }
}
