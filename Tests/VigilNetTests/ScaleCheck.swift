import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
import VigilCrypto
import VigilModel
import VigilSync
@testable import VigilNet

/// Not part of the normal suite: `VIGIL_SCALE=1 swift test --filter ScaleCheck`. Opens 1,000 mutual
/// TLS sessions from one dialling loop to one listening loop in this process, then measures the
/// time to establish them, the resident memory and the CPU used while they sit idle. Both ends live
/// in this process, so the memory figure covers 2,000 TLS endpoints; the listener thread's own CPU
/// is read from /proc/self/task/<tid>/stat. `VIGIL_SCALE_SESSIONS` and `VIGIL_SCALE_IDLE_SECONDS`
/// change the defaults (1,000 sessions, 10 s idle window). The idle window is a measurement, the one
/// place where this target waits on the clock.
@Suite("Scale check", .enabled(if: ProcessInfo.processInfo.environment["VIGIL_SCALE"] == "1"))
struct ScaleCheck {
    @Test("1,000 concurrent TLS sessions to one listener loop: setup time, RSS, idle CPU")
    func thousandSessions() throws {
        let environment = ProcessInfo.processInfo.environment
        let sessions = Int(environment["VIGIL_SCALE_SESSIONS"] ?? "") ?? 1_000
        let idleSeconds = Double(environment["VIGIL_SCALE_IDLE_SECONDS"] ?? "") ?? 10
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect(Int(limit.rlim_cur) > 2 * sessions + 64, "raise the open-file limit (ulimit -n) above \(2 * sessions + 64)")

        let ca = try PKI.ca()
        let serverNode = try PKI.node(ca, "listener"), clientNode = try PKI.node(ca, "dialler")
        let server = Counter(), client = Counter()
        func adjust(_ c: inout NetworkConfiguration) {
            c.handshakeTimeout = .seconds(60)
            c.idleTimeout = .seconds(600)
        }
        let rssBefore = residentKiB()
        var configuration = NetworkConfiguration(tls: try PKI.context(serverNode, trusting: ca))
        adjust(&configuration)
        let listenerLoop = try NetworkLoop(configuration: configuration)
        try listenerLoop.start(delegate: server)
        defer { listenerLoop.shutdown() }
        configuration.tls = try PKI.context(clientNode, trusting: ca)
        let diallerLoop = try NetworkLoop(configuration: configuration)
        try diallerLoop.start(delegate: client)
        defer { diallerLoop.shutdown() }
        let port = try listenerLoop.listen(host: "127.0.0.1", port: 0).port

        let cpuBeforeSetup = processCPUSeconds()
        let start = DispatchTime.now()
        let ids = (0..<sessions).map { _ in diallerLoop.dial(host: "127.0.0.1", port: port, expectedPeer: serverNode.key.publicKey) }
        try server.wait(established: sessions)
        let serverSetup = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        try client.wait(established: sessions)
        let setup = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let setupCPU = processCPUSeconds() - cpuBeforeSetup
        #expect(server.failures.load(ordering: .relaxed) == 0 && client.failures.load(ordering: .relaxed) == 0, "a session failed")

        // One frame each way on every session, to touch the buffers a working session uses.
        for id in ids { _ = diallerLoop.send(numberedFrame(1, size: 200), on: id) }
        try server.wait(frames: sessions)
        let rssEstablished = residentKiB()

        let serverTID = listenerLoop.loopThreadTID, clientTID = diallerLoop.loopThreadTID
        let cpuStart = processCPUSeconds(), serverStart = threadCPUSeconds(serverTID), clientStart = threadCPUSeconds(clientTID)
        let wallStart = DispatchTime.now()
        _ = DispatchSemaphore(value: 0).wait(timeout: .now() + idleSeconds)   // the idle window being measured
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9
        let idleProcess = (processCPUSeconds() - cpuStart) / wall * 100
        let idleServer = (threadCPUSeconds(serverTID) - serverStart) / wall * 100
        let idleClient = (threadCPUSeconds(clientTID) - clientStart) / wall * 100
        let rssIdle = residentKiB()

        print("""
        SCALE sessions=\(sessions) setup=\(String(format: "%.2f", setup)) s (listener side done at \(String(format: "%.2f", serverSetup)) s; \
        \(String(format: "%.0f", Double(sessions) / setup)) sessions/s; \(String(format: "%.2f", setupCPU)) s of CPU for both ends)
        SCALE rss before=\(rssBefore / 1024) MiB established=\(rssEstablished / 1024) MiB after idle=\(rssIdle / 1024) MiB \
        (\(String(format: "%.1f", Double(rssIdle - rssBefore) / Double(2 * sessions))) KiB per TLS endpoint, 2 endpoints per session)
        SCALE idle cpu over \(String(format: "%.1f", wall)) s: process=\(String(format: "%.2f", idleProcess)) % \
        listener thread=\(String(format: "%.2f", idleServer)) % dialler thread=\(String(format: "%.2f", idleClient)) % (of one core)
        """)
        #expect(rssIdle < 1024 * 1024, "over 1 GiB resident")
        #expect(idleProcess < 5, "idle CPU over 5 %")
    }

    /// A delegate that only counts, so that waiting for 1,000 events costs nothing.
    final class Counter: NetworkLoopDelegate {
        let established = Atomic<Int>(0), frames = Atomic<Int>(0), failures = Atomic<Int>(0)
        private let signal = DispatchSemaphore(value: 0)
        func admit(peerKey: PublicKey, peerName: String?, inbound: Bool, remote: String) -> PeerAdmission { .allow }
        func connectionEstablished(_ id: ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool) {
            established.add(1, ordering: .relaxed)
            signal.signal()
        }
        func framesReceived(_ id: ConnectionID, _ received: [Frame]) {
            frames.add(received.count, ordering: .relaxed)
            signal.signal()
        }
        func connectionClosed(_ id: ConnectionID, reason: CloseReason) { failures.add(1, ordering: .relaxed); signal.signal() }
        func connectionRefused(remote: String, reason: CloseReason) { failures.add(1, ordering: .relaxed); signal.signal() }

        func wait(established target: Int) throws { try wait { established.load(ordering: .relaxed) >= target } }
        func wait(frames target: Int) throws { try wait { frames.load(ordering: .relaxed) >= target } }
        private func wait(_ done: () -> Bool) throws {
            let deadline = DispatchTime.now() + 300
            while !done() {
                if failures.load(ordering: .relaxed) > 0 { throw TestFailure("a session failed") }
                if signal.wait(timeout: deadline) == .timedOut && !done() { throw TestFailure("timed out") }
            }
        }
    }

    private func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// utime + stime of one thread, from /proc/self/task/<tid>/stat (fields 14 and 15, in clock ticks).
    private func threadCPUSeconds(_ tid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: field 3 is fields[0], so utime (14) is fields[11] and stime (15) fields[12].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
