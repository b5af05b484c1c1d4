import Foundation
import Glibc
import Testing
import VigilCrypto
import VigilModel
import VigilSync
@testable import VigilNet

extension NetworkTests {
    @Suite("Shutdown")
    struct Shutdown {
        @Test("shutdown closes every socket, the epoll and eventfd descriptors, reports every connection once and ends the thread")
        func noDescriptorsOrThreadsLeft() throws {
            let before = openNetworkDescriptorsByFD()
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
            let server = Recorder(), client = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server)
            let clientLoop = try makeLoop(b, trusting: ca, recorder: client) { $0.connectTimeout = .seconds(60) }
            let port = try serverLoop.listen(host: "127.0.0.1", port: 0).port
            _ = try serverLoop.listen(host: "::1", port: 0)
            let ids = (0..<5).map { _ in clientLoop.dial(host: "127.0.0.1", port: port) }
            for id in ids { _ = try client.wait("session \(id)") { events in
                events.contains { if case .established(id, _, _, _) = $0 { true } else { false } } ? true : nil
            } }
            _ = try server.wait("five sessions at the server") { events in
                events.filter { if case .established = $0 { true } else { false } }.count == 5 ? true : nil
            }
            // Leave work in flight: queued frames and a half-open inbound connection.
            for id in ids { _ = clientLoop.send(numberedFrame(1, size: 50_000), on: id) }
            let silent = try RawSocket(port: port)
            // Other suites run in parallel in this process and open descriptors of their own, so the check is
            // on the descriptors that appeared during this test (by fd and inode): all must be gone after.
            let ours = openNetworkDescriptorsByFD().filter { before[$0.key] != $0.value }
            #expect(ours.values.filter { $0.hasPrefix("socket:") }.count >= 8, "listeners, five connections each side, the raw socket: \(ours)")
            let threads = [serverLoop.loopThreadTID, clientLoop.loopThreadTID]
            #expect(threads.allSatisfy { $0 > 0 && FileManager.default.fileExists(atPath: "/proc/self/task/\($0)") })

            clientLoop.shutdown()
            serverLoop.shutdown()
            serverLoop.shutdown()   // idempotent

            for id in ids { #expect(client.closedReasons(id) == [CloseReason(.shutdown, "the network loop was shut down")]) }
            #expect(server.events.filter { if case .closed = $0 { true } else { false } }.count == 5)
            #expect(clientLoop.send(numberedFrame(2), on: ids[0]) == .closed)
            #expect(throws: NetworkError.self) { try serverLoop.listen(host: "127.0.0.1", port: 0) }
            for tid in threads { #expect(!threadRuns(tid), "thread \(tid) still runs") }
            silent.close()
            let after = openNetworkDescriptorsByFD()
            // Sockets have unique inodes, so this cannot be fooled by a parallel test. Anonymous inodes (epoll,
            // eventfd) all read the same and their numbers are reused at once by loops of parallel tests, so they
            // are not compared here; the loop threads' end (above) and `neverStarted` cover them.
            let left = ours.filter { $0.value.hasPrefix("socket:") && after[$0.key] == $0.value }
            #expect(left.isEmpty, "sockets still open after shutdown: \(left)")
        }

        @Test("a loop that was never started closes its descriptors on shutdown, including a listener")
        func neverStarted() throws {
            let before = openNetworkDescriptorsByFD()
            let ca = try PKI.ca()
            let loop = try NetworkLoop(configuration: NetworkConfiguration(tls: PKI.context(try PKI.node(ca, "a"), trusting: ca)))
            _ = try loop.listen(host: "127.0.0.1", port: 0)
            // Descriptors that appeared meanwhile (other suites run in parallel); the listener among them.
            let ours = openNetworkDescriptorsByFD().filter { before[$0.key] != $0.value }
            #expect(ours.values.contains { $0.hasPrefix("socket:") }, "no new listening socket: \(ours)")
            loop.shutdown()
            let after = openNetworkDescriptorsByFD()
            #expect(ours.filter { $0.value.hasPrefix("socket:") && after[$0.key] == $0.value }.isEmpty, "the listener is still open after shutdown")
        }

        @Test("the configuration is checked")
        func invalidConfiguration() throws {
            let ca = try PKI.ca()
            var configuration = NetworkConfiguration(tls: try PKI.context(try PKI.node(ca, "a"), trusting: ca))
            configuration.maxFrameLength = Frame.maxLength + 1
            #expect(throws: NetworkError.self) { try NetworkLoop(configuration: configuration) }
            configuration.maxFrameLength = 1_000
            configuration.sendQueueLowWater = 2 << 20
            #expect(throws: NetworkError.self) { try NetworkLoop(configuration: configuration) }
        }
    }
}

/// Whether thread `tid` of this process still runs. `pthread_join` returns once the kernel cleared the
/// thread's id, which can be a moment before the task is reaped: a task that is dead or a zombie has
/// ended, even while its /proc entry is still there.
/// Whether the thread `tid` still runs after `shutdown` joined it. `pthread_join` returns when the
/// kernel clears the thread's tid, which happens while the task is still exiting, so /proc may show it
/// running a moment longer: the check yields the processor until the task is gone or dead, a bounded
/// number of times (a thread that really runs on stays "running" through all of them).
func threadRuns(_ tid: Int32) -> Bool {
    for _ in 0..<100_000 {
        if !threadRunsNow(tid) { return false }
        sched_yield()
    }
    return threadRunsNow(tid)
}

private func threadRunsNow(_ tid: Int32) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8) else { return false }
    guard let state = status.split(separator: "\n").first(where: { $0.hasPrefix("State:") }) else { return false }
    return !(state.contains("(dead)") || state.contains("(zombie)"))
}
