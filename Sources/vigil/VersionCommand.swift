import CVigilBuild
import VigilCrypto
import VigilModel
import VigilSync

/// `vigil version` (also `vigil --version`): what this binary is and which formats it speaks.
enum VersionCommand: Command {
    static let name = "version"
    static let summary = "Show the release, commit, protocol and format versions, and OpenSSL"
    static let help = """
        Usage: vigil version [--json]

        Prints this binary's release, the commit it was built from ("development build" when it was
        not built by Scripts/package), the sync protocol version and feature bits it speaks, the
        version of every on-disk format it writes (it reads every older one too, docs/formats.md),
        and the OpenSSL library it runs with. `vigil --version` prints the same.

        Options:
          --json    print the same as one JSON object

        Examples:
          vigil version
          vigil --version
          vigil version --json
        """

    /// Everything `vigil version` shows.
    struct Info: Encodable, Equatable {
        let release: String
        /// nil in a development build.
        let commit: String?
        let protocolVersion: UInt16
        let protocolFeatures: UInt64
        /// Format name → the version this release writes.
        let formats: [String: UInt32]
        let openssl: String
    }

    static var info: Info {
        let commit = String(cString: vigil_build_commit())
        return Info(release: VigilRelease.version, commit: commit.isEmpty ? nil : commit,
                    protocolVersion: Hello.currentVersion, protocolFeatures: Hello.Feature.announcesRelease,
                    formats: [
                        "entry": UInt32(EntryLimits.formatVersion),
                        "store": FormatVersion.storeSegment.current,
                        "node.json": FormatVersion.nodeConfig.current,
                        "genesis.json": FormatVersion.genesis.current,
                    ],
                    openssl: OpenSSLVersion.runtime)
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: [], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let info = Self.info
        if args.flag("json") {
            output.json(info)
            return ExitCode.success
        }
        output.table([
            ("vigil", info.release),
            ("commit", info.commit ?? "development build"),
            ("protocol", "sync protocol \(info.protocolVersion), features 0x\(String(info.protocolFeatures, radix: 16))"),
            ("formats", info.formats.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("openssl", info.openssl),
        ])
        return ExitCode.success
    }
}
