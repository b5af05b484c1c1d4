import Foundation
import Testing
import VigilAPI
import VigilModel
import VigilNode

/// The packaged `vigil` (extracted from the .deb by `Scripts/package --check`, which sets
/// VIGIL_PACKAGED_BINARY) runs where the Swift toolchain is hidden: each node runs in its own mount
/// namespace in which VIGIL_HIDE_DIRECTORY (the toolchain) is an empty directory. Two such nodes
/// sync an entry over mutual TLS and learn each other's release. Without the variables (a plain
/// `swift test`) the suite is skipped: it needs the release build that Scripts/package makes.
@Suite("The packaged binary, toolchain hidden",
       .enabled(if: ProcessInfo.processInfo.environment["VIGIL_PACKAGED_BINARY"] != nil,
                "runs from `Scripts/package --check`, which builds the package (Scripts/test runs it)"))
struct PackagedBinaryTests {
    @Test("two packaged nodes sync an entry over mTLS without the toolchain")
    func syncWithoutToolchain() throws {
        let environment = ProcessInfo.processInfo.environment
        let binary = try #require(environment["VIGIL_PACKAGED_BINARY"])
        let hidden = try #require(environment["VIGIL_HIDE_DIRECTORY"], "VIGIL_HIDE_DIRECTORY names the toolchain directory to hide")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }

        let federation = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov-a", role: "government", organisation: "Governor A", dials: ["ncc"]),
        ])
        // unshare -m: a private mount namespace; the bind mount hides the toolchain only inside it.
        let script = "mount --bind \"$1\" \"$2\" && test ! -e \"$2/usr/bin\" && shift 2 && exec \"$@\""
        federation.launcher = (URL(fileURLWithPath: "/usr/bin/unshare"), ["-m", "sh", "-c", script, "hide", empty.path, hidden, binary])
        try federation.start("ncc")
        try federation.start("gov-a")
        #expect(federation.processes["gov-a"]!.waitForLog(["session-established"]), "\(federation.processes["gov-a"]!.logs())")

        let id = try federation.post("ncc", text: "Posted through the packaged binary")
        #expect(try federation.waitFor("gov-a", [id]) == [])

        // Both run this release and say so to each other.
        let status = try federation.api("gov-a").send(StatusRequest()).status
        #expect(status.release == VigilRelease.version)
        #expect(status.peers.map { $0.release } == [VigilRelease.version])
    }
}
