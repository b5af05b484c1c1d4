import Foundation
import VigilCrypto
import VigilModel

/// Exit codes of every `vigil` command.
enum ExitCode {
    /// Done.
    static let success: Int32 = 0
    /// The input was examined and refused (an invalid entry, a bad certificate).
    static let refused: Int32 = 1
    /// The command line was wrong.
    static let usage: Int32 = 2
    /// A file, directory or identity problem.
    static let environment: Int32 = 3
}

/// One `vigil` sub-command.
protocol Command {
    /// The words that name it, e.g. `entry inspect`.
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// Full help: usage, options, examples.
    static var help: String { get }
    /// Runs with the arguments after the command's name. Returns the exit code.
    static func run(_ arguments: [String], output: Output) throws -> Int32
}

/// Parses the command line and dispatches to a command.
enum CommandLineTool {
    static var commands: [any Command.Type] {[
        InitCommand.self, IdCommand.self, EntryNewCommand.self, EntryInspectCommand.self,
        EntrySubmitCommand.self, RunCommand.self, StatusCommand.self, PostCommand.self, ListCommand.self, ShowCommand.self,
        FollowCommand.self, UpdateCommand.self, AckCommand.self, CommtestStartCommand.self, CommtestResultsCommand.self,
        RosterCommand.self, RosterAddCommand.self, RosterRevokeCommand.self, RosterRotateCommand.self,
        ImportCommand.self, ExportCommand.self,
        StoreCheckCommand.self, StoreRepairCommand.self,
        BundleExportCommand.self, BundleImportCommand.self, BundleKeyCommand.self,
        VersionCommand.self, CompletionCommand.self,
        DeskAddOfficerCommand.self, DeskRemoveOfficerCommand.self, DeskListOfficersCommand.self,
    ]}

    /// The command column of the overview: the longest name and two spaces, so a name never runs into its summary.
    static var nameWidth: Int { (commands.map { $0.name.count }.max() ?? 0) + 2 }

    /// The "Commands:" lines of the overview.
    static var commandList: String {
        let rows = commands.map { ($0.name, $0.summary) } + [("help COMMAND", "Show a command's options and examples")]
        return rows.map { "  " + $0.0.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }

    static var overview: String { """
        vigil — a federated peer-sync messaging node for crisis centres and their partners.

        Usage: vigil COMMAND [OPTIONS]

        Commands:
        \(commandList)

        Every command accepts --help. Exit codes: 0 done, 1 refused (invalid input), 2 usage error,
        3 file, directory or identity problem.

        Examples:
          vigil init --dir /var/lib/vigil --name ncc-duty --org "National Crisis Centre" --role authority
          vigil id --dir /var/lib/vigil
          vigil entry inspect report.entry --json
        """
    }

    /// Runs `vigil` with `arguments` (without the program name) and returns the exit code.
    static func run(_ arguments: [String], output: Output = Output()) -> Int32 {
        guard let first = arguments.first else {
            output.out(overview)
            return ExitCode.usage
        }
        if first == "--help" || first == "-h" {
            output.out(overview)
            return ExitCode.success
        }
        if first == "--version" {
            return (try? VersionCommand.run(Array(arguments.dropFirst()), output: output)) ?? ExitCode.usage
        }
        if first == "help", arguments.count == 3, arguments[1] == "--man" {
            // Hidden, for Scripts/package: writes the man pages generated from this table into a directory.
            return writeManPages(to: arguments[2], output: output)
        }
        if first == "help" {
            let topic = arguments.dropFirst().joined(separator: " ")
            if topic.isEmpty {
                output.out(overview)
                return ExitCode.success
            }
            guard let command = commands.first(where: { $0.name == topic }) else {
                output.err("vigil: no command called \"\(topic)\"\nRun `vigil --help` for the list of commands.")
                return ExitCode.usage
            }
            output.out(command.help)
            return ExitCode.success
        }
        // Longest match first: `entry inspect` before `entry`.
        let match = commands
            .filter { command in
                let words = command.name.split(separator: " ").map(String.init)
                return Array(arguments.prefix(words.count)) == words
            }
            .max { $0.name.count < $1.name.count }
        guard let command = match else {
            let group = commands.filter { $0.name.hasPrefix(first + " ") }
            if !group.isEmpty {
                output.err("vigil \(first): needs a sub-command: \(group.map { $0.name }.joined(separator: ", "))\nRun `vigil --help` for the list of commands.")
            } else {
                output.err("vigil: unknown command \"\(first)\"\nRun `vigil --help` for the list of commands.")
            }
            return ExitCode.usage
        }
        let rest = Array(arguments.dropFirst(command.name.split(separator: " ").count))
        if rest.contains("--help") || rest.contains("-h") {
            output.out(command.help)
            return ExitCode.success
        }
        do {
            return try command.run(rest, output: output)
        } catch let error as UsageError {
            output.err("vigil \(command.name): \(error)")
            return ExitCode.usage
        } catch let error as CommandFailure {
            output.err("vigil \(command.name): \(error.message)")
            return error.exitCode
        } catch {
            output.err("vigil \(command.name): \(error)")
            return ExitCode.environment
        }
    }

    /// `vigil help --man DIR`: every man page of `CommandDocs.manPages` into DIR (which must exist).
    static func writeManPages(to directory: String, output: Output) -> Int32 {
        for page in CommandDocs.manPages(commands, overview: overview) {
            let path = directory + "/" + page.name
            guard FileManager.default.createFile(atPath: path, contents: Data(page.text.utf8)) else {
                output.err("vigil help --man: cannot write \(path); does the directory \(directory) exist and is it writable?")
                return ExitCode.environment
            }
        }
        return ExitCode.success
    }
}
