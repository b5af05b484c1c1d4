// Part 7: the post path. Two node processes on loopback, B dialing A; officers' clients post messages
// at A through its local API (`compose`, as `vigil post` does), each on one kept connection
// (`LocalAPIConnection`; `--connection-per-post`: a new connection per post, as `vigil post` opens); a
// `follow` client at B sees them arrive. Measured next to the machine's own limits in the same run:
// sequential fdatasync of 256-byte appends on the nodes' file system, and one core's Ed25519 sign and
// verify (openssl speed).
import Dispatch
import Foundation
import Glibc
import Synchronization
import VigilAPI
import VigilBenchSupport
import VigilModel
import VigilNode

struct PostPathResult {
    /// Sequential fdatasyncs per second (256-byte appends), measured in the nodes' directory, and the
    /// time each one took (seconds): its tail next to 7a's says how much of that tail is the disk's.
    var fsyncRate: Double
    var fsyncTimes: [Double]
    /// One-byte round trips between two threads over a Unix socket pair (seconds each): the least a
    /// request and its answer on `node.sock` take on this machine, before any work.
    var roundTripTimes: [Double]
    /// Post at A → shown by B's follow, one at a time (seconds).
    var latencies: [Double]
    /// The same samples cut in two: post → A's answer (A's work and fdatasync), and A's answer → B's
    /// follow (the push, B's verification, fdatasync and follow line).
    var answeredAtA: [Double]
    var answerToB: [Double]
    /// Messages per second end to end at B, one sequential client.
    var sequentialRate: Double
    /// Messages per second end to end at B, four clients in flight.
    var concurrentRate: Double
    /// CPU seconds per message on A and on B over both throughput runs.
    var cpuPerMessageA: Double
    var cpuPerMessageB: Double
    var messages: Int
}

enum PostPathBench {
    /// Sequential 256-byte appends, each followed by fdatasync, for about `seconds`: the rate, and the
    /// time each append and fdatasync took.
    static func fsyncRate(in directory: String, seconds: Double = 2) throws -> (rate: Double, times: [Double]) {
        let path = directory + "/fsync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        guard fd >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd); unlink(path) }
        let record = [UInt8](repeating: 0x5a, count: 256)
        var times: [Double] = []
        let start = BenchClock.now()
        var t = start
        while t - start < seconds {
            _ = record.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard fdatasync(fd) == 0 else { throw BenchError("fdatasync failed: \(String(cString: strerror(errno)))") }
            let done = BenchClock.now()
            times.append(done - t)
            t = done
        }
        return (Double(times.count) / (t - start), times)
    }

    /// `count` one-byte round trips between this thread and an echoing one over a Unix stream socket
    /// pair, back to back as a sequential client posts: the time each took (two thread wake-ups and four
    /// system calls).
    static func localRoundTrips(count: Int = 2_000) throws -> [Double] {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw BenchError("socketpair failed: \(String(cString: strerror(errno)))")
        }
        let (near, far) = (fds[0], fds[1])
        defer { close(near) }
        let echo = Thread {
            var byte: UInt8 = 0
            while read(far, &byte, 1) == 1 { guard write(far, &byte, 1) == 1 else { break } }
            close(far)
        }
        echo.start()
        defer { shutdown(near, Int32(SHUT_RDWR)) }   // the echo thread reads end of stream and ends
        var times: [Double] = []
        times.reserveCapacity(count)
        var byte: UInt8 = 0x2a
        for _ in 0..<count {
            let t0 = BenchClock.now()
            guard write(near, &byte, 1) == 1, read(near, &byte, 1) == 1 else {
                throw BenchError("the round-trip probe's socket failed: \(String(cString: strerror(errno)))")
            }
            times.append(BenchClock.now() - t0)
        }
        return times
    }

    static func message(_ i: Int, run: String) -> ComposeRequest {
        let text = "Post path \(run) \(i): " + String(repeating: "x", count: 150)
        return ComposeRequest(kind: EntryKind.message.name, fields: .object(["subject": .string("bench \(run) \(i)"), "text": .string(text)]))
    }

    /// A local-API client posting at a node: one kept connection, or (`perPost`) a new one per request.
    final class Poster {
        let client: LocalAPIClient
        let connection: LocalAPIConnection?

        init(_ client: LocalAPIClient, perPost: Bool) throws {
            self.client = client
            connection = perPost ? nil : try LocalAPIConnection(path: client.path)
        }

        func post(_ request: ComposeRequest) throws -> EntryID {
            if let connection { return try connection.send(request).id }
            return try client.send(request).id
        }
    }

    static func run(samples: Int, messages: Int, connectionPerPost: Bool, vigil: String) throws -> PostPathResult {
        let root = try makeWorkspace("post")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fed = try Federation(name: "Bench Post Federation")
        try fed.add("node-a", role: "authority", organisation: "Centre A", port: try freePort())
        try fed.add("node-b", role: "government", organisation: "Province B", port: try freePort(), dials: ["node-a"])
        let genesis = try fed.genesisJSON()
        let dirA = try fed.writeNodeDirectory("node-a", under: root, genesis: genesis)
        let dirB = try fed.writeNodeDirectory("node-b", under: root, genesis: genesis)
        progress("part 7: fdatasync rate of 256-byte appends in \(root) …")
        let fsync = try fsyncRate(in: root)
        let roundTrips = try localRoundTrips()
        progress(String(format: "part 7: %.0f fdatasync/s; starting two nodes …", fsync.rate))
        let a = try NodeProcess(binary: vigil, directory: dirA, name: "node-a")
        defer { a.stop() }
        let b = try NodeProcess(binary: vigil, directory: dirB, name: "node-b")
        defer { b.stop() }

        // B's follower: the arrival time of every entry, by id; waiters are woken per arrival.
        let arrivals = Mutex<[EntryID: Double]>([:])
        let arrived = DispatchSemaphore(value: 0)
        let following = DispatchSemaphore(value: 0)
        let follower = b.api
        let thread = Thread {
            try? follower.follow(FollowRequest()) { line in
                if line.following == true { following.signal(); return true }
                if let entry = line.entry {
                    let t = BenchClock.now()
                    arrivals.withLock { $0[entry.id] = t }
                    arrived.signal()
                }
                return true
            }
        }
        thread.start()
        guard following.wait(timeout: .now() + 20) == .success else { throw BenchError("B's follow did not start") }
        // Warm up: the session is up and a first entry crossed.
        let poster = try Poster(a.api, perPost: connectionPerPost)
        let warm = try poster.post(message(0, run: "warm-up"))
        guard try b.wait(for: [warm], timeoutMs: 30_000).isEmpty else { throw BenchError("B did not receive the warm-up entry") }

        progress("part 7: \(samples) posts one at a time, post at A → B's follow …")
        var latencies: [Double] = [], answeredAtA: [Double] = [], answerToB: [Double] = []
        for i in 0..<samples {
            let t0 = BenchClock.now()
            let id = try poster.post(message(i, run: "latency"))
            let answered = BenchClock.now()
            while arrivals.withLock({ $0[id] }) == nil {
                guard arrived.wait(timeout: .now() + 20) == .success else { throw BenchError("B's follow did not show \(id.hex)") }
            }
            let shown = arrivals.withLock { $0[id]! }
            latencies.append(shown - t0)
            answeredAtA.append(answered - t0)
            answerToB.append(max(0, shown - answered))
        }

        func throughput(clients: Int, run: String) throws -> (rate: Double, ids: [EntryID]) {
            let ids = Mutex<[EntryID]>([])
            let failure = Mutex<String?>(nil)
            let t0 = BenchClock.now()
            DispatchQueue.concurrentPerform(iterations: clients) { c in
                let api: Poster
                do { api = try Poster(a.api, perPost: connectionPerPost) } catch {
                    failure.withLock { $0 = $0 ?? "\(error)" }
                    return
                }
                for i in stride(from: c, to: messages, by: clients) {
                    do {
                        let id = try api.post(message(i, run: run))
                        ids.withLock { $0.append(id) }
                    } catch {
                        failure.withLock { $0 = $0 ?? "\(error)" }
                        return
                    }
                }
            }
            if let f = failure.withLock({ $0 }) { throw BenchError("posting at A failed: \(f)") }
            let all = ids.withLock { $0 }
            guard try b.wait(for: all, timeoutMs: 120_000).isEmpty else { throw BenchError("B did not receive all \(messages) messages") }
            let last = arrivals.withLock { map in all.compactMap { map[$0] }.max() } ?? BenchClock.now()
            return (Double(messages) / (last - t0), all)
        }
        let cpuA0 = a.cpuSeconds(), cpuB0 = b.cpuSeconds()
        progress("part 7: \(messages) messages from one sequential client …")
        let sequential = try throughput(clients: 1, run: "sequential")
        progress(String(format: "part 7: %.0f msg/s; \(messages) messages from 4 clients in flight …", sequential.rate))
        let concurrent = try throughput(clients: 4, run: "concurrent")
        progress(String(format: "part 7: %.0f msg/s", concurrent.rate))
        let cpuA = a.cpuSeconds() - cpuA0, cpuB = b.cpuSeconds() - cpuB0
        return PostPathResult(fsyncRate: fsync.rate, fsyncTimes: fsync.times, roundTripTimes: roundTrips, latencies: latencies,
                              answeredAtA: answeredAtA, answerToB: answerToB, sequentialRate: sequential.rate, concurrentRate: concurrent.rate,
                              cpuPerMessageA: cpuA / Double(2 * messages), cpuPerMessageB: cpuB / Double(2 * messages), messages: messages)
    }
}
