// Part 4: one hub node process holding N concurrent peer sessions. The peers are N distinct federation
// members (certificates from the same in-memory CA, all in the hub's genesis) that live in this
// process: one `NetworkLoop` per identity (a loop has one TLS identity), each dialling the hub and
// speaking the sync protocol as a dialling node does — HELLO, a Negentropy round over its (empty) set
// at once and then every 30 s, a PING every 20 s, PONG to every PING, a responder for any round the
// hub would begin. Dials are spread over 20 s and each peer's timers start at a random phase, so the
// periodic traffic is spread as in a federation whose nodes did not all connect in the same second.
// The idle window starts once every session has been through its first hub PING (20 s after it was
// established): it sees the steady state, pings and anti-entropy rounds included. Measured on the hub
// process only: resident memory and CPU over the window.
import Dispatch
import Foundation
import Glibc
import Synchronization
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilNet
import VigilSync

struct HubResult {
    var peers: Int
    var hubPeers: Int
    var establishSeconds: Double
    var rssBytes: Double
    var peakRSSBytes: Double
    var rssBeforeBytes: Double
    var idleSeconds: Double
    var idleCPUPercent: Double
    var idleSchedPercent: Double
    var closedDuringIdle: Int
    var roundsDuringIdle: Int
    var pingsDuringIdle: Int
    var pongsDuringIdle: Int
    var hubThreads: Int
}

/// Counters shared by every simulated peer.
final class PeerCounters: Sendable {
    let established = Atomic<Int>(0)
    let closed = Atomic<Int>(0)
    let roundsDone = Atomic<Int>(0)
    let pingsAnswered = Atomic<Int>(0)
    let pongsReceived = Atomic<Int>(0)
    let reasons = Mutex<[String]>([])
}

/// One simulated peer: the delegate of its own loop, so every method runs on that loop's thread and
/// its state needs no lock.
final class SimulatedPeer: NetworkLoopDelegate, @unchecked Sendable {
    static let pingToken: UInt64 = 1
    static let roundToken: UInt64 = 2
    static let frameSizeLimit = NegentropySetReconciler.frameSizeLimit
    static let empty = try! NegentropyStorage([NegentropyItem]())

    let counters: PeerCounters
    var loop: NetworkLoop!
    var connection: ConnectionID?
    var initiator: NegentropyInitiator?
    var helloReceived = false
    var nonce: UInt64 = 0
    var firstRound = true
    /// Random phases (ms) of the first PING and of the second round.
    let pingPhase: Int
    let roundPhase: Int

    init(counters: PeerCounters, pingPhase: Int, roundPhase: Int) {
        self.counters = counters
        self.pingPhase = pingPhase
        self.roundPhase = roundPhase
    }

    func send(_ message: SyncMessage) {
        guard let connection else { return }
        _ = loop.send(message.frame(), on: connection)
    }

    func admit(peerKey: PublicKey, peerName: String?, inbound: Bool, remote: String) -> PeerAdmission { .allow }

    func connectionEstablished(_ id: ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool) {
        connection = id
        send(.hello(Hello(clock: HybridTimestamp(milliseconds: wallMilliseconds(), counter: 0))))
    }

    func framesReceived(_ id: ConnectionID, _ frames: [Frame]) {
        for frame in frames {
            guard let message = try? SyncMessage(frame: frame) else { continue }
            switch message {
            case .hello:
                guard !helloReceived else { continue }
                helloReceived = true
                counters.established.add(1, ordering: .relaxed)
                beginRound()
                loop.schedule(after: .milliseconds(pingPhase), token: Self.pingToken)
            case .reconcile(let bytes):
                guard var i = initiator else { continue }
                if let round = try? i.reconcile(bytes), let next = round.next {
                    initiator = i
                    send(.reconcile(next))
                } else {
                    initiator = nil
                    counters.roundsDone.add(1, ordering: .relaxed)
                    loop.schedule(after: firstRound ? .milliseconds(roundPhase) : .seconds(30), token: Self.roundToken)
                    firstRound = false
                }
            case .reconcileBegin(let bytes):
                if let responder = try? NegentropyResponder(storage: Self.empty, frameSizeLimit: Self.frameSizeLimit),
                   let answer = try? responder.reconcile(bytes) {
                    send(.reconcile(answer))
                }
            case .ping(let n):
                counters.pingsAnswered.add(1, ordering: .relaxed)
                send(.pong(n))
            case .pong:
                counters.pongsReceived.add(1, ordering: .relaxed)
            case .want, .entries, .release:
                break
            case .goodbye(_, let reason):
                counters.reasons.withLock { if $0.count < 5 { $0.append("hub said goodbye: \(reason)") } }
            }
        }
    }

    func beginRound() {
        guard var i = try? NegentropyInitiator(storage: Self.empty, frameSizeLimit: Self.frameSizeLimit),
              let first = try? i.initiate() else { return }
        initiator = i
        send(.reconcileBegin(first))
    }

    func timerFired(_ token: UInt64) {
        guard connection != nil else { return }
        if token == Self.pingToken {
            nonce += 1
            send(.ping(nonce))
            loop.schedule(after: .seconds(20), token: Self.pingToken)
        } else if token == Self.roundToken {
            beginRound()
        }
    }

    func connectionClosed(_ id: ConnectionID, reason: CloseReason) {
        connection = nil
        counters.closed.add(1, ordering: .relaxed)
        counters.reasons.withLock { if $0.count < 5 { $0.append("\(reason.code.rawValue): \(reason.message)") } }
    }

    func connectionRefused(remote: String, reason: CloseReason) {}
}

enum HubBench {
    static func run(peers count: Int, idleSeconds: Double, spread: Double, seed: UInt64, vigil: String) throws -> HubResult {
        let root = try makeWorkspace("hub")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fed = try Federation(name: "Bench Hub Federation")
        let hubPort = try freePort()
        try fed.add("hub", role: "authority", organisation: "Hub Centre", port: hubPort)
        progress("part 4: making \(count) peer identities and certificates …")
        for i in 0..<count { try fed.add(String(format: "peer-%04d", i), role: "government", organisation: "Peer \(i)", dials: ["hub"]) }
        let genesis = try fed.genesisJSON()
        let dir = try fed.writeNodeDirectory("hub", under: root, genesis: genesis)
        let hub = try NodeProcess(binary: vigil, directory: dir, name: "hub")
        defer { hub.stop() }
        let rssBefore = BenchClock.statusBytes("VmRSS", process: "\(hub.pid)")

        let counters = PeerCounters()
        var loops: [NetworkLoop] = []
        defer {
            // Shut the peers down before the hub, in parallel (each joins its own thread).
            let all = loops
            DispatchQueue.concurrentPerform(iterations: 8) { c in
                for k in stride(from: c, to: all.count, by: 8) { all[k].shutdown() }
            }
        }
        var rng = SeededRandom(seed: seed)
        let hubKey = fed.member("hub").key.publicKey
        progress(String(format: "part 4: %d peers dial the hub, spread over %.0f s …", count, spread))
        let start = BenchClock.now()
        for (k, m) in fed.members.dropFirst().enumerated() {
            var configuration = NetworkConfiguration(tls: try TLSContext(certificate: try fed.certificate(for: m), key: m.key, trusting: fed.ca.certificate))
            configuration.handshakeTimeout = .seconds(60)
            configuration.connectTimeout = .seconds(60)
            let loop = try NetworkLoop(configuration: configuration)
            let peer = SimulatedPeer(counters: counters, pingPhase: Int.random(in: 1...20_000, using: &rng), roundPhase: Int.random(in: 1...30_000, using: &rng))
            peer.loop = loop
            try loop.start(delegate: peer)
            loops.append(loop)
            sleepSeconds(start + spread * Double(k) / Double(count) - BenchClock.now())
            _ = loop.dial(host: "127.0.0.1", port: UInt16(hubPort), expectedPeer: hubKey)
            // At most 64 handshakes in flight, so the hub's 10 s handshake timeout is never the limit.
            let deadline = BenchClock.now() + 60
            while k + 1 - counters.established.load(ordering: .relaxed) - counters.closed.load(ordering: .relaxed) > 64 {
                if BenchClock.now() > deadline { throw BenchError("peers stopped getting through to the hub: \(counters.reasons.withLock { $0 })") }
                usleep(2_000)
            }
        }
        let deadline = BenchClock.now() + 120
        while counters.established.load(ordering: .relaxed) < count {
            if counters.closed.load(ordering: .relaxed) > 0 {
                throw BenchError("\(counters.closed.load(ordering: .relaxed)) peer sessions closed while establishing: \(counters.reasons.withLock { $0 })")
            }
            if BenchClock.now() > deadline {
                throw BenchError("only \(counters.established.load(ordering: .relaxed)) of \(count) peer sessions established after 120 s")
            }
            usleep(10_000)
        }
        let allEstablished = BenchClock.now()
        let establishSeconds = allEstablished - start
        // The hub's own view: every peer connected and established.
        var hubPeers = 0
        let statusDeadline = BenchClock.now() + 60
        while true {
            let status = try hub.status()
            hubPeers = status.peers.filter(\.established).count
            if hubPeers >= count { break }
            if BenchClock.now() > statusDeadline { throw BenchError("the hub's status shows \(hubPeers) of \(count) peers") }
            usleep(500_000)
        }
        // Steady state: every session past its first hub PING (20 s after it was established).
        let steady = allEstablished + 21
        progress(String(format: "part 4: %d sessions established after %.1f s; hub status shows %d peers; idle window of %.0f s starts in %.0f s (steady state) …",
                        count, establishSeconds, hubPeers, idleSeconds, max(0, steady - BenchClock.now())))
        sleepSeconds(steady - BenchClock.now())

        let closed0 = counters.closed.load(ordering: .relaxed)
        let rounds0 = counters.roundsDone.load(ordering: .relaxed)
        let pings0 = counters.pingsAnswered.load(ordering: .relaxed)
        let pongs0 = counters.pongsReceived.load(ordering: .relaxed)
        let cpu0 = hub.cpuSeconds(), sched0 = ProcStat.scheduledSeconds(hub.pid)
        let t0 = BenchClock.now()
        sleepSeconds(idleSeconds)
        let wall = BenchClock.now() - t0
        let cpu = hub.cpuSeconds() - cpu0, sched = ProcStat.scheduledSeconds(hub.pid) - sched0
        let rss = BenchClock.statusBytes("VmRSS", process: "\(hub.pid)")
        let peak = BenchClock.statusBytes("VmHWM", process: "\(hub.pid)")
        let threads = ProcStat.threads(hub.pid)
        let closedIdle = counters.closed.load(ordering: .relaxed) - closed0
        let rounds = counters.roundsDone.load(ordering: .relaxed) - rounds0
        let pings = counters.pingsAnswered.load(ordering: .relaxed) - pings0
        let pongs = counters.pongsReceived.load(ordering: .relaxed) - pongs0
        let after = try hub.status().peers.filter(\.established).count
        guard after >= count else { throw BenchError("after the idle window the hub shows \(after) of \(count) peers") }
        progress(String(format: "part 4: hub RSS %.0f MiB (peak %.0f), idle CPU %.2f %% of one core (schedstat %.2f %%); in the window: %d hub PINGs answered, %d PONGs from the hub, %d rounds, %d sessions closed",
                        rss / 1_048_576, peak / 1_048_576, cpu / wall * 100, sched / wall * 100, pings, pongs, rounds, closedIdle))
        return HubResult(peers: count, hubPeers: hubPeers, establishSeconds: establishSeconds, rssBytes: rss, peakRSSBytes: peak,
                         rssBeforeBytes: rssBefore, idleSeconds: wall, idleCPUPercent: cpu / wall * 100, idleSchedPercent: sched / wall * 100,
                         closedDuringIdle: closedIdle, roundsDuringIdle: rounds, pingsDuringIdle: pings, pongsDuringIdle: pongs, hubThreads: threads)
    }
}
