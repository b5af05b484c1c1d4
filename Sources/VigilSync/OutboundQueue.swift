/// A priority lane of the outbound queue, most urgent first (`LanePolicy` says which frame goes where).
public enum OutboundLane: Int, CaseIterable, Comparable, Sendable {
    /// Session control, roster entries, and new entries of urgent kinds.
    case urgent
    /// New entries of routine kinds.
    case live
    /// Catch-up backlog (answers to WANT, entries reconciliation found the peer lacks).
    case backlog

    /// Frames a lane may send per round of `OutboundQueue.drain` while the lanes after it wait: the
    /// weighted round-robin that keeps the urgent lane ahead and starves none.
    public var weight: Int {
        switch self {
        case .urgent: 8
        case .live: 4
        case .backlog: 1
        }
    }

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
/// `drain` serves the lanes by weighted round-robin: up to `OutboundLane.weight` frames of the urgent
/// lane, then of the live lane, then of the backlog, and round again, skipping empty lanes; oldest
/// frame first within a lane. So an urgent frame waits behind at most one round of the lower lanes
/// (4 live and 1 backlog frame), and a lower lane still sends at least its weight per round however
/// busy the lanes above it are: nothing is starved. A queue that empties starts its next round at
/// the urgent lane.
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
    /// The lane whose turn it is in the current round, and how many frames it may still send.
    private var turn = OutboundLane.urgent
    private var credit = OutboundLane.urgent.weight

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

    /// Offers waiting frames to the network in weighted round-robin order, until it refuses one (that
    /// one stays first in its lane, and its lane keeps the turn) or none is left. Returns how many it took.
    @discardableResult
    public mutating func drain(via transmit: (Frame) -> Bool) -> Int {
        var sent = 0
        while count > 0 {
            guard credit > 0, let frame = lanes[turn.rawValue].first else {
                turn = OutboundLane(rawValue: (turn.rawValue + 1) % OutboundLane.allCases.count)!
                credit = turn.weight
                continue
            }
            guard transmit(frame) else { return sent }
            lanes[turn.rawValue].removeFirst()
            credit -= 1
            count -= 1
            bytes -= frame.payload.count
            sent += 1
        }
        turn = .urgent
        credit = OutboundLane.urgent.weight
        return sent
    }
}
