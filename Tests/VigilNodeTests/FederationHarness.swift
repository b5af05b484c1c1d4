import Foundation
import VigilAPI
import Glibc
import Testing
import VigilCrypto
import VigilModel
import VigilNode

/// A federation of real `vigil run` processes on loopback, in a temporary directory, with
/// certificates from `Scripts/certs`. Everything is stopped and removed at the end.
final class FederationHarness {
    struct Spec {
        let name: String
        let role: String
        let organisation: String
        let dials: [String]
        /// The host it listens on (default 127.0.0.1), and further `host:port` routes to it.
        var host: String? = nil
        var alternateAddresses: [String] = []
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let dir: URL
    let specs: [Spec]
    var ports: [String: Int] = [:]
    var processes: [String: NodeProcess] = [:]

    init(_ specs: [Spec]) throws {
        self.specs = specs
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for spec in specs { ports[spec.name] = try Self.freePort() }
        let nodes = specs.map { s -> [String: Any] in
            var node: [String: Any] = ["name": s.name, "organisation": s.organisation, "role": s.role, "port": ports[s.name]!, "dials": s.dials]
            if let host = s.host { node["host"] = host }
            if !s.alternateAddresses.isEmpty { node["alternateAddresses"] = s.alternateAddresses }
            return node
        }
        let federation: [String: Any] = ["federation": "Test Federation", "authority": specs[0].name, "nodes": nodes]
        try JSONSerialization.data(withJSONObject: federation).write(to: dir.appendingPathComponent("federation.json"))
        let made = try Self.run(Self.root.appendingPathComponent("Scripts/certs"),
                                ["--peers", dir.appendingPathComponent("federation.json").path, "--out", dir.appendingPathComponent("certs").path])
        guard made.status == 0 else { throw HarnessError("Scripts/certs failed (status \(made.status), reason \(made.reason)): \(made.output)") }
    }

    deinit {
        for p in processes.values { p.stop() }
        try? FileManager.default.removeItem(at: dir)
    }

    func nodeDir(_ name: String) -> String { dir.appendingPathComponent("certs/\(name)").path }

    func key(_ name: String) throws -> SigningKey { try KeyFile.read(from: nodeDir(name) + "/identity.key") }

    /// How nodes are started: nil runs the `vigil` built next to the tests; otherwise this executable
    /// with these arguments before `run --dir …` (PackagedBinaryTests: the packaged vigil, toolchain hidden).
    var launcher: (executable: URL, prefix: [String])?

    /// Starts `name`. Its desk is off unless `extraArguments` asks for one (`--desk 127.0.0.1:0`; the
    /// address it got is `processes[name]?.deskAddress`), so process tests bind no fixed port.
    func start(_ name: String, extraArguments: [String] = []) throws {
        let desk = extraArguments.contains("--desk") ? [] : ["--desk", "off"]
        let p = try NodeProcess(binary: try launcher?.executable ?? Self.vigil(), directory: nodeDir(name), name: name,
                                extraArguments: extraArguments + desk, prefixArguments: launcher?.prefix ?? [])
        processes[name] = p
    }

    /// Starts `name` inside a network namespace (`ip netns exec`).
    func start(_ name: String, in namespace: String, ip: String, extraArguments: [String] = []) throws {
        processes[name] = try NodeProcess(binary: URL(fileURLWithPath: ip), directory: nodeDir(name), name: name, extraArguments: extraArguments,
                                          prefixArguments: ["netns", "exec", namespace, try Self.vigil().path])
    }

    /// Rewrites every copy of genesis.json (before any node starts): `transform` gets the members.
    func rewriteGenesis(_ transform: (inout [[String: Any]]) -> Void) throws {
        var paths = [dir.appendingPathComponent("certs/genesis.json")]
        paths += specs.map { dir.appendingPathComponent("certs/\($0.name)/genesis.json") }
        for path in paths {
            guard var genesis = try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any],
                  var members = genesis["members"] as? [[String: Any]] else { throw HarnessError("\(path.path) is not a genesis") }
            transform(&members)
            genesis["members"] = members
            try JSONSerialization.data(withJSONObject: genesis).write(to: path)
        }
    }

    func port(_ name: String) -> Int { ports[name]! }

    func stop(_ name: String) {
        processes.removeValue(forKey: name)?.stop()
    }

    func api(_ name: String) -> LocalAPIClient { LocalAPIClient(path: nodeDir(name) + "/node.sock") }

    /// Signs a message entry as `name` and posts it through that node; returns its id once durable.
    @discardableResult
    func post(_ name: String, text: String, audience: Audience = .federation) throws -> EntryID {
        let key = try key(name)
        let entry = try EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), counter: 0),
                                   kind: .message, audience: audience, body: try (["subject": .text(String(text.prefix(80))), "text": .text(text)] as FieldMap).encoded()).signed(by: key)
        let answer = try api(name).send(PostRequest(entry: Data(entry.canonicalBytes).base64EncodedString()))
        guard answer.id == entry.id else { throw HarnessError("post answered \(answer)") }
        return entry.id
    }

    /// Waits (on the node's own event, no polling) until `name` holds every id; returns the missing ones.
    func waitFor(_ name: String, _ ids: [EntryID], timeoutMs: Int = 20_000) throws -> [String] {
        try api(name).send(WaitRequest(ids: ids, timeoutMs: timeoutMs)).missing.map(\.hex)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw HarnessError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func vigil() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("vigil")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw HarnessError("the vigil executable was not found next to the tests; build with `swift build --build-tests`")
    }

    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String, reason: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-run-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
                process.terminationReason == .uncaughtSignal ? "signal" : "exit")
    }
}

/// One `vigil run` child: started, ready (its first stdout line), stopped with SIGTERM.
final class NodeProcess: @unchecked Sendable {
    let process = Process()
    let name: String
    private let condition = NSCondition()
    private var logLines: [String] = []
    private var logClosed = false
    /// The line the node printed when it was ready.
    private(set) var readyLine = ""

    /// The desk's `http://HOST:PORT` (or `https://HOST:PORT`) from the ready line, if the node serves one.
    var deskAddress: String? {
        for scheme in ["http://", "https://"] {
            guard let range = readyLine.range(of: "desk " + scheme) else { continue }
            let rest = readyLine[range.upperBound...]
            return scheme + rest.prefix { $0 != "/" }
        }
        return nil
    }

    init(binary: URL, directory: String, name: String, extraArguments: [String] = [], prefixArguments: [String] = []) throws {
        self.name = name
        process.executableURL = binary
        process.arguments = prefixArguments + ["run", "--dir", directory] + extraArguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Log lines arrive on a reader thread; tests wait for them on a condition.
        let reader = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    condition.lock(); logLines.append(line); condition.broadcast(); condition.unlock()
                }
            }
            condition.lock(); logClosed = true; condition.broadcast(); condition.unlock()
        }
        reader.start()
        // Ready: the node prints one line once it listens and serves its API.
        var line = Data()
        while !line.contains(0x0a) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        readyLine = String(decoding: line, as: UTF8.self)
        guard readyLine.contains("listening on") else {
            process.waitUntilExit()
            throw HarnessError("node \(name) did not start: \(String(decoding: line, as: UTF8.self)) \(logs().joined(separator: "\n"))")
        }
    }

    func logs() -> [String] {
        condition.lock(); defer { condition.unlock() }
        return logLines
    }

    /// Waits for a log line containing every one of `parts`; false if the deadline passes first.
    func waitForLog(_ parts: [String], seconds: Double = 20) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock(); defer { condition.unlock() }
        while true {
            if logLines.contains(where: { line in parts.allSatisfy(line.contains) }) { return true }
            if logClosed || !condition.wait(until: deadline) { return false }
        }
    }

    /// Waits for a log line matching any one of `alternatives` (each a list of parts that must all be
    /// in the line); returns that line, or nil if the deadline passes first.
    /// Only lines from index `from` on (see `logs().count`) are considered.
    func waitForLog(anyOf alternatives: [[String]], from: Int = 0, seconds: Double = 20) -> String? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock(); defer { condition.unlock() }
        while true {
            if let line = logLines.dropFirst(from).first(where: { line in alternatives.contains { $0.allSatisfy(line.contains) } }) { return line }
            if logClosed || !condition.wait(until: deadline) { return nil }
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
