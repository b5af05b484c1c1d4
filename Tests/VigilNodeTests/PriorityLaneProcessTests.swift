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
/// seen, and `auth` dials `gov` through a loopback proxy that forwards at a limited rate. While the
/// backlog streams, an alert posted at `gov` and `gov`'s automatic acknowledgement of a comm test that
/// `auth` starts overtake it. The test waits on events (the follow stream, the local API `wait`) and
/// asserts the order of arrival at `auth`, never a time.
@Suite("Priority lanes: urgent entries overtake a catch-up on a throttled link (processes)")
struct PriorityLaneProcessTests {
    static let backlog = 1_500
    /// 1 Mbit/s each way: the backlog (≈ 0.6 MB) takes several seconds, the bytes below the sender's
    /// lanes (≈ 50 KB at most) well under one.
    static let bytesPerSecond = 125_000

    @Test("an alert and a comm test's acknowledgement arrive while most of the backlog is still on its way; then all of it")
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
        let link = try ThrottledLink(listenPort: fed.ports["gov"]!, targetPort: realPort, bytesPerSecond: Self.bytesPerSecond)
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

        // The catch-up is under way: the urgent entries now.
        let alert = try Officer.postedID(fed.vigil("gov", ["post", "alert"] + Officer.alert() + ["--json"]))
        let test = try Officer.postedID(fed.vigil("auth", ["commtest", "start", "--expect", "everyone", "--deadline", "10m", "--note", "Lane test", "--json"]))
        let ack = try fed.automaticAck("gov", test: test)
        #expect(try fed.waitHex("auth", [alert, ack], timeoutMs: 120_000) == [])

        // Nothing starved: the whole backlog arrives too.
        #expect(try fed.waitFor("auth", backlog.map(\.id), timeoutMs: 300_000) == [])
        #expect(followDone.wait(timeout: .now() + 60) == .success)

        let order = arrivals.withLock { $0 }
        let position = { (hex: String) in order.firstIndex { $0.id.hex == hex } }
        guard let alertAt = position(alert), let ackAt = position(ack) else {
            Issue.record("the follow stream missed the alert or the acknowledgement")
            return
        }
        let messagesAfter = { (index: Int) in order[(index + 1)...].filter { $0.kind == "message" }.count }
        // Everything already below the sender's lanes when they were posted may still arrive first (a few
        // dozen entries); the rest of the backlog waits behind them.
        #expect(messagesAfter(alertAt) >= Self.backlog / 2, "the alert arrived after \(Self.backlog - messagesAfter(alertAt)) of \(Self.backlog) backlog entries")
        #expect(messagesAfter(ackAt) >= Self.backlog / 2, "the acknowledgement arrived after \(Self.backlog - messagesAfter(ackAt)) of \(Self.backlog) backlog entries")
        #expect(link.forwarded.down > 0)
    }
}
