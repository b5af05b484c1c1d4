/// A priority lane of the outbound queue, most urgent first.
///
/// Today every frame goes to `.live`, so frames leave in the order the core produced them. The lanes
/// are there for per-peer priorities (urgent kinds first, new entries before a catch-up backlog).
public enum OutboundLane: Int, CaseIterable, Comparable, Sendable {
    /// Session control and urgent entries.
    case urgent
    /// New entries and everything else (the default).
    case live
    /// Catch-up backlog.
    case backlog

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Frames for one connection waiting beyond the network's own send budget: the node's back-pressure
/// as a pure value.
///
/// The shell hands every frame to `send(_:lane:via:)` with a `transmit` closure that offers it to the
/// network and says whether the network took it (false: its budget is full). While anything waits here,
/// new frames wait too, so order is kept; when the network can take more (`writable` on the node, a
/// delivered frame in the simulator), the shell calls `drain(via:)`. More than `limit` bytes waiting
/// means the peer reads too slowly: `send` says `.overLimit`, and the shell closes the connection.
///
/// `drain` takes the most urgent non-empty lane first, oldest frame first within a lane.
public struct OutboundQueue: Sendable {
    /// What became of a frame handed to `send`.
    public enum Outcome: Hashable, Sendable {
        /// The network took it.
        case sent
        /// It waits here.
        case queued
        /// It waits here, and more than `limit` bytes now wait: close the connection.
        case overLimit(bytes: Int)
    }

    /// The node's default: 32 MiB waiting for one peer.
    public static let defaultLimit = 32 << 20

    /// Most payload bytes that may wait before the peer counts as too slow.
    public let limit: Int
    /// Payload bytes waiting.
    public private(set) var bytes = 0
    /// Frames waiting.
    public private(set) var count = 0
    /// One per `OutboundLane`, created when the first frame waits (an empty queue allocates nothing,
    /// so the shell can make one per frame sent).
    private var lanes: [Lane] = []

    /// A FIFO that removes from the front in O(1) (a head index, compacted now and then).
    struct Lane: Sendable {
        var frames: [Frame] = []
        var head = 0
        var first: Frame? { head < frames.count ? frames[head] : nil }
        mutating func removeFirst() {
            head += 1
            if head == frames.count {
                frames.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1_024 && head * 2 >= frames.count {
                frames.removeFirst(head)
                head = 0
            }
        }
    }

    /// An empty queue that holds at most `limit` bytes.
    public init(limit: Int = OutboundQueue.defaultLimit) {
        self.limit = limit
    }

    /// Whether nothing waits.
    public var isEmpty: Bool { count == 0 }

    /// Frames waiting in `lane`.
    public func count(in lane: OutboundLane) -> Int {
        lanes.isEmpty ? 0 : lanes[lane.rawValue].frames.count - lanes[lane.rawValue].head
    }

    /// Sends `frame`: straight to the network (`transmit` returns true when it took it) when nothing
    /// waits, else into `lane` behind the frames already waiting.
    public mutating func send(_ frame: Frame, lane: OutboundLane = .live, via transmit: (Frame) -> Bool) -> Outcome {
        if isEmpty && transmit(frame) { return .sent }
        if lanes.isEmpty { lanes = Array(repeating: Lane(), count: OutboundLane.allCases.count) }
        lanes[lane.rawValue].frames.append(frame)
        count += 1
        bytes += frame.payload.count
        return bytes > limit ? .overLimit(bytes: bytes) : .queued
    }

    /// Offers waiting frames to the network, most urgent lane first, until it refuses one (that one
    /// stays first) or none is left. Returns how many it took.
    @discardableResult
    public mutating func drain(via transmit: (Frame) -> Bool) -> Int {
        var sent = 0
        for index in lanes.indices {
            while let frame = lanes[index].first {
                guard transmit(frame) else { return sent }
                lanes[index].removeFirst()
                count -= 1
                bytes -= frame.payload.count
                sent += 1
            }
        }
        return sent
    }
}
