// What every part of the sync benchmark shares: errors, a seeded generator, the temporary workspace,
// the children registry (every node process is killed on every exit path), federations of real node
// directories made in memory with `CertificateAuthority`, `vigil run` children, the local API and
// /proc figures of other processes.
import Dispatch
import Foundation
import VigilAPI
import Glibc
import Synchronization
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilNode
import VigilStore


/// Progress lines go to standard error; the table and the JSON line to standard output.
func progress(_ s: String) {
    FileHandle.standardError.write(Data(("[bench-sync] " + s + "\n").utf8))
}


func wallMilliseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return UInt64(t.tv_sec) * 1000 + UInt64(t.tv_nsec) / 1_000_000
}

func sleepSeconds(_ s: Double) {
    guard s > 0 else { return }
    usleep(useconds_t(min(s, 4000) * 1_000_000))
}

/// Every child process and temporary directory of this run, so that a failure, an error or a signal
/// leaves nothing behind.
final class Cleanup: @unchecked Sendable {
    static let shared = Cleanup()
    private let lock = NSLock()
    private var pids: Set<pid_t> = []
    private var directories: [String] = []
    private var closed = false
    private var signalled = false

    /// Whether a signal stopped the run (errors that follow are its consequence, not findings).
    var interrupted: Bool { lock.lock(); defer { lock.unlock() }; return signalled }

    /// Registers a child; once cleanup has begun, a child that starts anyway is killed at once.
    func add(pid: pid_t) {
        lock.lock()
        let late = closed
        if !late { pids.insert(pid) }
        lock.unlock()
        if late { kill(pid, SIGKILL) }
    }
    func remove(pid: pid_t) { lock.lock(); pids.remove(pid); lock.unlock() }
    func add(directory: String) {
        lock.lock()
        let late = closed
        if !late { directories.append(directory) }
        lock.unlock()
        if late { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Whether `pid` has exited (reaped by us or by Foundation's `Process`, which reaps its children).
    private static func gone(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { return true }
        if r == 0 { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// SIGTERM to every child still registered, SIGKILL to those still there after `grace` seconds,
    /// then the directories are removed (once the children that wrote in them are gone).
    func run(grace: Double = 5) {
        lock.lock()
        closed = true
        let children = pids
        let dirs = directories
        pids = []
        directories = []
        lock.unlock()
        for pid in children { kill(pid, SIGTERM) }
        let deadline = BenchClock.now() + grace
        var left = children.filter { !Self.gone($0) }
        while !left.isEmpty && BenchClock.now() < deadline {
            usleep(20_000)
            left = left.filter { !Self.gone($0) }
        }
        for pid in left { kill(pid, SIGKILL) }
        let killDeadline = BenchClock.now() + 5
        while !left.isEmpty && BenchClock.now() < killDeadline {
            usleep(20_000)
            left = left.filter { !Self.gone($0) }
        }
        for dir in dirs {
            for _ in 0..<3 where FileManager.default.fileExists(atPath: dir) {
                try? FileManager.default.removeItem(atPath: dir)
                if FileManager.default.fileExists(atPath: dir) { usleep(100_000) }
            }
        }
    }

    /// On SIGINT, SIGTERM or SIGHUP: clean up and exit 2.
    func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                Cleanup.shared.lock.lock(); Cleanup.shared.signalled = true; Cleanup.shared.lock.unlock()
                progress("signal \(sig): stopping every node and removing the temporary files")
                Cleanup.shared.run(grace: 5)
                exit(2)
            }
            source.resume()
            signalSources.append(source)
        }
    }
    private var signalSources: [DispatchSourceSignal] = []
}

/// A new directory under /tmp with a short path (the local API socket path must stay under 108 bytes),
/// removed at the end of the run.
func makeWorkspace(_ label: String) throws -> String {
    var template = Array("/tmp/vbs-\(label)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw BenchError("cannot create a temporary directory under /tmp: \(String(cString: strerror(errno)))")
    }
    let path = String(cString: made)
    Cleanup.shared.add(directory: path)
    return path
}

/// Raises the open-file limit to the hard limit (node children inherit it); returns the new limit.
@discardableResult
func raiseOpenFileLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

// MARK: Federations

/// One member of a benchmark federation: its key and, for members that run as nodes, its certificate.
struct Member {
    let name: String
    let organisation: String
    let role: String
    let key: SigningKey
    var port: Int
    var dials: [String]
    var node: NodeID { NodeID(key.publicKey) }
}

/// A federation CA in memory and the members of one genesis.
final class Federation {
    let name: String
    let ca: CertificateAuthority
    var members: [Member] = []
    let notBefore = Date(timeIntervalSinceNow: -3600)
    let notAfter = Date(timeIntervalSinceNow: 2 * 86_400)

    init(name: String) throws {
        self.name = name
        ca = try CertificateAuthority(commonName: "\(name) CA", organisation: name, notBefore: notBefore, notAfter: notAfter)
    }

    @discardableResult
    func add(_ name: String, role: String, organisation: String, port: Int = 1, dials: [String] = []) throws -> Member {
        let m = Member(name: name, organisation: organisation, role: role, key: try SigningKey.generate(), port: port, dials: dials)
        members.append(m)
        return m
    }

    func member(_ name: String) -> Member { members.first { $0.name == name }! }

    /// genesis.json: the first member is the authority.
    func genesisJSON() throws -> Data {
        let list: [[String: Any]] = members.map { m in
            ["name": m.name, "organisation": m.organisation, "role": m.role, "nodeId": m.node.hex,
             "host": "127.0.0.1", "port": m.port, "dials": m.dials]
        }
        let document: [String: Any] = ["federation": name, "authority": members[0].node.hex, "members": list]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    }

    /// A certificate for `member`, issued by this federation's CA.
    func certificate(for m: Member) throws -> Certificate {
        try ca.issue(for: m.key.publicKey, commonName: m.name, organisation: m.organisation, notBefore: notBefore, notAfter: notAfter)
    }

    /// Writes the node directory of `name` under `parent` the way Scripts/certs lays it out:
    /// identity.key (0600), node.crt, ca.crt, node.json, genesis.json. Returns its path.
    @discardableResult
    func writeNodeDirectory(_ name: String, under parent: String, genesis: Data) throws -> String {
        let m = member(name)
        let dir = parent + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try KeyFile.write(m.key, to: dir + "/identity.key")
        try Data(try certificate(for: m).pemRepresentation.utf8).write(to: URL(fileURLWithPath: dir + "/node.crt"))
        try Data(ca.certificate.pemRepresentation.utf8).write(to: URL(fileURLWithPath: dir + "/ca.crt"))
        let config: [String: Any] = ["name": m.name, "organisation": m.organisation, "role": m.role, "nodeId": m.node.hex]
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: dir + "/node.json"))
        try genesis.write(to: URL(fileURLWithPath: dir + "/genesis.json"))
        return dir
    }
}

// MARK: Node processes

/// One `vigil run --dir DIR` child: ready once it printed its "listening on" line; its log (standard
/// error) goes to DIR/node.log; stopped with SIGTERM (SIGKILL after a grace period).
final class NodeProcess: @unchecked Sendable {
    let name: String
    let directory: String
    let process = Process()
    /// Monotonic time of the spawn.
    private(set) var spawnedAt = 0.0
    /// Monotonic time the ready line arrived.
    private(set) var readyAt = 0.0

    var pid: pid_t { process.processIdentifier }
    var api: LocalAPIClient { LocalAPIClient(path: directory + "/node.sock") }

    init(binary: String, directory: String, name: String, readyTimeout: Double = 60, extraArguments: [String] = []) throws {
        self.name = name
        self.directory = directory
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--dir", directory] + extraArguments
        let out = Pipe()
        process.standardOutput = out
        _ = FileManager.default.createFile(atPath: directory + "/node.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/node.log"))
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        spawnedAt = BenchClock.now()
        try process.run()
        try? log.close()
        Cleanup.shared.add(pid: process.processIdentifier)
        // The ready line, read on a thread so that a node that hangs cannot hang the benchmark.
        let line = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            var data = Data()
            while !data.contains(0x0a) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            line.withLock { $0 = String(decoding: data, as: UTF8.self) }
            done.signal()
            // Keep draining, so the node never blocks on a full pipe.
            while !out.fileHandleForReading.availableData.isEmpty {}
        }
        reader.start()
        if done.wait(timeout: .now() + readyTimeout) == .timedOut {
            stop()
            throw BenchError("node \(name) did not become ready within \(Int(readyTimeout)) s; see \(directory)/node.log")
        }
        readyAt = BenchClock.now()
        let first = line.withLock { $0 } ?? ""
        guard first.contains("listening on") else {
            stop()
            let tail = (try? String(contentsOfFile: directory + "/node.log", encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            throw BenchError("node \(name) did not start: \(first.trimmingCharacters(in: .whitespacesAndNewlines))\n\(tail)")
        }
    }

    /// SIGTERM, then SIGKILL after `grace` seconds.
    func stop(grace: Double = 20) {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = BenchClock.now() + grace
            while process.isRunning && BenchClock.now() < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        Cleanup.shared.remove(pid: pid)
    }

    /// The node's status through its local API.
    func status() throws -> NodeStatus {
        try api.send(StatusRequest()).status
    }

    /// Posts a canonical entry this node authored; returns once it is durable.
    func post(_ entry: Entry) throws {
        let answer = try api.send(PostRequest(entry: Data(entry.canonicalBytes).base64EncodedString()))
        guard answer.id == entry.id else { throw BenchError("node \(name) answered the post with \(answer)") }
    }

    /// The local API `wait` op: answers once every id is held, or after `timeoutMs`; returns the missing ones.
    func wait(for ids: [EntryID], timeoutMs: Int) throws -> [String] {
        try api.send(WaitRequest(ids: ids, timeoutMs: timeoutMs)).missing.map(\.hex)
    }

    /// Seconds of CPU (user + system) the process used so far.
    func cpuSeconds() -> Double { ProcStat.cpuSeconds(pid) }
}

/// Figures of another process from /proc.
enum ProcStat {
    /// utime + stime of /proc/PID/stat, in seconds (clock-tick resolution, usually 10 ms).
    static func cpuSeconds(_ pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return 0 }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Run time of every thread of PID from /proc/PID/task/*/schedstat, in seconds (nanosecond resolution).
    static func scheduledSeconds(_ pid: pid_t) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var total = 0.0
        for t in tasks {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/schedstat", encoding: .utf8),
               let ns = text.split(separator: " ").first.flatMap({ Double($0) }) {
                total += ns / 1e9
            }
        }
        return total
    }

    /// The machine's CPU time so far from the first line of /proc/stat, in clock ticks: all of it, and
    /// the part stolen by the hypervisor (a virtual machine whose cores are shared runs slower then).
    static func machineTicks() -> (total: Double, steal: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return (0, 0) }
        let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
        let total = values.prefix(8).reduce(0, +)
        return (total, values.count > 7 ? values[7] : 0)
    }

    /// Number of threads of PID.
    static func threads(_ pid: pid_t) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
    }
}

/// Fills the store in `directory` with `count` entries (`EntryMaker`, signed on every core, appended
/// in large batches, timestamps from `base` ms); returns how many it holds then.
func fillStore(_ directory: String, count: Int, keys: [SigningKey], base: UInt64) throws -> Int {
    let store = try EntryStore.open(directory: directory)
    var n = 0
    while n < count {
        let chunk = EntryMaker.makeParallel(n..<min(count, n + 16_384), keys: keys, base: base)
        _ = try store.append(chunk)
        n += chunk.count
    }
    let held = store.count
    store.close()
    return held
}

/// Percentile by nearest rank (p in 0…100) of a non-empty list.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

/// Entries of a realistic shape: a situation report of about 200 bytes of body, GREEN (the whole
/// federation reads it), signed by one of `keys`.
enum EntryMaker {
    static func body(_ n: Int) -> [UInt8] {
        let map: FieldMap = ["subject": .text("Situation \(n)"),
                             "text": .text("Situation report \(n): water level stable at 4.2 m; 40 people evacuated from the lower town; pumps requested from the neighbouring province; next update at 18:00.")]
        return try! map.encoded()
    }

    static func make(_ n: Int, key: SigningKey, milliseconds: UInt64, kind: EntryKind = .message) throws -> Entry {
        try EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: milliseconds, counter: 0),
                       kind: kind, audience: .federation, body: body(n)).signed(by: key)
    }

    /// Entries `range`, signed in parallel on every core (`DispatchQueue.concurrentPerform`), author
    /// `n % keys.count`, timestamp `base + n` ms.
    static func makeParallel(_ range: Range<Int>, keys: [SigningKey], base: UInt64) -> [Entry] {
        var out = [Entry?](repeating: nil, count: range.count)
        out.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let b = buffer
            let chunks = max(1, min(range.count, System.coreCount * 4))
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = range.count * c / chunks, hi = range.count * (c + 1) / chunks
                for j in lo..<hi {
                    let n = range.lowerBound + j
                    b[j] = try! make(n, key: keys[n % keys.count], milliseconds: base + UInt64(n))
                }
            }
        }
        return out.map { $0! }
    }
}
