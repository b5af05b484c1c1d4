import Foundation
import Testing
@testable import VigilNode

/// The node keeps its core on the network loop's thread; touching it from another thread traps in debug
/// and test builds (`NetworkLoop.assertOnLoop`), so a wrong thread fails here instead of racing in the field.
/// A trap would end the test runner, so the check runs in a child process.
@Suite("The node's executor discipline")
struct NodeExecutorTests {
    @Test("the core's state touched off the loop thread stops the process")
    func offLoopTraps() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-exit-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = await #expect(processExitsWith: .failure) {
            // The child makes its node directory where the parent will remove it.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-exit-\(getppid())").path
            let node = try FederationHarness.standaloneNode(in: dir)
            _ = node.currentRoster   // loop-thread state, read from the test's thread
            exit(0)   // reached only if the check let the call through
        }
        switch result?.exitStatus {
        case .signal(let signal): #expect(signal == SIGILL || signal == SIGTRAP, "signal \(signal)")
        default: Issue.record("expected a trap, got \(String(describing: result?.exitStatus))")
        }
    }
}

extension FederationHarness {
    /// A node (not started) of a one-member federation whose files are made under `dir`.
    static func standaloneNode(in dir: String) throws -> Node {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let peers = dir + "/federation.json"
        let federation = #"{"federation":"Exit Test","authority":"a","nodes":[{"name":"a","organisation":"A","role":"authority","port":7999,"dials":[]}]}"#
        try Data(federation.utf8).write(to: URL(fileURLWithPath: peers))
        let made = try run(root.appendingPathComponent("Scripts/certs"), ["--peers", peers, "--out", dir + "/certs"])
        guard made.status == 0 else { throw HarnessError("Scripts/certs failed: \(made.output)") }
        return try Node(options: NodeOptions(directory: dir + "/certs/a"))
    }
}
