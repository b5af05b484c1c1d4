import Dispatch
import Foundation
import Synchronization
import Testing
import VigilAPI
import VigilBenchSupport
import VigilCrypto
import VigilModel
import VigilNode
import VigilStore

/// Urgent first over a slow link, with real node processes: `gov` holds a backlog that `auth` has never
/// seen, and `auth` dials `gov` through a loopback proxy that forwards 256 kbit/s each way. While the
/// backlog streams, an alert posted at `gov` and `gov`'s automatic acknowledgement of a comm test that
/// `auth` starts overtake it: between each one's post and its arrival at `auth`, only the few backlog
/// entries already below `gov`'s lanes arrive. Then the link gets fast and the rest of the backlog
/// arrives too. The test waits on events (the follow stream, the local API `wait`, log lines) and
/// asserts the order of arrival, never a time.
@Suite("Priority lanes: urgent entries overtake a catch-up on a throttled link (processes)")
struct PriorityLaneProcessTests {
    static let backlog = 1_500
    /// 256 kbit/s each way: the backlog (≈ 0.6 MB) would take about 20 s; the bytes below the sender's
    /// lanes (≈ 25 KB at most, about 80 entries) under a second.
    static let slow = 32_000
    /// Then fast, for the rest of the backlog.
    static let fast = 8_000_000
    /// Most backlog entries that may arrive between an urgent entry's post and its arrival: what lies
    /// below the lanes, with a wide margin. Without lanes it is the whole rest of the backlog.
    static let overtaken = 400

    @Test("an alert and a comm test's acknowledgement overtake the backlog of a catch-up; then all of it arrives")
    func urgentOvertakesBacklog() throws {
        let fed = try FederationHarness([
            .init(name: "auth", role: "authority", organisation: "Province of Antwerp", dials: ["gov"]),
            .init(name: "gov", role: "government", organisation: "Ministry of the Interior", dials: []),
        ])
        // gov's backlog, written into its store before it starts (older than anything posted later).
        let key = try fed.key("gov")
        let base = UInt64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        let text = String(repeating: "Water level stable at 4.2 m; pumps running. ", count: 6)
        let backlog = try (0..<Self.backlog).map { n in
            try EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: base + UInt64(n), counter: 0), kind: .message,
                           audience: .federation, body: (["subject": .text("Report \(n)"), "text": .text(text)] as FieldMap).encoded()).signed(by: key)
        }
        let store = try EntryStore.open(directory: fed.nodeDir("gov") + "/store")
        _ = try store.append(backlog)
        store.close()

        // The genesis says gov listens on its port: the link listens there and forwards to gov's real port.
        // A port the harness did not give a node (bind(0) may hand out a port just released).
        var realPort = try FederationHarness.freePort()
        while fed.ports.values.contains(realPort) { realPort = try FederationHarness.freePort() }
        let link = try ThrottledLink(listenPort: fed.ports["gov"]!, targetPort: realPort, bytesPerSecond: Self.slow)
        defer { link.close() }
        try fed.start("gov", extraArguments: ["--listen", "127.0.0.1:\(realPort)"])
        try fed.start("auth")

        // auth's follow stream, in arrival order.
        let arrivals = Mutex<[EntrySummary]>([])
        let firstArrived = DispatchSemaphore(value: 0)
        let followDone = DispatchSemaphore(value: 0)
        let api = fed.api("auth")
        let follower = Thread {
            try? api.follow(FollowRequest(last: 0)) { line in
                guard let entry = line.entry else { return true }
                let count = arrivals.withLock { list -> Int in
                    list.append(entry)
                    return list.count
                }
                if count == 1 { firstArrived.signal() }
                return count < Self.backlog + 3   // the backlog, the alert, the test, the acknowledgement
            }
            followDone.signal()
        }
        follower.start()
        #expect(firstArrived.wait(timeout: .now() + 60) == .success, "no backlog entry reached auth")

        // The catch-up is under way: the urgent entries now. Each is counted from the moment it was
        // pushed at the latest (the post's answer; the acknowledgement's log line).
        let alert = try Officer.postedID(fed.vigil("gov", ["post", "alert"] + Officer.alert() + ["--json"]))
        let alertPosted = arrivals.withLock { $0.count }
        let test = try Officer.postedID(fed.vigil("auth", ["commtest", "start", "--expect", "everyone", "--deadline", "10m", "--note", "Lane test", "--json"]))
        let ack = try fed.automaticAck("gov", test: test)
        let ackPosted = arrivals.withLock { $0.count }
        #expect(try fed.waitHex("auth", [alert, ack], timeoutMs: 120_000) == [])

        // Nothing starved: the link gets fast, and the whole backlog arrives too.
        link.bytesPerSecond = Self.fast
        #expect(try fed.waitFor("auth", backlog.map(\.id), timeoutMs: 300_000) == [])
        #expect(followDone.wait(timeout: .now() + 60) == .success)

        let order = arrivals.withLock { $0 }
        let position = { (hex: String) in order.firstIndex { $0.id.hex == hex } }
        guard let alertAt = position(alert), let ackAt = position(ack) else {
            Issue.record("the follow stream missed the alert or the acknowledgement")
            return
        }
        let messages = { (range: Range<Int>) in order[range].filter { $0.kind == "message" }.count }
        let beforeAlert = messages(min(alertPosted, alertAt)..<alertAt), beforeAck = messages(min(ackPosted, ackAt)..<ackAt)
        #expect(beforeAlert <= Self.overtaken, "\(beforeAlert) backlog entries arrived between the alert's post and the alert")
        #expect(beforeAck <= Self.overtaken, "\(beforeAck) backlog entries arrived between the acknowledgement's post and it")
        #expect(messages(alertAt..<order.count) > 0 && messages(ackAt..<order.count) > 0, "the backlog was over before the urgent entries arrived")
        #expect(link.forwarded.down > 0)
    }
}
