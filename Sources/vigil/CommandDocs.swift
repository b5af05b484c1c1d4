import VigilModel

/// Man pages and bash completion generated from the command table (`CommandLineTool.commands`) and
/// each command's own help text, so they cannot drift from `vigil --help`. Pure: text in, text out.
enum CommandDocs {
    /// The file name of a command's man page: `vigil-entry-new.1`.
    static func manPageName(_ command: any Command.Type) -> String {
        "vigil-" + command.name.replacingOccurrences(of: " ", with: "-") + ".1"
    }

    /// Every man page: `vigil.1` (the overview and the command list) and one page per command.
    static func manPages(_ commands: [any Command.Type], overview: String) -> [(name: String, text: String)] {
        var pages: [(name: String, text: String)] = []
        var main = header("VIGIL") + """
            .SH NAME
            vigil \\- a federated peer-sync messaging node for crisis centres and their partners
            .SH SYNOPSIS
            .B vigil
            .I COMMAND
            .RI [ OPTIONS ]
            .SH DESCRIPTION
            .nf
            \(roff(overview))
            .fi
            .SH COMMANDS

            """
        for command in commands {
            main += ".TP\n.B vigil \(roff(command.name))\n\(roff(command.summary))\n(see\n.BR \(manPageName(command).dropLast(2)) (1))\n"
        }
        main += ".SH SEE ALSO\n" + commands.map { ".BR \(manPageName($0).dropLast(2)) (1)" }.joined(separator: ",\n") + "\n"
        pages.append(("vigil.1", main))
        for command in commands {
            let page = String(manPageName(command).dropLast(2))
            let text = header(page.uppercased()) + """
                .SH NAME
                \(roff(page)) \\- \(roff(command.summary))
                .SH DESCRIPTION
                .nf
                \(roff(command.help))
                .fi
                .SH SEE ALSO
                .BR vigil (1)

                """
            pages.append((manPageName(command), text))
        }
        return pages
    }

    private static func header(_ title: String) -> String {
        ".TH \(title) 1 \"\" \"vigil \(VigilRelease.version)\" \"Vigil manual\"\n"
    }

    /// Text escaped for roff: backslashes and hyphens, and lines that would read as requests.
    static func roff(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let escaped = line.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
            return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? "\\&" + escaped : escaped
        }.joined(separator: "\n")
    }

    /// The options a command's help names: every `--flag` of its usage lines and every line of its
    /// Options section that starts with one, plus `--help`; with whether each takes a value.
    static func options(_ command: any Command.Type) -> [(flag: String, takesValue: Bool)] {
        var found: [(flag: String, takesValue: Bool)] = []
        func add(_ flag: String, _ takesValue: Bool) {
            if let i = found.firstIndex(where: { $0.flag == flag }) {
                found[i].takesValue = found[i].takesValue || takesValue
            } else {
                found.append((flag, takesValue))
            }
        }
        var section = ""
        for raw in command.help.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.drop { $0 == " " }
            if line.hasPrefix("Usage:") { section = "usage" } else if raw.first != " " && !raw.isEmpty { section = String(line) }
            if raw.isEmpty && section == "usage" { section = "" }
            guard section == "usage" || (section == "Options:" && line.hasPrefix("--")) else { continue }
            // Every --flag in the line (usage) or the first one (an option's line).
            var rest = Substring(line)
            while let start = rest.range(of: "--") {
                let name = rest[start.upperBound...].prefix { $0.isLowercase || $0.isNumber || $0 == "-" }
                let after = rest[start.upperBound...].dropFirst(name.count)
                if let first = name.first, first.isLowercase {
                    let next = after.hasPrefix(" ") ? after.dropFirst().prefix { !$0.isWhitespace && $0 != "]" } : ""
                    add("--" + name, !next.isEmpty && next.allSatisfy { $0.isUppercase || $0 == "." || $0 == "_" } && next.first!.isUppercase)
                }
                rest = after
                if section != "usage" { break }
            }
        }
        add("--help", false)
        return found
    }

    /// A bash completion script for `vigil`: command words, then the chosen command's options, and
    /// file names after an option that takes a value.
    static func bashCompletion(_ commands: [any Command.Type]) -> String {
        let firstWords = Array(Set(commands.map { String($0.name.split(separator: " ")[0]) } + ["help"])).sorted()
        var cases = ""
        for command in commands.sorted(by: { $0.name < $1.name }) {
            let options = Self.options(command)
            let valued = options.filter(\.takesValue).map(\.flag)
            cases += "    \"\(command.name)\")\n"
            cases += "      opts=\"\(options.map(\.flag).joined(separator: " "))\"\n"
            cases += "      valued=\"\(valued.joined(separator: " "))\" ;;\n"
        }
        var groups = ""
        for word in firstWords {
            let subs = commands.compactMap { c -> String? in
                let words = c.name.split(separator: " ")
                return words.count == 2 && words[0] == word ? String(words[1]) : nil
            }
            if !subs.isEmpty { groups += "    \(word)) subs=\"\(subs.joined(separator: " "))\" ;;\n" }
        }
        return """
            # bash completion for vigil \(VigilRelease.version), generated by `vigil completion bash` from
            # the command table: it lists exactly the commands and options of `vigil --help`.
            _vigil() {
              local cur prev cmd subs opts valued
              cur="${COMP_WORDS[COMP_CWORD]}"
              prev="${COMP_WORDS[COMP_CWORD-1]}"
              if [ "$COMP_CWORD" -eq 1 ]; then
                COMPREPLY=($(compgen -W "\(firstWords.joined(separator: " ")) --help --version" -- "$cur"))
                return
              fi
              subs=""
              case "${COMP_WORDS[1]}" in
            \(groups)    help) subs="\(firstWords.filter { $0 != "help" }.joined(separator: " "))" ;;
              esac
              cmd="${COMP_WORDS[1]}"
              if [ "$COMP_CWORD" -ge 3 ] && [[ " $subs " == *" ${COMP_WORDS[2]} "* ]]; then cmd="$cmd ${COMP_WORDS[2]}"; fi
              opts=""; valued=""
              case "$cmd" in
            \(cases)  esac
              if [ "$COMP_CWORD" -eq 2 ]; then opts="$subs $opts"; fi
              case " $valued " in
                *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
              esac
              COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            }
            complete -o default -F _vigil vigil

            """
    }
}

/// `vigil completion bash`: prints the bash completion script.
enum CompletionCommand: Command {
    static let name = "completion"
    static let summary = "Print the bash completion script (generated from this command list)"
    static let help = """
        Usage: vigil completion bash

        Prints a bash completion script for vigil's commands and options, generated from the same
        command table as `vigil --help`. The Debian package installs it as
        /usr/share/bash-completion/completions/vigil.

        Examples:
          vigil completion bash > /etc/bash_completion.d/vigil
          source <(vigil completion bash)
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: [], switchFlags: [])
        guard args.positionals == ["bash"] else {
            throw UsageError(args.positionals.isEmpty ? "which shell? Only bash is supported: `vigil completion bash`"
                                                      : "unsupported shell \"\(args.positionals.joined(separator: " "))\"; only bash is supported", command: name)
        }
        output.out(String(CommandDocs.bashCompletion(CommandLineTool.commands).dropLast()))
        return ExitCode.success
    }
}
