import Foundation
import Glibc
import Testing
import VigilCrypto
import VigilModel
import VigilStore

/// Real processes, really killed: `vigil-store-crash-child` appends from two threads and prints each id
/// only after `append` returned; the test SIGKILLs it at a seeded-random moment and checks that every
/// acknowledged id survived. Fifty cycles on one store directory.
@Suite(.serialized) struct CrashKillTests {
    static let cycles = 50
    static let seed: UInt64 = 0x5EED_0F_C0FFEE

    @Test(.timeLimit(.minutes(2)))
    func everyAcknowledgedEntrySurvivesSIGKILL() throws {
        let child = try #require(Self.childExecutable(), """
            vigil-store-crash-child was not found next to the test bundle (looked in \(Self.candidateDirectories().joined(separator: ", "))). \
            Build it with `swift build --build-tests` (it builds every executable target into the directory of the test bundle).
            """)
        let dir = TemporaryDirectory("crash")
        defer { dir.remove() }
        var rng = SeededRandom(seed: Self.seed)
        var acknowledged: [EntryID] = []
        for cycle in 0..<Self.cycles {
            let wanted = Int(rng.next() % 60) + 1
            let ids = try Self.runChildAndKill(child, directory: dir.store, after: wanted)
            guard ids.count >= wanted else {
                Issue.record("cycle \(cycle) (seed \(Self.seed)): the child printed \(ids.count) ids and stopped before \(wanted)")
                return
            }
            acknowledged += ids

            let store = try EntryStore.open(directory: dir.store)
            defer { store.close() }
            for id in ids {
                let entry = try #require(try store.read(id), "cycle \(cycle) (seed \(Self.seed)): acknowledged entry \(id.hex) is missing after SIGKILL")
                #expect(entry.id == id)
                #expect(throws: Never.self) { try EntryValidator.validateSignature(entry) }
            }
            let missing = acknowledged.filter { !store.contains($0) }
            #expect(missing.isEmpty, "cycle \(cycle) (seed \(Self.seed)): \(missing.count) entries of earlier cycles vanished")
            #expect(store.count >= Set(acknowledged).count)
        }
        let check = EntryStore.check(directory: dir.store)
        #expect(check.isHealthy, "\(check)")
        #expect(check.intactRecords >= acknowledged.count)
    }

    /// Starts the child, reads its stdout until it has printed `wanted` ids, kills it with SIGKILL,
    /// waits for it, and returns every complete id line it printed (including those that were still in
    /// the pipe).
    static func runChildAndKill(_ child: URL, directory: String, after wanted: Int) throws -> [EntryID] {
        let process = Process()
        process.executableURL = child
        process.arguments = ["run", directory, "2"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let fd = output.fileHandleForReading.fileDescriptor
        var lines = LineReader(fd: fd)
        var ids: [EntryID] = []
        while ids.count < wanted, let line = lines.next(blocking: true) {
            ids.append(try #require(EntryID(hex: line), "the child printed \"\(line)\", not an id"))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        while let line = lines.next(blocking: false) {
            if let id = EntryID(hex: line) { ids.append(id) }
        }
        if ids.count < wanted {
            var stderrLines = LineReader(fd: errors.fileHandleForReading.fileDescriptor)
            var text: [String] = []
            while let line = stderrLines.next(blocking: false) { text.append(line) }
            Issue.record("the child exited early (\(process.terminationReason == .exit ? "status" : "signal") \(process.terminationStatus)): \(text.joined(separator: " / "))")
        } else {
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        }
        return ids
    }

    /// Where `swift build` puts executables: the directory of the test bundle.
    static func candidateDirectories() -> [String] {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)
        candidates.append(Bundle.main.bundleURL.path)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().path)
        // The package's default build directory, found from this file's path.
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let build = url.appendingPathComponent(".build/debug")
            if FileManager.default.fileExists(atPath: build.path) {
                candidates.append(build.path)
                break
            }
        }
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    static func childExecutable() -> URL? {
        candidateDirectories().lazy
            .map { URL(fileURLWithPath: $0).appendingPathComponent("vigil-store-crash-child") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// Splits what arrives on a file descriptor into lines; an unterminated last line is never returned.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var atEnd = false

    init(fd: Int32) { self.fd = fd }

    /// The next complete line; nil at end of file or, when not `blocking`, when no complete line is
    /// ready.
    mutating func next(blocking: Bool) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0a) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            if atEnd { return nil }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer += chunk[..<n]
            } else if n == 0 {
                atEnd = true
            } else if errno == EINTR {
                continue
            } else {
                if !blocking && (errno == EAGAIN || errno == EWOULDBLOCK) { return nil }
                atEnd = true
            }
        }
    }
}

