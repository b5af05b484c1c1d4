import Dispatch
import Foundation
import Synchronization
import Testing
import VigilCrypto
import VigilModel
import VigilSync
@testable import VigilNet

extension NetworkTests {
    @Suite("Back-pressure")
    struct BackPressure {
        @Test("a slow reader fills its send queue and send reports .queueFull; another peer on the same loop keeps flowing; nothing is lost; writable follows the drain")
        func slowReader() throws {
            let ca = try PKI.ca()
            let senderNode = try PKI.node(ca, "sender"), slowNode = try PKI.node(ca, "slow"), fastNode = try PKI.node(ca, "fast")

            // The slow reader's loop thread stops in its connectionEstablished callback until released:
            // it reads nothing, so the kernel buffers fill up and then the sender's queue.
            let release = DispatchSemaphore(value: 0)
            let slow = Recorder(onEstablished: { _ in _ = release.wait(timeout: .now() + 60) })
            let slowLoop = try makeLoop(slowNode, trusting: ca, recorder: slow)
            let released = Atomic<Bool>(false)
            func releaseSlowReader() { if !released.exchange(true, ordering: .relaxed) { release.signal() } }
            defer {
                releaseSlowReader()
                slowLoop.shutdown()
            }
            let fast = Recorder()
            let fastLoop = try makeLoop(fastNode, trusting: ca, recorder: fast)
            defer { fastLoop.shutdown() }
            let sender = Recorder()
            let senderLoop = try makeLoop(senderNode, trusting: ca, recorder: sender) {
                $0.sendQueueLimit = 256 * 1024
                $0.sendQueueLowWater = 64 * 1024
            }
            defer { senderLoop.shutdown() }

            let slowPort = try slowLoop.listen(host: "127.0.0.1", port: 0).port
            let fastPort = try fastLoop.listen(host: "127.0.0.1", port: 0).port
            let toSlow = senderLoop.dial(host: "127.0.0.1", port: slowPort, expectedPeer: slowNode.key.publicKey)
            let toFast = senderLoop.dial(host: "127.0.0.1", port: fastPort, expectedPeer: fastNode.key.publicKey)
            _ = try sender.waitEstablished("the session to the slow reader", key: slowNode.key.publicKey)
            _ = try sender.waitEstablished("the session to the fast reader", key: fastNode.key.publicKey)
            let fastSide = try fast.waitEstablished("the fast reader's session")

            // Send to the slow reader until the queue stays full. After each .queueFull, a zero-delay
            // timer on the sender's loop marks the point where the loop has written all the socket took;
            // if no `writable` came before it and there is still no room, the peer is not draining.
            var queued = 0, refusals = 0, round: UInt64 = 0
            var stalled = false
            func sendNext() -> SendResult {
                let result = senderLoop.send(numberedFrame(queued, size: 16 * 1024), on: toSlow)
                if result == .queued { queued += 1 }
                if result == .queueFull { refusals += 1 }
                return result
            }
            while !stalled && round < 2_000 {
                let result = sendNext()
                guard result == .queueFull else {
                    #expect(result == .queued)
                    continue
                }
                round += 1
                let before = sender.events.count
                senderLoop.schedule(after: .zero, token: round)
                let drained = try sender.wait("the barrier timer \(round)") { events -> Bool? in
                    var sawWritable = false
                    for event in events.dropFirst(before) {
                        if case .writable(toSlow) = event { sawWritable = true }
                        if case .timer(round) = event { return sawWritable }
                    }
                    return nil
                }
                if !drained && sendNext() == .queueFull { stalled = true }
            }
            #expect(stalled, "the slow reader's queue never stayed full")
            #expect(refusals > 0 && queued > 0)

            // Meanwhile the same loop serves the fast peer both ways.
            let flowing = (0..<200).map { numberedFrame($0, size: 1_000) }
            for frame in flowing { #expect(senderLoop.send(frame, on: toFast) == .queued) }
            #expect(try fast.waitFrames(on: fastSide.id, count: 200, "200 frames at the fast reader") == flowing)
            for frame in flowing { _ = fastLoop.send(frame, on: fastSide.id) }
            #expect(try sender.waitFrames(on: toFast, count: 200, "200 frames back from the fast reader") == flowing)

            // The slow reader wakes up: every queued frame arrives, in order, and the sender hears `writable`.
            releaseSlowReader()
            let slowSide = try slow.waitEstablished("the slow reader's session")
            let arrived = try slow.waitFrames(on: slowSide.id, count: queued, "\(queued) frames at the slow reader")
            #expect(arrived == (0..<queued).map { numberedFrame($0, size: 16 * 1024) })
            _ = try sender.wait("writable for the slow reader's connection") { events in
                events.contains { if case .writable(toSlow) = $0 { true } else { false } } ? true : nil
            }
            #expect(senderLoop.send(numberedFrame(queued, size: 16 * 1024), on: toSlow) == .queued)
        }

        @Test("a frame larger than the queue limit is accepted into an empty queue, so nothing deadlocks")
        func largeFrameIntoEmptyQueue() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
            let server = Recorder(), client = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server)
            defer { serverLoop.shutdown() }
            let clientLoop = try makeLoop(b, trusting: ca, recorder: client) { $0.sendQueueLimit = 1_000 }
            defer { clientLoop.shutdown() }
            let port = try serverLoop.listen(host: "127.0.0.1", port: 0).port
            let id = clientLoop.dial(host: "127.0.0.1", port: port)
            let big = numberedFrame(1, size: 100_000)
            #expect(clientLoop.send(big, on: id) == .queued)   // queued before the session is even up
            #expect(clientLoop.send(numberedFrame(2), on: id) == .queueFull)
            let atServer = try server.waitEstablished("the server's session")
            #expect(try server.waitFrames(on: atServer.id, count: 1, "the big frame") == [big])
            _ = try client.wait("writable") { events in events.contains { if case .writable(id) = $0 { true } else { false } } ? true : nil }
        }
    }
}
