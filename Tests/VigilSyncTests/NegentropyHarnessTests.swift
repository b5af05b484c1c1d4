import Foundation
import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync
#if canImport(Glibc)
import Glibc
#endif

/// The `vigil-negentropy-harness` executable, run as child processes.
@Suite("Negentropy harness executable")
struct NegentropyHarnessTests {
    @Test("two harness processes wired together reproduce a transcript", .timeLimit(.minutes(5)),
          arguments: ["diff-1000-10-10.txt", "diff-10000-50-50-sharedts-fsl4096.txt"])
    func twoProcesses(file: String) throws {
        try #require(NegentropyTranscript.fileNames.contains(file),
                     "transcript \(file) is missing from \(NegentropyTranscript.directory.path)")
        let transcript = try NegentropyTranscript.load(file)
        let (first, rounds) = try transcript.expectedRounds()
        let environment = ["FRAMESIZELIMIT": String(transcript.frameSizeLimit)]

        let initiator = try NegentropyHarnessChild(environment: environment)
        let responder = try NegentropyHarnessChild(environment: environment)
        defer { initiator.terminate(); responder.terminate() }

        func itemLines(_ items: [NegentropyItem]) -> String {
            items.map { "item,\($0.timestamp),\($0.id.hex)\n" }.joined()
        }
        try responder.send(itemLines(transcript.responderItems) + "seal\n")
        try initiator.send(itemLines(transcript.initiatorItems) + "seal\ninitiate\n")

        var line = try initiator.readLine()
        #expect(line == "msg,\(hex(first))")
        for (n, expected) in rounds.enumerated() {
            try responder.send(line + "\n")
            let reply = try responder.readLine()
            try #require(reply == "msg,\(hex(expected.responderMessage))", "\(file) round \(n): responder harness differs")
            try initiator.send(reply + "\n")
            var have = Set<Bytes32>(), need = Set<Bytes32>()
            while true {
                line = try initiator.readLine()
                if line.hasPrefix("have,") { have.insert(try #require(Bytes32(hex: line.dropFirst(5)))); continue }
                if line.hasPrefix("need,") { need.insert(try #require(Bytes32(hex: line.dropFirst(5)))); continue }
                break
            }
            #expect(have == expected.have && need == expected.need, "\(file) round \(n): have/need differ")
            if let next = expected.next {
                try #require(line == "msg,\(hex(next))", "\(file) round \(n): initiator harness differs")
            } else {
                #expect(line == "done")
            }
        }
        #expect(try initiator.finish() == 0)
        #expect(try responder.finish() == 0)
    }

    @Test("a malformed message makes the harness exit non-zero, naming the line and the byte offset")
    func malformedMessage() throws {
        let child = try NegentropyHarnessChild(environment: [:])
        defer { child.terminate() }
        // Mode 3 at byte offset 3.
        try child.send("seal\nmsg,61010003\n")
        let status = try child.finish()
        #expect(status != 0)
        let stderr = child.standardError()
        #expect(stderr.contains("line 2"), "stderr: \(stderr)")
        #expect(stderr.contains("byte offset 3"), "stderr: \(stderr)")
    }

    @Test("an unsupported protocol version gets the version byte back from a responder harness")
    func unsupportedVersion() throws {
        let child = try NegentropyHarnessChild(environment: [:])
        defer { child.terminate() }
        try child.send("seal\nmsg,62\n")
        #expect(try child.readLine() == "msg,61")
        #expect(try child.finish() == 0)
    }

    @Test("a frame size limit under 4096 is refused")
    func smallFrameSizeLimit() throws {
        let child = try NegentropyHarnessChild(environment: ["FRAMESIZELIMIT": "1000"])
        defer { child.terminate() }
        try child.send("seal\n")
        #expect(try child.finish() != 0)
        #expect(child.standardError().contains("frame size limit 1000"))
    }
}

/// One `vigil-negentropy-harness` child: stdin and stdout are pipes driven line by line (blocking
/// reads, no sleeps); stderr goes to a file read after exit.
final class NegentropyHarnessChild {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errorURL: URL
    private var buffer: [UInt8] = []
    private var inputClosed = false

    init(environment: [String: String]) throws {
        signal(SIGPIPE, SIG_IGN) // a dead child must fail the test, not kill the runner
        errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-negentropy-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.executableURL = try Self.binary()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
    }

    deinit { try? FileManager.default.removeItem(at: errorURL) }

    /// The harness binary built next to the test bundle.
    static func binary() throws -> URL {
        let name = "vigil-negentropy-harness"
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for dir in candidates {
            var probe = dir
            for _ in 0..<4 {
                let binary = probe.appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
                probe = probe.deletingLastPathComponent()
            }
        }
        throw NegentropyTestFailure("the \(name) executable was not found near \(candidates.map(\.path)); build with `swift build --build-tests` first")
    }

    func send(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// The next line of stdout, without its newline; throws when the child closes stdout first.
    func readLine() throws -> String {
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffer.firstIndex(of: 0x0a) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw NegentropyTestFailure("the harness closed its output; stderr: \(standardError())")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Closes stdin and waits for the exit status.
    func finish() throws -> Int32 {
        if !inputClosed {
            inputClosed = true
            try input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func standardError() -> String {
        String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self)
    }

    /// Kills the child if it is still running (after a failed expectation).
    func terminate() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}
