import Foundation
import VigilCrypto
import VigilDesk

/// The officer accounts file of a node directory: read, and written atomically with mode 0600.
struct OfficerFile {
    let path: String

    init(dir: String) {
        path = dir + "/" + OfficerAccounts.fileName
    }

    /// The accounts, or none when the file does not exist yet. Refuses a file others can read.
    func load() throws -> OfficerAccounts {
        guard FileManager.default.fileExists(atPath: path) else { return OfficerAccounts() }
        var status = stat()
        guard stat(path, &status) == 0 else { throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
        guard status.st_mode & 0o077 == 0 else {
            throw CommandFailure("\(path) can be read by other users (mode \(String(status.st_mode & 0o777, radix: 8))); it holds password hashes: run `chmod 600 \(path)`")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        do {
            return try OfficerAccounts(fileBytes: Array(data))
        } catch {
            throw CommandFailure("\(path): \(error.message)")
        }
    }

    /// Writes a temporary file with mode 0600, syncs it, and renames it over the old one.
    func save(_ accounts: OfficerAccounts) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CommandFailure("cannot create \(temporary): \(String(cString: strerror(errno))); is the node directory writable?") }
        fchmod(fd, 0o600)
        let bytes = accounts.fileBytes
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads a new officer password: from the terminal without echo (asked twice), or one line from stdin.
enum PasswordInput {
    static func read(fromStdin: Bool, officer: String) throws -> String {
        if fromStdin {
            guard let line = readLine(strippingNewline: true) else {
                throw UsageError("--password-stdin: no password on standard input", command: DeskAddOfficerCommand.name)
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw UsageError("standard input is not a terminal: type the password at a terminal, or pipe it with --password-stdin", command: DeskAddOfficerCommand.name)
        }
        let first = try prompt("Password for desk officer \(officer): ")
        let second = try prompt("Again: ")
        guard first == second else { throw CommandFailure("the two passwords differ; nothing was changed", exitCode: ExitCode.refused) }
        return first
    }

    /// One line from the terminal with echo off (restored afterwards, even on failure).
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw CommandFailure("cannot read the terminal settings: \(String(cString: strerror(errno)))") }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CommandFailure("no password was typed", exitCode: ExitCode.usage) }
        return line
    }
}

extension DeskError {
    /// The command failure for this error: invalid input is refused (1), a bad file is an environment problem (3).
    var commandFailure: CommandFailure {
        CommandFailure(message, exitCode: code == .invalidOfficerFile ? ExitCode.environment : ExitCode.refused)
    }
}

/// `vigil desk add-officer NAME`: an officer account for this node's desk.
enum DeskAddOfficerCommand: Command {
    static let name = "desk add-officer"
    static let summary = "Add a desk officer (or set a new password with --replace)"
    static let help = """
        Usage: vigil desk add-officer NAME --dir DIR [--password-stdin] [--replace]

        Creates a login for the node's web desk (docs/desk.md). The password is asked twice at the
        terminal without echo, or read as one line from standard input with --password-stdin; it must
        have at least 12 characters. Only its scrypt hash is stored, in DIR/desk-officers.json (mode
        0600). NAME: 1 to 64 letters, digits, '.', '_' or '-'. Run it on the node's machine as the
        node's user. A running node reads the file again on its next login attempt.

        Options:
          --dir DIR          the node directory
          --password-stdin   read the password from standard input (for scripts)
          --replace          set a new password for an existing officer

        Examples:
          vigil desk add-officer j.dupont --dir /var/lib/vigil
          printf '%s\\n' "$PASSWORD" | vigil desk add-officer demo --dir Certs/ncc --password-stdin
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["password-stdin", "replace"])
        try args.expectPositionals(1, "NAME")
        let officer = args.positionals[0]
        let file = OfficerFile(dir: try args.required("dir"))
        var accounts = try file.load()
        do {
            try OfficerAccounts.validateName(officer)
            if accounts.officer(named: officer) != nil && !args.flag("replace") {
                throw DeskError(.officerExists, "an officer called \(officer) exists already; to set a new password use --replace, or remove the officer first")
            }
            let password = try PasswordInput.read(fromStdin: args.flag("password-stdin"), officer: officer)
            try accounts.add(name: officer, password: password, salt: SecureRandom.bytes(OfficerAccounts.saltBytes),
                             now: UInt64(Date().timeIntervalSince1970 * 1000), replacing: args.flag("replace"))
        } catch let error as DeskError {
            throw error.commandFailure
        }
        try file.save(accounts)
        output.out("desk officer \(officer) \(args.flag("replace") ? "has a new password" : "added") (\(file.path))")
        return ExitCode.success
    }
}

/// `vigil desk remove-officer NAME`.
enum DeskRemoveOfficerCommand: Command {
    static let name = "desk remove-officer"
    static let summary = "Remove a desk officer"
    static let help = """
        Usage: vigil desk remove-officer NAME --dir DIR

        Deletes the officer's login from DIR/desk-officers.json. Their open desk sessions end when the
        node next checks them. Exit code 1 if there is no such officer.

        Examples:
          vigil desk remove-officer j.dupont --dir /var/lib/vigil
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: [])
        try args.expectPositionals(1, "NAME")
        let file = OfficerFile(dir: try args.required("dir"))
        var accounts = try file.load()
        do {
            try accounts.remove(name: args.positionals[0])
        } catch {
            throw error.commandFailure
        }
        try file.save(accounts)
        output.out("desk officer \(args.positionals[0]) removed")
        return ExitCode.success
    }
}

/// `vigil desk list-officers`.
enum DeskListOfficersCommand: Command {
    static let name = "desk list-officers"
    static let summary = "List the desk officers"
    static let help = """
        Usage: vigil desk list-officers --dir DIR [--json]

        Lists the desk logins of the node in DIR with when each was added (never a password or hash).

        Examples:
          vigil desk list-officers --dir /var/lib/vigil
          vigil desk list-officers --dir /var/lib/vigil --json
        """

    /// One row of `--json` output.
    struct Row: Encodable {
        let name: String
        let added: String
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let accounts = try OfficerFile(dir: try args.required("dir")).load()
        let formatter = ISO8601DateFormatter()
        let rows = accounts.officers.map {
            Row(name: $0.name, added: formatter.string(from: Date(timeIntervalSince1970: Double($0.addedMilliseconds) / 1000)))
        }
        if args.flag("json") {
            output.json(rows)
        } else if rows.isEmpty {
            output.out("no desk officers yet; add one with `vigil desk add-officer NAME --dir DIR`")
        } else {
            output.out(rows.map { $0.name.padding(toLength: max(20, $0.name.count + 2), withPad: " ", startingAt: 0) + "added " + $0.added }.joined(separator: "\n"))
        }
        return ExitCode.success
    }
}
