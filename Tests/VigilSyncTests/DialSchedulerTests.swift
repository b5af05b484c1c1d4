import Testing
import VigilModel
import VigilSync

@Suite("Dial scheduler: which peers to dial, and when")
struct DialSchedulerTests {
    static let office = DialRoute(host: "10.0.0.1", port: 7000)
    static let backup = DialRoute(host: "10.0.1.1", port: 7000)
    static let a = DialTarget(name: "gov-a", routes: [office, backup])
    static let b = DialTarget(name: "gov-b", routes: [DialRoute(host: "10.0.0.2", port: 7000)])
    /// A hub's member: it dials the hub, so the hub dials it only for a while.
    static let member = DialTarget(name: "member", routes: [DialRoute(host: "10.0.0.5", port: 7000)], reason: .dialsUs)

    static func dials(_ directives: [DialDirective]) -> [String] {
        directives.map { if case .dial(let target, let route) = $0 { "\(target.name)@\(route)" } else { "" } }
    }

    static func phase(_ s: DialScheduler, _ name: String, now: UInt64) -> DialStatus {
        s.status(now: now).first { $0.name == name }!
    }

    @Test("at start every target is due at once, dialed once in name order over its first route; then none until a report")
    func start() {
        var random = SeededRandom(seed: 1)
        var s = DialScheduler()
        s.start([Self.b, Self.a, DialTarget(name: "no-route", routes: []), Self.member], now: 1_000, using: &random)
        #expect(s.peerNames == ["gov-a", "gov-b", "member"])
        #expect(s.nextWake == 1_000)
        #expect(Self.dials(s.tick(now: 1_000)) == ["gov-a@10.0.0.1:7000", "gov-b@10.0.0.2:7000", "member@10.0.0.5:7000"])
        #expect(s.tick(now: 90_000).isEmpty)
        #expect(s.nextWake == nil)
        #expect(Self.phase(s, "gov-a", now: 1_005).phase == .connecting(route: Self.office, since: 1_000))
    }

    @Test("a lost peer is retried within 4 s while lost recently, alternating routes; after 15 minutes the delays grow to 60 s")
    func recentThenLong() {
        var random = SeededRandom(seed: 2)
        var s = DialScheduler()
        s.start([Self.a], now: 0, using: &random)
        var now: UInt64 = 0
        var routes: [String] = []
        var delays: [(at: UInt64, delay: UInt64)] = []
        while now < 20 * 60_000 {
            routes += Self.dials(s.tick(now: now))
            let delay = s.attemptFailed("gov-a", now: now, using: &random)!
            delays.append((now, delay))
            #expect(s.tick(now: now + delay - 1).isEmpty, "dialed before its delay")
            #expect(Self.phase(s, "gov-a", now: now + 1).nextAttemptIn == delay - 1)
            now += delay
        }
        #expect(routes.prefix(3) == ["gov-a@10.0.0.1:7000", "gov-a@10.0.1.1:7000", "gov-a@10.0.0.1:7000"])
        for (attempt, (at, delay)) in delays.enumerated() {
            let ceiling = min(UInt64(500) << UInt64(min(attempt, 20)), at < 15 * 60_000 ? 4_000 : 60_000)
            #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(attempt) at \(at) ms: \(delay) ms outside \(ceiling / 2)…\(ceiling)")
        }
        #expect(delays.contains { $0.at >= 15 * 60_000 && $0.delay > 30_000 }, "no long delay after the recent window")
        #expect(Self.phase(s, "gov-a", now: now).failedAttempts == delays.count)
    }

    @Test("a refused attempt backs off towards 60 s at once")
    func refusal() {
        var random = SeededRandom(seed: 8)
        var s = DialScheduler()
        s.start([Self.b], now: 0, using: &random)
        var now: UInt64 = 0
        var last: UInt64 = 0
        for _ in 0..<10 {
            _ = s.tick(now: now)
            last = s.attemptFailed("gov-b", now: now, refused: true, using: &random)!
            now += last
        }
        #expect(last >= 30_000 && last <= 60_000)
    }

    @Test("a session resets the delays and keeps its route; when it ends the peer is lost recently again, first delay 250–500 ms")
    func sessionResets() {
        var random = SeededRandom(seed: 3)
        var s = DialScheduler()
        s.start([Self.a], now: 0, using: &random)
        var now: UInt64 = 0
        for _ in 0..<5 {   // the office route fails five times (the scheduler alternates routes)
            _ = s.tick(now: now)
            now += s.attemptFailed("gov-a", now: now, using: &random)!
        }
        #expect(Self.dials(s.tick(now: now)) == ["gov-a@10.0.1.1:7000"])
        s.connected("gov-a", now: now + 10)
        s.sessionUp("gov-a", session: 7, route: Self.backup, now: now + 20)
        #expect(Self.phase(s, "gov-a", now: now + 30).phase == .connected(route: Self.backup, since: now + 20))
        #expect(Self.phase(s, "gov-a", now: now + 30).failedAttempts == 0)
        #expect(Self.phase(s, "gov-a", now: now + 30).route == Self.backup)
        now += 60 * 60_000   // an hour in session: the recent window starts again when it ends
        let delay = s.sessionDown("gov-a", session: 7, now: now, using: &random)!
        #expect(delay >= 250 && delay <= 500)
        #expect(Self.dials(s.tick(now: now + delay)) == ["gov-a@10.0.1.1:7000"], "the route that worked stays preferred after the session ends")
    }

    @Test("an attempt that got through TLS but was closed before its session keeps its route")
    func connectedAttemptKeepsRoute() {
        var random = SeededRandom(seed: 9)
        var s = DialScheduler()
        s.start([Self.a], now: 0, using: &random)
        _ = s.tick(now: 0)
        s.connected("gov-a", now: 5)
        let delay = s.attemptFailed("gov-a", now: 10, using: &random)!
        #expect(Self.dials(s.tick(now: 10 + delay)) == ["gov-a@10.0.0.1:7000"])
    }

    @Test("the peer's own dial counts: no attempt while in session with it, whoever dialed; a duplicate attempt schedules nothing")
    func sessionDialedByPeer() {
        var random = SeededRandom(seed: 10)
        var s = DialScheduler()
        s.start([Self.b], now: 0, using: &random)
        _ = s.tick(now: 0)
        s.sessionUp("gov-b", session: 1, route: nil, now: 3)   // the peer's connection won the race
        #expect(s.attemptFailed("gov-b", now: 4, using: &random) == nil, "our duplicate closed: still in session")
        #expect(Self.phase(s, "gov-b", now: 5).phase == .connected(route: nil, since: 3))
        #expect(s.tick(now: 100_000).isEmpty && s.nextWake == nil)
        #expect(s.inSession("gov-b"))
        // A second session (a reconnection the peer made before the first was noticed dead) ends first: still in session.
        s.sessionUp("gov-b", session: 2, route: nil, now: 200_000)
        #expect(s.sessionDown("gov-b", session: 1, now: 200_001, using: &random) == nil)
        #expect(s.sessionDown("gov-b", session: 1, now: 200_002, using: &random) == nil, "a session reported twice")
        let delay = s.sessionDown("gov-b", session: 2, now: 200_003, using: &random)!
        #expect(delay >= 250 && delay <= 500)
    }

    @Test("a peer that dials us is dialed at start and after a loss, but left to its own dialing once the recent window passed")
    func dialsUsLeftToPeer() {
        var random = SeededRandom(seed: 11)
        var s = DialScheduler()
        s.start([Self.member], now: 0, using: &random)
        #expect(Self.dials(s.tick(now: 0)) == ["member@10.0.0.5:7000"])
        var now: UInt64 = 0
        var attempts = 1
        while let delay = s.attemptFailed("member", now: now, using: &random) {
            #expect(delay <= 4_000)
            now += delay
            attempts += Self.dials(s.tick(now: now)).count
        }
        #expect(now >= 15 * 60_000 - 4_000 && now < 15 * 60_000 + 4_000)
        #expect(attempts >= 15 * 60 / 4 && attempts <= 15 * 60 / 2 + 10, "\(attempts) attempts in 15 minutes")
        #expect(Self.phase(s, "member", now: now).phase == .leftToPeer)
        #expect(s.nextWake == nil && s.tick(now: now + 3_600_000).isEmpty)
        // The member dials in; when that session ends, this node tries again for a while.
        s.sessionUp("member", session: 4, route: nil, now: 5_000_000)
        let delay = s.sessionDown("member", session: 4, now: 5_100_000, using: &random)!
        #expect(Self.dials(s.tick(now: 5_100_000 + delay)) == ["member@10.0.0.5:7000"])
        // A roster change that makes it a configured peer brings a left peer back at once.
        var t = DialScheduler()
        t.start([Self.member], now: 0, using: &random)
        _ = t.tick(now: 0)
        var at: UInt64 = 0
        while let d = t.attemptFailed("member", now: at, using: &random) { at += d; _ = t.tick(now: at) }
        t.rosterChanged([DialTarget(name: "member", routes: Self.member.routes)], now: at + 1, using: &random)
        #expect(Self.dials(t.tick(now: at + 1)) == ["member@10.0.0.5:7000"])
    }

    @Test("at most maximumDialsPerSecond attempts start in any second; the rest wait for a free slot")
    func totalBound() {
        var random = SeededRandom(seed: 12)
        var settings = DialSettings()
        settings.maximumDialsPerSecond = 4
        var s = DialScheduler(settings: settings)
        let targets = (0..<10).map { DialTarget(name: "peer-\($0)", routes: [DialRoute(host: "h\($0)", port: 1)], reason: .dialsUs) }
        s.start(targets, now: 0, using: &random)
        #expect(s.tick(now: 0).count == 4)
        #expect(s.nextWake == 1_000)
        #expect(s.tick(now: 999).isEmpty)
        #expect(s.tick(now: 1_000).count == 4)
        #expect(s.tick(now: 2_000).count == 2)
        // Failures of all ten never start more than four in a second.
        var starts: [UInt64] = Array(repeating: 0, count: 4) + Array(repeating: 1_000, count: 4) + [2_000, 2_000]
        for i in 0..<10 { s.attemptFailed("peer-\(i)", now: 2_000, using: &random) }
        var now: UInt64 = 2_000
        while now < 120_000, let wake = s.nextWake {
            now = max(now, wake)
            starts += Array(repeating: now, count: s.tick(now: now).count)
            for status in s.status(now: now) where status.phase == .connecting(route: status.route!, since: now) {
                s.attemptFailed(status.name, now: now, using: &random)
            }
            now += 1
        }
        for t in starts { #expect(starts.filter { $0 >= t && $0 < t + 1_000 }.count <= 4, "more than 4 starts in the second from \(t)") }
        #expect(starts.count > 40)
    }

    @Test("stale reports change nothing: failures while waiting, reports about unknown peers")
    func staleReports() {
        var random = SeededRandom(seed: 4)
        var s = DialScheduler()
        s.start([Self.b], now: 0, using: &random)
        #expect(s.attemptFailed("gov-b", now: 0, using: &random) == nil)
        #expect(s.attemptFailed("nobody", now: 0, using: &random) == nil)
        #expect(s.sessionDown("gov-b", session: 9, now: 0, using: &random) == nil)
        s.connected("gov-b", now: 0)
        s.sessionUp("nobody", session: 1, route: nil, now: 0)
        #expect(Self.phase(s, "gov-b", now: 0).phase == .waiting(until: 0))
        #expect(Self.dials(s.tick(now: 0)) == ["gov-b@10.0.0.2:7000"])
    }

    @Test("a roster change adds peers due at once, forgets removed ones, and gives kept ones their new routes")
    func rosterChange() {
        var random = SeededRandom(seed: 5)
        var s = DialScheduler()
        s.start([Self.a, Self.b], now: 0, using: &random)
        _ = s.tick(now: 0)
        s.connected("gov-a", now: 5)
        let moved = DialTarget(name: "gov-a", routes: [DialRoute(host: "10.9.9.9", port: 7001)])
        let c = DialTarget(name: "centre", routes: [DialRoute(host: "10.0.0.3", port: 7000)])
        s.rosterChanged([moved, c], now: 100, using: &random)
        #expect(s.peerNames == ["centre", "gov-a"])
        #expect(s.attemptFailed("gov-b", now: 100, using: &random) == nil, "a removed peer is forgotten")
        #expect(Self.dials(s.tick(now: 100)) == ["centre@10.0.0.3:7000"])
        let delay = s.attemptFailed("gov-a", now: 200, using: &random)!
        #expect(Self.dials(s.tick(now: 200 + delay)) == ["gov-a@10.9.9.9:7001"])
    }

    @Test("first dials spread over startSpread; the same seed gives the same schedule")
    func spreadAndDeterminism() {
        func schedule(seed: UInt64) -> [UInt64] {
            var random = SeededRandom(seed: seed)
            var settings = DialSettings()
            settings.startSpread = 50
            var s = DialScheduler(settings: settings)
            let targets = (0..<20).map { DialTarget(name: "peer-\($0)", routes: [DialRoute(host: "h\($0)", port: 1)]) }
            s.start(targets, now: 1_000, using: &random)
            var out = s.status(now: 1_000).map { 1_000 + $0.nextAttemptIn! }
            var now: UInt64 = 1_000
            for _ in 0..<50 {
                guard let wake = s.nextWake else { break }
                now = wake
                for case .dial(let target, _) in s.tick(now: now) { out.append(s.attemptFailed(target.name, now: now, using: &random)!) }
            }
            return out
        }
        let times = schedule(seed: 6)
        #expect(times.prefix(20).allSatisfy { $0 >= 1_000 && $0 <= 1_050 })
        #expect(Set(times.prefix(20)).count > 5)
        #expect(schedule(seed: 6) == times)
        #expect(schedule(seed: 7) != times)
    }
}
