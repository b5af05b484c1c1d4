// Part 8 (Scripts/bench-reconnect): reconnecting after an outage, docs/sync-protocol.md "Reconnecting".
// 8a/8b: node A is only dialed (B's configuration dials it); A stops, B gets N entries through its local
// API, and after the outage A starts again: timed from A's spawn until A's local API `wait` for all N
// answers. 8c: A and B reach each other only through loopback proxies that the benchmark cuts (they
// stop forwarding and hold what arrives, as a dead link does); entries are posted on both sides
// during the outage; timed from the heal until each holds the other's.
import Dispatch
import Foundation
import Glibc
import Synchronization
import VigilBenchSupport
import VigilCrypto
import VigilModel

struct ReconnectResult {
    var outageSeconds: Double
    var seconds: Double
    var entries: Int
}

enum ReconnectBench {
    /// A: dialed only; B dials A. Returns the federation's node directories and keys.
    static func federation(_ label: String, addressA: Int, addressB: Int) throws -> (dirA: String, dirB: String, keyA: SigningKey, keyB: SigningKey) {
        let root = try makeWorkspace(label)
        let fed = try Federation(name: "Bench Reconnect Federation")
        try fed.add("node-a", role: "authority", organisation: "Centre A", port: addressA)
        try fed.add("node-b", role: "government", organisation: "Province B", port: addressB, dials: ["node-a"])
        let genesis = try fed.genesisJSON()
        return (try fed.writeNodeDirectory("node-a", under: root, genesis: genesis), try fed.writeNodeDirectory("node-b", under: root, genesis: genesis),
                fed.member("node-a").key, fed.member("node-b").key)
    }

    /// Posts `count` new entries signed by `key` at `node`, 8 clients at once.
    static func post(_ count: Int, at node: NodeProcess, key: SigningKey, from: Int) throws -> [EntryID] {
        let entries = EntryMaker.makeParallel(from..<(from + count), keys: [key], base: wallMilliseconds() - UInt64(count))
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: 8) { c in
            for k in stride(from: c, to: entries.count, by: 8) {
                do { try node.post(entries[k]) } catch { failure.withLock { $0 = $0 ?? "\(error)" }; return }
            }
        }
        if let f = failure.withLock({ $0 }) { throw BenchError("posting at \(node.name) failed: \(f)") }
        return entries.map(\.id)
    }

    /// 8a/8b: the dialled-only node A is down for `outage` seconds while `count` entries are posted at B.
    static func dialledOnlyRestart(outage: Double, missed count: Int, vigil: String) throws -> ReconnectResult {
        let (dirA, dirB, keyA, keyB) = try federation("redial", addressA: try freePort(), addressB: try freePort())
        var a: NodeProcess? = try NodeProcess(binary: vigil, directory: dirA, name: "node-a")
        defer { a?.stop() }
        let b = try NodeProcess(binary: vigil, directory: dirB, name: "node-b")
        defer { b.stop() }
        let first = try EntryMaker.make(0, key: keyA, milliseconds: wallMilliseconds())
        try a!.post(first)
        guard try b.wait(for: [first.id], timeoutMs: 20_000).isEmpty else { throw BenchError("B did not receive A's first entry") }
        progress(String(format: "part 8: A (only dialed) stops for %.0f s; posting %d entries at B …", outage, count))
        a!.stop()
        a = nil
        let down = BenchClock.now()
        let ids = try post(count, at: b, key: keyB, from: 1)
        sleepSeconds(outage - (BenchClock.now() - down))
        let outageSeconds = BenchClock.now() - down
        let t0 = BenchClock.now()
        let restarted = try NodeProcess(binary: vigil, directory: dirA, name: "node-a")
        a = restarted
        let missing = try restarted.wait(for: ids, timeoutMs: 180_000)
        let seconds = BenchClock.now() - t0
        guard missing.isEmpty else { throw BenchError("A misses \(missing.count) of \(count) entries 180 s after its start; see \(dirA)/node.log") }
        progress(String(format: "part 8: A holds all %d after %.3f s", count, seconds))
        return ReconnectResult(outageSeconds: outageSeconds, seconds: seconds, entries: count)
    }

    /// 8c: the link between A and B is cut for `outage` seconds (`idleTimeout`: the nodes' `--idle-timeout`, nil: default).
    static func linkHeal(outage: Double, entries count: Int, idleTimeout: Double?, vigil: String) throws -> ReconnectResult {
        let proxyA = try CuttableProxy(upstream: try freePort(), port: try freePort())
        let proxyB = try CuttableProxy(upstream: try freePort(), port: try freePort())
        defer { proxyA.close(); proxyB.close() }
        let (dirA, dirB, keyA, keyB) = try federation("heal", addressA: proxyA.port, addressB: proxyB.port)
        let idle = idleTimeout.map { ["--idle-timeout", String(format: "%.0f", $0)] } ?? []
        let a = try NodeProcess(binary: vigil, directory: dirA, name: "node-a", extraArguments: ["--listen", "127.0.0.1:\(proxyA.upstream)"] + idle)
        defer { a.stop() }
        let b = try NodeProcess(binary: vigil, directory: dirB, name: "node-b", extraArguments: ["--listen", "127.0.0.1:\(proxyB.upstream)"] + idle)
        defer { b.stop() }
        let first = try EntryMaker.make(0, key: keyA, milliseconds: wallMilliseconds())
        try a.post(first)
        guard try b.wait(for: [first.id], timeoutMs: 20_000).isEmpty else { throw BenchError("B did not receive A's first entry") }
        progress(String(format: "part 8: cutting the link between A and B for %.0f s; posting %d entries on each side …", outage, count))
        proxyA.setCut(true)
        proxyB.setCut(true)
        let cut = BenchClock.now()
        let fromA = try post(count, at: a, key: keyA, from: 1)
        let fromB = try post(count, at: b, key: keyB, from: count + 1)
        sleepSeconds(outage - (BenchClock.now() - cut))
        let outageSeconds = BenchClock.now() - cut
        let t0 = BenchClock.now()
        proxyA.setCut(false)
        proxyB.setCut(false)
        let missingAtB = try b.wait(for: fromA, timeoutMs: 180_000)
        let missingAtA = try a.wait(for: fromB, timeoutMs: 180_000)
        let seconds = BenchClock.now() - t0
        guard missingAtA.isEmpty && missingAtB.isEmpty else {
            throw BenchError("not converged 180 s after the heal: A misses \(missingAtA.count), B misses \(missingAtB.count); see \(dirA)/node.log, \(dirB)/node.log")
        }
        progress(String(format: "part 8: converged %.3f s after the heal", seconds))
        return ReconnectResult(outageSeconds: outageSeconds, seconds: seconds, entries: count)
    }
}

/// A TCP proxy on 127.0.0.1:`port` to 127.0.0.1:`upstream` whose link can be cut: while cut it
/// forwards nothing in either direction and connects nothing upstream, holding what arrives (in its
/// buffers and the kernel's), as a dead network does; at the heal everything held flows on, as TCP's
/// retransmissions would deliver it (on a real network at its next retransmission, up to a few
/// seconds later). A closed end is passed on only when the link is up.
final class CuttableProxy: @unchecked Sendable {
    let port: Int
    let upstream: Int
    private let listener: Int32
    private let state = NSCondition()
    private var cut = false
    private var closed = false
    private var descriptors: Set<Int32> = []

    init(upstream: Int, port: Int) throws {
        self.port = port
        self.upstream = upstream
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 64) == 0 else { throw BenchError("the proxy cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        Thread { [self] in acceptLoop() }.start()
    }

    static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Cuts (true) or restores (false) the link.
    func setCut(_ value: Bool) {
        state.lock(); cut = value; state.broadcast(); state.unlock()
    }

    /// Stops: every connection and the listener are shut down.
    func close() {
        state.lock()
        closed = true
        cut = false
        state.broadcast()
        let all = descriptors
        state.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        for fd in all { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Waits while the link is cut; false once the proxy is closed.
    private func waitForLink() -> Bool {
        state.lock(); defer { state.unlock() }
        while cut && !closed { state.wait() }
        return !closed
    }

    private func track(_ fd: Int32) -> Bool {
        state.lock(); defer { state.unlock() }
        guard !closed else { return false }
        descriptors.insert(fd)
        return true
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            guard track(client) else { Glibc.close(client); return }
            Thread { [self] in connect(client) }.start()
        }
    }

    private func connect(_ client: Int32) {
        guard waitForLink() else { return }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(upstream)
        let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
        guard ok, track(server) else {
            shutdown(client, Int32(SHUT_RDWR))
            Glibc.close(server)
            return
        }
        Thread { [self] in pump(from: client, to: server) }.start()
        Thread { [self] in pump(from: server, to: client) }.start()
    }

    private func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard waitForLink() else { break }
            if n <= 0 { break }
            var sent = 0
            while sent < n {
                let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + sent, n - sent) }
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { sent = -1; break }
                sent += w
            }
            if sent < 0 { break }
        }
        shutdown(to, Int32(SHUT_WR))
        shutdown(from, Int32(SHUT_RD))
    }
}
