/// A hybrid logical clock timestamp: wall-clock milliseconds since the Unix epoch plus a counter that
/// orders events within one millisecond (or while the wall clock stands still or goes backwards).
public struct HybridTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The largest encodable milliseconds value, 2^48 − 1 (about the year 10889).
    public static let maxMilliseconds: UInt64 = (1 << 48) - 1

    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: UInt64
    /// Orders timestamps that share `milliseconds`.
    public var counter: UInt32

    /// A timestamp.
    public init(milliseconds: UInt64, counter: UInt32) {
        self.milliseconds = milliseconds
        self.counter = counter
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.milliseconds, a.counter) < (b.milliseconds, b.counter)
    }

    public var description: String { "\(milliseconds).\(counter)" }
}

/// A hybrid logical clock for the local author. Pure: the wall clock is an input.
///
/// - Timestamps it issues strictly increase, even when the wall clock goes backwards.
/// - Timestamps received from others are merged so that the next local timestamp is later than
///   everything this node has seen — unless a received timestamp is more than `maxForwardDrift`
///   ahead of the local wall clock: a peer with a wrong clock (or a malicious one) must not drag
///   every clock of the federation into the future. Such a timestamp is still a valid entry; it is
///   just not merged into the clock.
public struct HybridClock: Sendable {
    /// The last timestamp issued or merged.
    public private(set) var last: HybridTimestamp
    /// How far ahead of the local wall clock a received timestamp may be and still be merged.
    public var maxForwardDrift: UInt64

    /// A clock that has seen nothing later than `last`.
    public init(last: HybridTimestamp = HybridTimestamp(milliseconds: 0, counter: 0), maxForwardDrift: UInt64 = 60_000) {
        self.last = last
        self.maxForwardDrift = maxForwardDrift
    }

    /// Issues a timestamp for a new local event at wall-clock time `wallMilliseconds`.
    public mutating func tick(wallMilliseconds: UInt64) -> HybridTimestamp {
        let wall = min(wallMilliseconds, HybridTimestamp.maxMilliseconds)
        if wall > last.milliseconds {
            last = HybridTimestamp(milliseconds: wall, counter: 0)
        } else if last.counter == UInt32.max {
            last = HybridTimestamp(milliseconds: last.milliseconds + 1, counter: 0)
        } else {
            last.counter += 1
        }
        return last
    }

    /// Merges a timestamp received from another node. Returns false (and leaves the clock alone) when
    /// `remote` is more than `maxForwardDrift` ahead of `wallMilliseconds`.
    @discardableResult
    public mutating func observe(_ remote: HybridTimestamp, wallMilliseconds: UInt64) -> Bool {
        let (limit, overflow) = wallMilliseconds.addingReportingOverflow(maxForwardDrift)
        guard overflow || remote.milliseconds <= limit else { return false }
        if remote > last { last = remote }
        return true
    }
}
