import Testing
import VigilModel
import VigilSync

@Suite("Dial scheduler: which peers to dial, and when")
struct DialSchedulerTests {
    static let a = DialTarget(name: "gov-a", routes: [DialRoute(host: "10.0.0.1", port: 7000), DialRoute(host: "10.0.1.1", port: 7000)])
    static let b = DialTarget(name: "gov-b", routes: [DialRoute(host: "10.0.0.2", port: 7000)])

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
        s.start([Self.b, Self.a, DialTarget(name: "no-route", routes: [])], now: 1_000, using: &random)
        #expect(s.peerNames == ["gov-a", "gov-b"])
        #expect(s.nextWake == 1_000)
        #expect(Self.dials(s.tick(now: 1_000)) == ["gov-a@10.0.0.1:7000", "gov-b@10.0.0.2:7000"])
        #expect(s.tick(now: 90_000).isEmpty)
        #expect(s.nextWake == nil)
        #expect(Self.phase(s, "gov-a", now: 1_005).phase == .connecting(route: DialRoute(host: "10.0.0.1", port: 7000), since: 1_000))
    }

    @Test("a failed attempt waits 250–500 ms, then tries the next route; the delay doubles to a 60 s cap")
    func backoff() {
        var random = SeededRandom(seed: 2)
        var s = DialScheduler()
        s.start([Self.a], now: 0, using: &random)
        var now: UInt64 = 0
        var routes: [String] = []
        var delays: [UInt64] = []
        for _ in 0..<12 {
            routes += Self.dials(s.tick(now: now))
            let delay = s.closed("gov-a", now: now, using: &random)!
            delays.append(delay)
            #expect(s.tick(now: now + delay - 1).isEmpty, "dialed before its delay")
            #expect(Self.phase(s, "gov-a", now: now + 1).nextAttemptIn == delay - 1)
            now += delay
        }
        #expect(routes.count == 12)
        #expect(routes.prefix(3) == ["gov-a@10.0.0.1:7000", "gov-a@10.0.1.1:7000", "gov-a@10.0.0.1:7000"])
        for (attempt, delay) in delays.enumerated() {
            let ceiling = min(UInt64(500) << UInt64(attempt), 60_000)
            #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(attempt): \(delay) ms outside \(ceiling / 2)…\(ceiling)")
        }
        #expect(Self.phase(s, "gov-a", now: now).failedAttempts == 12)
    }

    @Test("an established session resets the delay and keeps the route that worked; a closed session waits the first delay again")
    func sessionResets() {
        var random = SeededRandom(seed: 3)
        var s = DialScheduler()
        s.start([Self.a], now: 0, using: &random)
        var now: UInt64 = 0
        for _ in 0..<5 {   // the first route fails five times (the scheduler alternates routes)
            _ = s.tick(now: now)
            now += s.closed("gov-a", now: now, using: &random)!
        }
        #expect(Self.dials(s.tick(now: now)) == ["gov-a@10.0.1.1:7000"])
        s.connected("gov-a", now: now + 10)
        #expect(Self.phase(s, "gov-a", now: now + 20).phase == .connected(route: DialRoute(host: "10.0.1.1", port: 7000), since: now + 10))
        s.sessionEstablished("gov-a")
        #expect(Self.phase(s, "gov-a", now: now + 20).failedAttempts == 0)
        now += 60_000
        let delay = s.closed("gov-a", now: now, using: &random)!
        #expect(delay >= 250 && delay <= 500)
        #expect(Self.dials(s.tick(now: now + delay)) == ["gov-a@10.0.1.1:7000"], "a connected route stays preferred after the session ends")
    }

    @Test("stale reports change nothing: closed while waiting, reports about unknown peers, connected when not connecting")
    func staleReports() {
        var random = SeededRandom(seed: 4)
        var s = DialScheduler()
        s.start([Self.b], now: 0, using: &random)
        #expect(s.closed("gov-b", now: 0, using: &random) == nil)
        #expect(s.closed("nobody", now: 0, using: &random) == nil)
        s.connected("gov-b", now: 0)
        s.sessionEstablished("nobody")
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
        #expect(s.closed("gov-b", now: 100, using: &random) == nil, "a removed peer is forgotten")
        #expect(Self.dials(s.tick(now: 100)) == ["centre@10.0.0.3:7000"])
        let delay = s.closed("gov-a", now: 200, using: &random)!
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
            return s.status(now: 1_000).map { 1_000 + $0.nextAttemptIn! }
        }
        let times = schedule(seed: 6)
        #expect(times.allSatisfy { $0 >= 1_000 && $0 <= 1_050 })
        #expect(Set(times).count > 5)
        #expect(schedule(seed: 6) == times)
        #expect(schedule(seed: 7) != times)
    }
}
