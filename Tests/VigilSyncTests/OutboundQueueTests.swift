import Testing
import VigilSync

@Suite("Outbound queue: back-pressure beyond the network's send budget")
struct OutboundQueueTests {
    /// A network that takes `budget` frames, then refuses until `budget` is raised.
    final class Network {
        var budget: Int
        var sent: [Frame] = []
        init(budget: Int) { self.budget = budget }
        func take(_ frame: Frame) -> Bool {
            guard budget > 0 else { return false }
            budget -= 1
            sent.append(frame)
            return true
        }
    }

    static func frame(_ n: Int, bytes: Int = 10) -> Frame {
        Frame(type: .entries, payload: [UInt8(n & 0xff), UInt8(n >> 8)] + [UInt8](repeating: 0, count: bytes - 2))
    }

    @Test("frames go straight out while the network takes them; once one waits, later ones wait behind it, in order")
    func order() {
        let network = Network(budget: 2)
        var queue = OutboundQueue(limit: 1_000)
        for n in 0..<6 { _ = queue.send(Self.frame(n), via: network.take) }
        #expect(network.sent == [Self.frame(0), Self.frame(1)])
        #expect(queue.count == 4 && queue.bytes == 40 && queue.count(in: .live) == 4)
        network.budget = 1
        #expect(queue.send(Self.frame(6), via: network.take) == .queued, "a new frame must not overtake waiting ones")
        #expect(network.sent.count == 2)
        #expect(queue.drain(via: network.take) == 1)
        network.budget = 100
        #expect(queue.drain(via: network.take) == 4)
        #expect(network.sent == (0..<7).map { Self.frame($0) })
        #expect(queue.isEmpty && queue.bytes == 0)
        #expect(queue.send(Self.frame(7), via: network.take) == .sent)
    }

    @Test("more than `limit` bytes waiting says overLimit (the shell closes the too-slow peer)")
    func limit() {
        let network = Network(budget: 0)
        var queue = OutboundQueue(limit: 25)
        #expect(queue.send(Self.frame(0), via: network.take) == .queued)
        #expect(queue.send(Self.frame(1), via: network.take) == .queued)
        #expect(queue.send(Self.frame(2), via: network.take) == .overLimit(bytes: 30))
        #expect(OutboundQueue().limit == 32 << 20)
    }

    @Test("drain takes the most urgent lane first, oldest first within a lane")
    func lanes() {
        let network = Network(budget: 0)
        var queue = OutboundQueue()
        _ = queue.send(Self.frame(1), lane: .backlog, via: network.take)
        _ = queue.send(Self.frame(2), lane: .live, via: network.take)
        _ = queue.send(Self.frame(3), lane: .urgent, via: network.take)
        _ = queue.send(Self.frame(4), lane: .backlog, via: network.take)
        _ = queue.send(Self.frame(5), lane: .urgent, via: network.take)
        #expect(OutboundLane.allCases.map { queue.count(in: $0) } == [2, 1, 2])
        network.budget = 3
        #expect(queue.drain(via: network.take) == 3)
        #expect(network.sent == [Self.frame(3), Self.frame(5), Self.frame(2)])
        network.budget = 10
        queue.drain(via: network.take)
        #expect(network.sent.suffix(2) == [Self.frame(1), Self.frame(4)])
    }

    @Test("a long queue drained a little at a time keeps its order and its byte count")
    func longDrain() {
        let network = Network(budget: 0)
        var queue = OutboundQueue()
        for n in 0..<5_000 { _ = queue.send(Self.frame(n, bytes: 3), via: network.take) }
        var rounds = 0
        while !queue.isEmpty {
            network.budget = 7
            queue.drain(via: network.take)
            #expect(queue.bytes == queue.count * 3)
            rounds += 1
        }
        #expect(rounds == 715)
        #expect(network.sent == (0..<5_000).map { Self.frame($0, bytes: 3) })
    }
}
