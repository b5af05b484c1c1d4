import Foundation
import Testing

/// Man pages and bash completion are generated from the command table: every command `vigil --help`
/// lists has a man page and completes, and the completion works in a real bash.
@Suite("Generated man pages and bash completion")
struct CommandDocsTests {
    /// The command names of `vigil --help`'s "Commands:" list (without the "help COMMAND" line).
    static func listedCommands() throws -> [String] {
        let overview = try CLIHarness.vigil(["--help"])
        #expect(overview.status == 0)
        let lines = overview.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "Commands:"))
        let names = lines[(start + 1)...].prefix { !$0.isEmpty }.map { line in
            String(line.drop { $0 == " " }.components(separatedBy: "  ")[0])
        }
        return names.filter { !$0.hasPrefix("help ") }
    }

    @Test("every command of vigil --help has a man page, and vigil.1 lists it")
    func manPages() throws {
        let commands = try Self.listedCommands()
        #expect(commands.count >= 25, "\(commands)")
        let tmp = try TemporaryDirectory()
        let made = try CLIHarness.vigil(["help", "--man", tmp.url.path])
        #expect(made.status == 0, "\(made.stderr)")
        let main = try String(contentsOfFile: tmp.path("vigil.1"), encoding: .utf8)
        #expect(main.hasPrefix(".TH VIGIL 1"))
        for command in commands {
            let page = "vigil-" + command.replacingOccurrences(of: " ", with: "-")
            let text = try String(contentsOfFile: tmp.path(page + ".1"), encoding: .utf8)
            #expect(text.contains(".SH NAME\n\(page.replacingOccurrences(of: "-", with: "\\-")) \\-"), "\(page)")
            #expect(text.contains("Usage: vigil \(command.replacingOccurrences(of: "-", with: "\\-"))"), "\(page)")
            #expect(main.contains(".B vigil \(command.replacingOccurrences(of: "-", with: "\\-"))\n"), "\(command) is not in vigil.1")
        }
        let pages = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path)
        #expect(pages.count == commands.count + 1, "pages for commands --help does not list: \(pages.sorted())")
        let missingDir = try CLIHarness.vigil(["help", "--man", tmp.path("absent")])
        #expect(missingDir.status == 3 && missingDir.stderr.contains("does the directory"))
    }

    /// What bash completes for the words (the last one is being completed).
    static func complete(_ script: String, _ words: [String]) throws -> [String] {
        let tmp = try TemporaryDirectory()
        try script.write(toFile: tmp.path("vigil.bash"), atomically: true, encoding: .utf8)
        let quoted = words.map { "'" + $0 + "'" }.joined(separator: " ")
        let program = "source \(tmp.path("vigil.bash")); COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _vigil; printf '%s\\n' \"${COMPREPLY[@]}\""
        let result = try CLIHarness.run(URL(fileURLWithPath: "/bin/bash"), ["--norc", "-c", program])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test("bash completes every command of vigil --help, and each command's options")
    func completion() throws {
        let commands = try Self.listedCommands()
        let generated = try CLIHarness.vigil(["completion", "bash"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let script = generated.stdout
        let syntax = try CLIHarness.run(URL(fileURLWithPath: "/bin/bash"), ["-n", "-c", script])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        let first = try Self.complete(script, ["vigil", ""])
        for command in commands {
            let words = command.split(separator: " ").map(String.init)
            #expect(first.contains(words[0]), "\(words[0]) does not complete")
            if words.count == 2 {
                #expect(try Self.complete(script, ["vigil", words[0], ""]).contains(words[1]), "\(command) does not complete")
            }
            #expect(try Self.complete(script, ["vigil"] + words + ["--he"]) == ["--help"], "\(command) --help")
        }
        #expect(first.contains("--version"))
        #expect(try Set(Self.complete(script, ["vigil", "store", "check", "--"])).isSuperset(of: ["--json", "--help"]))
        #expect(try Self.complete(script, ["vigil", "version", "--j"]) == ["--json"])
        let unsupported = try CLIHarness.vigil(["completion", "zsh"])
        #expect(unsupported.status == 2 && unsupported.stderr.contains("only bash"))
    }
}
