/// How long to wait before redialling a peer: exponential backoff with jitter, capped at 60 s.
///
/// A pure value: no clock, no timer, no I/O. `DialScheduler` keeps one per peer: it asks for
/// `nextDelay(using:)` after each failed attempt, waits that long, and calls `reset()` once a session
/// is established. Randomness comes in as a parameter, so a seeded generator replays exactly.
///
/// Attempt n (from 0) has a ceiling of `initial × 2ⁿ`, capped at `maximum`; the delay is drawn
/// uniformly from the upper half of the ceiling, `[ceiling / 2, ceiling]` ("equal jitter"). Half
/// spreads the redials of many nodes that lost the same peer at once; the floor keeps a node from
/// hammering a peer that is down.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The hard cap on any delay.
    public static let cap: Duration = .seconds(60)

    /// The ceiling of the first delay.
    public let initial: Duration
    /// The ceiling the delays grow to (at most `cap`).
    public let maximum: Duration
    /// Failed attempts since the last `reset()`.
    public private(set) var attempt: Int = 0

    /// A backoff starting at `initial` and growing to `maximum` (clamped to 1 ms … 60 s), with
    /// `attempt` attempts already failed.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = cap, attempt: Int = 0) {
        self.attempt = max(0, attempt)
        let maximumMs = min(max(Self.milliseconds(maximum), 1), Self.milliseconds(Self.cap))
        let initialMs = min(max(Self.milliseconds(initial), 1), maximumMs)
        self.initial = .milliseconds(initialMs)
        self.maximum = .milliseconds(maximumMs)
    }

    /// The ceiling of the next delay: `initial × 2^attempt`, at most `maximum`.
    public var currentCeiling: Duration {
        let initialMs = Self.milliseconds(initial), maximumMs = Self.milliseconds(maximum)
        guard attempt < 62 else { return maximum }
        let (scaled, overflow) = initialMs.multipliedReportingOverflow(by: Int64(1) << Int64(attempt))
        return .milliseconds(overflow ? maximumMs : min(scaled, maximumMs))
    }

    /// The delay before the next attempt, drawn from `generator`; counts the attempt.
    public mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = Self.milliseconds(currentCeiling)
        let floor = ceiling / 2
        let delay = floor + Int64.random(in: 0...(ceiling - floor), using: &generator)
        if attempt < Int.max { attempt += 1 }
        return .milliseconds(delay)
    }

    /// Starts over at `initial` (after a session was established).
    public mutating func reset() { attempt = 0 }

    /// Whole milliseconds of a duration (negative: 0; too large: a huge value, not an overflow).
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int64.max / 2 : ms + attoseconds / 1_000_000_000_000_000
    }
}
